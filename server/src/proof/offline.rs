//! The auditor's checks, with nothing but the server's public key: that every event of an
//! export is what was recorded and sits in a signed checkpoint, and that a later checkpoint only
//! appended to an earlier one. No database, no server, no trust in either.

use super::merkle::{self, Hash};
use super::note::{Checkpoint, NoteVerifier};
use crate::chain;
use crate::store::event_leaf;
use app::model::{ConsistencyProof, InclusionProof};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::BufRead;

/// What went wrong, where: a sentence an auditor can act on.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct Refuted(pub String);

/// What a verified export holds.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ExportVerified {
    pub ok: bool,
    /// Events checked.
    pub events: u64,
    /// `inclusion` when each event carried its proof, `tree` when the tree was rebuilt from the
    /// export's events.
    pub proved_by: &'static str,
    /// The checkpoints the events were proved against: `origin` and `tree_size`.
    pub checkpoints: Vec<(String, u64)>,
}

/// An event of the export, its content checked against its hash.
struct ExportedEvent {
    seq: i64,
    leaf: Hash,
    inclusion: Option<InclusionProof>,
}

/// Reads one exported event (a JSON object) and checks that its content bears out its hash.
fn exported_event(mut fields: Map<String, Value>) -> Result<ExportedEvent, String> {
    let inclusion = match fields.remove("inclusion") {
        Some(value) => Some(
            serde_json::from_value::<InclusionProof>(value)
                .map_err(|e| format!("its inclusion proof cannot be read: {e}"))?,
        ),
        None => None,
    };
    let claims = chain::claims(fields)?;
    if !claims.content_matches {
        return Err(format!(
            "event {} was altered: its content does not match its hash",
            claims.seq
        ));
    }
    let leaf = event_leaf(&claims.hash)
        .ok_or_else(|| format!("event {} has no valid SHA-256 hash", claims.seq))?;
    Ok(ExportedEvent {
        seq: claims.seq,
        leaf,
        inclusion,
    })
}

/// The events of an export as they are read: where each is ("line 12", "element 3") and its
/// fields.
type ExportObjects = Box<dyn Iterator<Item = Result<(String, Map<String, Value>), Refuted>>>;

/// The export's events, one JSON object per line (NDJSON) or one JSON array (JSON).
fn export_objects(mut reader: impl BufRead + 'static) -> Result<ExportObjects, Refuted> {
    let start = reader
        .fill_buf()
        .map_err(|e| Refuted(format!("the export cannot be read: {e}")))?;
    let object = |at: String, value: Value| match value {
        Value::Object(fields) => Ok((at, fields)),
        _ => Err(Refuted(format!("{at} of the export is not a JSON object"))),
    };
    if start.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        let all: Vec<Value> = serde_json::from_reader(reader)
            .map_err(|e| Refuted(format!("the JSON export cannot be read: {e}")))?;
        let events = all.into_iter().enumerate();
        return Ok(Box::new(
            events.map(move |(i, v)| object(format!("element {}", i + 1), v)),
        ));
    }
    let lines = reader.lines().enumerate().filter_map(move |(i, line)| {
        let at = i + 1;
        match line {
            Err(e) => Some(Err(Refuted(format!("line {at} cannot be read: {e}")))),
            Ok(line) if line.trim().is_empty() => None,
            Ok(line) => Some(
                serde_json::from_str::<Value>(&line)
                    .map_err(|e| Refuted(format!("line {at} is not JSON: {e}")))
                    .and_then(|v| object(format!("line {at}"), v)),
            ),
        }
    });
    Ok(Box::new(lines))
}

/// Opens signed checkpoints with the key, keeping each one's parsed form.
struct Checkpoints<'k> {
    key: &'k NoteVerifier,
    opened: HashMap<String, Checkpoint>,
}

impl<'k> Checkpoints<'k> {
    fn open(&mut self, signed: &str) -> Result<&Checkpoint, Refuted> {
        if !self.opened.contains_key(signed) {
            let checkpoint = Checkpoint::open(signed, self.key)
                .map_err(|e| Refuted(format!("a checkpoint does not verify: {e}")))?;
            self.opened.insert(signed.to_owned(), checkpoint);
        }
        Ok(&self.opened[signed])
    }
}

/// Checks every event of an export: its content against its hash, and its place in a
/// checkpoint signed by `key`, either by the inclusion proof it carries (an export with
/// `include_proof=true`) or, when it carries none, by rebuilding the tree of each checkpoint in
/// `pinned` from the export's events (which must then hold all of them). When `pinned` is not
/// empty, every proof must lead to one of those checkpoints.
pub fn verify_export(
    export: impl BufRead + 'static,
    key: &NoteVerifier,
    pinned: &[String],
) -> Result<ExportVerified, Refuted> {
    let mut checkpoints = Checkpoints {
        key,
        opened: HashMap::new(),
    };
    let mut trusted = Vec::new();
    for signed in pinned {
        trusted.push(checkpoints.open(signed)?.clone());
    }
    let mut events = 0u64;
    let mut used: Vec<(String, u64)> = Vec::new();
    let mut leaves: Vec<(i64, Hash)> = Vec::new();
    for item in export_objects(export)? {
        let (at, fields) = item?;
        let event = exported_event(fields).map_err(|why| Refuted(format!("{at}: {why}")))?;
        events += 1;
        let Some(inclusion) = &event.inclusion else {
            leaves.push((event.seq, event.leaf));
            continue;
        };
        let checkpoint = checkpoints.open(&inclusion.checkpoint)?;
        if !trusted.is_empty() && !trusted.contains(checkpoint) {
            return Err(Refuted(format!(
                "event {}: its proof leads to a checkpoint of {} events that is not one of the \
                 checkpoints given",
                event.seq, checkpoint.size
            )));
        }
        check_inclusion(&event, inclusion, checkpoint)?;
        let proved = (checkpoint.origin.clone(), checkpoint.size);
        if !used.contains(&proved) {
            used.push(proved);
        }
    }
    if events == 0 {
        return Err(Refuted(
            "the export holds no events: there is nothing to verify".into(),
        ));
    }
    if leaves.is_empty() {
        return Ok(ExportVerified {
            ok: true,
            events,
            proved_by: "inclusion",
            checkpoints: used,
        });
    }
    if !used.is_empty() {
        return Err(Refuted(
            "some events carry an inclusion proof and others do not".into(),
        ));
    }
    let proved = rebuild(leaves, &trusted)?;
    Ok(ExportVerified {
        ok: true,
        events,
        proved_by: "tree",
        checkpoints: proved,
    })
}

/// Checks that an event's proof leads from its leaf to the checkpoint's root.
fn check_inclusion(
    event: &ExportedEvent,
    inclusion: &InclusionProof,
    checkpoint: &Checkpoint,
) -> Result<(), Refuted> {
    let seq = event.seq;
    let refuted = |why: String| Refuted(format!("event {seq}: {why}"));
    if inclusion.seq != seq || inclusion.leaf_index != (seq - 1) as u64 {
        return Err(refuted("its proof is for another event".into()));
    }
    if inclusion.tree_size != checkpoint.size {
        return Err(refuted(
            "its proof is for another tree than its checkpoint".into(),
        ));
    }
    let proof = decode_hashes(&inclusion.proof).map_err(refuted)?;
    merkle::verify_inclusion(
        &event.leaf,
        inclusion.leaf_index,
        checkpoint.size,
        &proof,
        &checkpoint.root,
    )
    .map_err(|e| refuted(format!("it is not in the signed checkpoint: {e}")))
}

/// Rebuilds each checkpoint's tree from the export's leaves (all of them, from event 1).
fn rebuild(
    mut leaves: Vec<(i64, Hash)>,
    checkpoints: &[Checkpoint],
) -> Result<Vec<(String, u64)>, Refuted> {
    if checkpoints.is_empty() {
        return Err(Refuted(
            "the events carry no inclusion proofs: give the checkpoint to rebuild the tree from \
             (--checkpoint), or export with include_proof=true"
                .into(),
        ));
    }
    leaves.sort_unstable_by_key(|(seq, _)| *seq);
    for (at, (seq, _)) in leaves.iter().enumerate() {
        let expected = at as i64 + 1;
        if *seq != expected {
            return Err(Refuted(format!(
                "the export does not hold event {expected} (or holds event {seq} twice), so no \
                 tree can be rebuilt; export with include_proof=true to check a partial export"
            )));
        }
    }
    let hashes: Vec<Hash> = leaves.into_iter().map(|(_, leaf)| leaf).collect();
    let mut proved = Vec::new();
    for checkpoint in checkpoints {
        let size = checkpoint.size;
        let Some(covered) = hashes.get(..size as usize) else {
            return Err(Refuted(format!(
                "the checkpoint has {size} events but the export only {}",
                hashes.len()
            )));
        };
        let mut tree = merkle::Frontier::empty();
        covered.iter().for_each(|leaf| {
            tree.push(*leaf);
        });
        if tree.root() != checkpoint.root {
            return Err(Refuted(format!(
                "the export's first {size} events do not make the signed checkpoint's tree: \
                 events were altered, removed or added"
            )));
        }
        proved.push((checkpoint.origin.clone(), size));
    }
    let largest = checkpoints.iter().map(|c| c.size).max().unwrap_or(0);
    if (hashes.len() as u64) > largest {
        return Err(Refuted(format!(
            "events {} to {} are in no checkpoint given: give a later one",
            largest + 1,
            hashes.len()
        )));
    }
    Ok(proved)
}

fn decode_hashes(encoded: &[String]) -> Result<Vec<Hash>, String> {
    encoded
        .iter()
        .map(|text| {
            BASE64
                .decode(text)
                .ok()
                .and_then(|bytes| Hash::try_from(bytes).ok())
                .ok_or_else(|| format!("{text:?} is not a base64 SHA-256 hash"))
        })
        .collect()
}

/// Checks that the signed checkpoint `new` extends `old` (same log, only appended to) by
/// `proof`.
pub fn verify_consistency(
    old: &str,
    new: &str,
    proof: &ConsistencyProof,
    key: &NoteVerifier,
) -> Result<(u64, u64), Refuted> {
    let open = |which: &str, signed: &str| {
        Checkpoint::open(signed, key)
            .map_err(|e| Refuted(format!("the {which} checkpoint does not verify: {e}")))
    };
    let (old, new) = (open("older", old)?, open("newer", new)?);
    if old.origin != new.origin {
        return Err(Refuted(format!(
            "the checkpoints are of two logs: {} and {}",
            old.origin, new.origin
        )));
    }
    if proof.from != old.size || proof.to != new.size {
        return Err(Refuted(format!(
            "the proof is from {} to {} events, the checkpoints of {} and {}",
            proof.from, proof.to, old.size, new.size
        )));
    }
    let hashes = decode_hashes(&proof.proof).map_err(Refuted)?;
    merkle::verify_consistency(old.size, new.size, &hashes, &old.root, &new.root).map_err(|e| {
        Refuted(format!(
            "the checkpoint of {} events does not extend the one of {}: {e}",
            new.size, old.size
        ))
    })?;
    Ok((old.size, new.size))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proof::note::NoteSigner;
    use app::model::AuditEvent;
    use std::io::Cursor;

    /// A sealed chain of `n` events, their leaves and a key.
    struct Log {
        events: Vec<AuditEvent>,
        leaves: Vec<Hash>,
        signer: NoteSigner,
    }

    impl Log {
        fn new(n: i64) -> Self {
            let mut prev = chain::GENESIS.to_owned();
            let events: Vec<AuditEvent> = (1..=n)
                .map(|seq| {
                    let mut event = AuditEvent {
                        id: format!("event-{seq}"),
                        seq,
                        message: format!("event {seq}"),
                        ..chain::sample::event()
                    };
                    chain::seal(&mut event, &prev);
                    prev.clone_from(&event.hash);
                    event
                })
                .collect();
            let leaves = events
                .iter()
                .map(|e| event_leaf(&e.hash).unwrap())
                .collect();
            let signer = NoteSigner::generate("auditrail.test").unwrap();
            Self {
                events,
                leaves,
                signer,
            }
        }

        fn checkpoint(&self, size: u64) -> String {
            Checkpoint {
                origin: "auditrail.test/acme".into(),
                size,
                root: merkle::root(&self.leaves[..size as usize]),
                extensions: vec![],
            }
            .sign(&self.signer)
            .unwrap()
        }

        fn hashes(&self, ranges: Vec<std::ops::Range<u64>>) -> Vec<String> {
            let leaves = &self.leaves;
            let root =
                |r: std::ops::Range<u64>| merkle::root(&leaves[r.start as usize..r.end as usize]);
            ranges.into_iter().map(|r| BASE64.encode(root(r))).collect()
        }

        /// Event `seq` as an export line, with its proof in the checkpoint of `size` events.
        fn line(&self, seq: i64, size: u64) -> Value {
            let event = &self.events[(seq - 1) as usize];
            let index = (seq - 1) as u64;
            let inclusion = InclusionProof {
                event_id: event.id.clone(),
                seq,
                leaf_index: index,
                tree_size: size,
                leaf_hash: BASE64.encode(self.leaves[index as usize]),
                proof: self.hashes(merkle::inclusion_ranges(index, size)),
                checkpoint: self.checkpoint(size),
            };
            let mut value = serde_json::to_value(event).unwrap();
            value["inclusion"] = serde_json::to_value(inclusion).unwrap();
            value
        }

        fn key(&self) -> NoteVerifier {
            self.signer.verifier()
        }
    }

    fn ndjson(lines: &[Value]) -> Cursor<Vec<u8>> {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        Cursor::new(text.into_bytes())
    }

    fn plain(log: &Log, seqs: std::ops::RangeInclusive<i64>) -> Vec<Value> {
        seqs.map(|seq| serde_json::to_value(&log.events[(seq - 1) as usize]).unwrap())
            .collect()
    }

    #[test]
    fn an_export_with_proofs_verifies_with_the_key_alone_in_any_order_and_either_format() {
        let log = Log::new(21);
        let lines: Vec<Value> = [21, 3, 17, 1, 8].iter().map(|&s| log.line(s, 21)).collect();
        let verified = verify_export(ndjson(&lines), &log.key(), &[]).unwrap();
        assert_eq!(verified.events, 5);
        assert_eq!(verified.proved_by, "inclusion");
        assert_eq!(
            verified.checkpoints,
            vec![("auditrail.test/acme".into(), 21)]
        );
        let json = Cursor::new(serde_json::to_vec(&lines).unwrap());
        assert_eq!(verify_export(json, &log.key(), &[]).unwrap().events, 5);
        let pinned = [log.checkpoint(21)];
        assert!(verify_export(ndjson(&lines), &log.key(), &pinned).is_ok());
    }

    #[test]
    fn an_altered_event_or_a_proof_of_another_event_is_refuted() {
        let log = Log::new(9);
        let mut altered = log.line(4, 9);
        altered["message"] = "nothing happened".into();
        let error = verify_export(ndjson(&[altered]), &log.key(), &[]).unwrap_err();
        assert!(error.0.contains("event 4 was altered"), "{error}");

        let mut swapped = log.line(4, 9);
        swapped["inclusion"]["proof"] = log.line(5, 9)["inclusion"]["proof"].clone();
        let error = verify_export(ndjson(&[swapped]), &log.key(), &[]).unwrap_err();
        assert!(error.0.contains("not in the signed checkpoint"), "{error}");

        let mut moved = log.line(4, 9);
        moved["inclusion"]["leaf_index"] = 4.into();
        let error = verify_export(ndjson(&[moved]), &log.key(), &[]).unwrap_err();
        assert!(error.0.contains("another event"), "{error}");
    }

    #[test]
    fn a_checkpoint_not_signed_by_the_key_or_not_pinned_is_refuted() {
        let log = Log::new(6);
        let other = Log::new(6);
        let error = verify_export(ndjson(&[log.line(2, 6)]), &other.key(), &[]).unwrap_err();
        assert!(error.0.contains("does not verify"), "{error}");
        let pinned = [log.checkpoint(5)];
        let error = verify_export(ndjson(&[log.line(2, 6)]), &log.key(), &pinned).unwrap_err();
        assert!(
            error.0.contains("not one of the checkpoints given"),
            "{error}"
        );
    }

    #[test]
    fn a_whole_export_without_proofs_rebuilds_the_checkpoint_tree() {
        let log = Log::new(12);
        let mut lines = plain(&log, 1..=12);
        lines.reverse();
        let pinned = [log.checkpoint(12), log.checkpoint(7)];
        let verified = verify_export(ndjson(&lines), &log.key(), &pinned).unwrap();
        assert_eq!((verified.events, verified.proved_by), (12, "tree"));

        let missing: Vec<Value> = plain(&log, 1..=12)
            .into_iter()
            .filter(|l| l["seq"] != 6)
            .collect();
        let error = verify_export(ndjson(&missing), &log.key(), &pinned).unwrap_err();
        assert!(error.0.contains("does not hold event 6"), "{error}");

        let error = verify_export(
            ndjson(&plain(&log, 1..=12)),
            &log.key(),
            &[log.checkpoint(10)],
        )
        .unwrap_err();
        assert!(
            error.0.contains("events 11 to 12 are in no checkpoint"),
            "{error}"
        );

        let error = verify_export(ndjson(&plain(&log, 1..=12)), &log.key(), &[]).unwrap_err();
        assert!(error.0.contains("give the checkpoint"), "{error}");
    }

    #[test]
    fn a_later_checkpoint_is_proved_to_extend_an_earlier_one_and_nothing_else_is() {
        let log = Log::new(30);
        let proof = |from: u64, to: u64| ConsistencyProof {
            from,
            to,
            proof: log.hashes(merkle::consistency_ranges(from, to)),
        };
        let (old, new) = (log.checkpoint(11), log.checkpoint(30));
        assert_eq!(
            verify_consistency(&old, &new, &proof(11, 30), &log.key()),
            Ok((11, 30))
        );
        let error = verify_consistency(&old, &new, &proof(12, 30), &log.key()).unwrap_err();
        assert!(error.0.contains("the proof is from 12 to 30"), "{error}");
        let mut rewritten = log.leaves.clone();
        rewritten[4] = merkle::leaf_hash(b"an event that replaced event 5");
        let forked = Checkpoint {
            origin: "auditrail.test/acme".into(),
            size: 30,
            root: merkle::root(&rewritten),
            extensions: vec![],
        }
        .sign(&log.signer)
        .unwrap();
        let error = verify_consistency(&old, &forked, &proof(11, 30), &log.key()).unwrap_err();
        assert!(error.0.contains("does not extend"), "{error}");
    }
}
