//! Verifying an organization's hash chain: every event's hash recomputed from its stored JSON,
//! every `prev_hash` link, `seq` contiguous from 1 (or from the last event
//! retention purged, whose hash the first kept event links to), every signed checkpoint's root rebuilt from
//! the events before it (and its signature checked), and the chain head, the hourly tallies,
//! the Merkle tree and the latest checkpoint ending where the events end. Events are read in
//! `seq` order in keyset chunks (constant memory); each chunk is hashed on a blocking thread
//! while the next one is read.

use super::Services;
use crate::chain::{self, StoredClaims};
use crate::proof::merkle::{Frontier, Hash};
use crate::proof::note::{Checkpoint, NoteVerifier};
use crate::store::{event_leaf, ChainLink, StoredCheckpoint, TalliedHead};
use app::model::{Access, ApiError, ChainVerification, ErrorCode, Permission};
use chrono::Utc;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// Events read per keyset chunk.
const CHUNK: u32 = 10_000;

/// How far a verification has got: `(checked, total)` events, reported after each chunk.
pub type VerifyProgress<'a> = &'a (dyn Fn(u64, u64) + Send + Sync);

/// The organizations whose chain is being verified in this process: one verification per
/// organization at a time, since each reads the whole log.
#[derive(Default)]
pub struct Verifying(Mutex<HashSet<i64>>);

/// An organization's place in [`Verifying`], given up on drop.
struct VerifyingSlot {
    verifying: Arc<Verifying>,
    org_id: i64,
}

impl Verifying {
    /// Takes the organization's place, or `None` when a verification of it is running.
    fn enter(self: &Arc<Self>, org_id: i64) -> Option<VerifyingSlot> {
        let mut running = self.0.lock().unwrap_or_else(|e| e.into_inner());
        running.insert(org_id).then(|| VerifyingSlot {
            verifying: self.clone(),
            org_id,
        })
    }
}

impl Drop for VerifyingSlot {
    fn drop(&mut self) {
        let mut running = self.verifying.0.lock().unwrap_or_else(|e| e.into_inner());
        running.remove(&self.org_id);
    }
}

impl Services {
    /// Verifies the caller's organization's whole chain (`audit_logs:read`: whoever may read the
    /// events may check that they are what was recorded) and records the outcome as its latest.
    /// A second verification of the same organization while one runs is refused (429).
    pub async fn verify_chain(
        &self,
        caller: &Access,
        progress: VerifyProgress<'_>,
    ) -> Result<ChainVerification, ApiError> {
        caller.require(Permission::AuditLogsRead)?;
        let org_id = caller.org_id;
        let _slot = self.verifying.enter(org_id).ok_or_else(|| {
            ApiError::new(
                ErrorCode::RateLimited,
                "a verification of this organization is already running",
            )
            .retry_after(5)
        })?;
        let outcome = self.walk_chain(org_id, progress).await?;
        let verification = ChainVerification {
            ok: outcome.is_ok(),
            checked: match &outcome {
                Ok(walk) => walk.checked,
                Err((walk, _)) => walk.checked,
            },
            broken_at_seq: outcome.as_ref().err().map(|(_, b)| b.seq),
            reason: outcome.err().map(|(_, b)| b.reason),
            verified_at: Utc::now(),
        };
        if let (Some(seq), Some(reason)) = (verification.broken_at_seq, &verification.reason) {
            tracing::warn!(org_id, seq, reason, "hash chain broken");
        }
        self.stores
            .identity
            .record_chain_verification(org_id, &verification)
            .await?;
        Ok(verification)
    }

    /// The caller's organization's latest recorded verification (`audit_logs:read`), if any.
    pub async fn chain_status(
        &self,
        caller: &Access,
    ) -> Result<Option<ChainVerification>, ApiError> {
        caller.require(Permission::AuditLogsRead)?;
        Ok(self
            .stores
            .identity
            .last_chain_verification(caller.org_id)
            .await?)
    }

    /// Walks the chain up to the head as it was when the walk began (later appends are left for
    /// the next verification); answers the walk, or the walk so far and the first break.
    async fn walk_chain(
        &self,
        org_id: i64,
        progress: VerifyProgress<'_>,
    ) -> Result<Result<Walk, (Walk, Break)>, ApiError> {
        let events = &self.stores.events;
        let head = events
            .chain_head(org_id)
            .await?
            .ok_or_else(|| ApiError::not_found("organization"))?;
        let total = u64::try_from(head.seq - head.purged).unwrap_or(0);
        let verifier = self.checkpoints.signer.verifier();
        let mut walk = self.walk_start(org_id, &head).await?;
        let mut after = walk.last_seq;
        let mut hashing: Option<tokio::task::JoinHandle<Vec<Checked>>> = None;
        loop {
            let links = events.chain_links(org_id, after, head.seq, CHUNK).await?;
            if let Some(task) = hashing.take() {
                let checked = task.await.map_err(|e| {
                    tracing::error!(error = %e, "chain hashing task failed");
                    ApiError::internal()
                })?;
                let through = checked.last().map_or(0, |c| c.seq.max(0) as u64);
                let checkpoints = self
                    .stores
                    .proofs
                    .checkpoints_in(org_id, walk.tree.size(), through)
                    .await?;
                let mut checkpoints = checkpoints.iter().peekable();
                for link in &checked {
                    if let Err(broken) = walk.step(link) {
                        return Ok(Err((walk, broken)));
                    }
                    let size = walk.tree.size();
                    while let Some(checkpoint) = checkpoints.next_if(|c| c.tree_size <= size) {
                        if let Err(broken) = walk.meet(checkpoint, &verifier) {
                            return Ok(Err((walk, broken)));
                        }
                    }
                }
                progress(walk.checked, total);
            }
            let Some(last) = links.last() else { break };
            after = last.seq;
            hashing = Some(tokio::task::spawn_blocking(move || {
                links.into_iter().map(Checked::from).collect()
            }));
        }
        match walk.finish(&head) {
            Ok(()) => Ok(Ok(walk)),
            Err(broken) => Ok(Err((walk, broken))),
        }
    }
}

impl Services {
    /// Where a walk starts: at the genesis hash, or after the events retention purged, linked
    /// to the last purged event's hash with the tree of the purged events rebuilt from its
    /// stored subtrees (a purge ends on a multiple of 16 leaves, whose subtrees are all kept).
    async fn walk_start(&self, org_id: i64, head: &TalliedHead) -> Result<Walk, ApiError> {
        let (Ok(purged @ 1..), Some(anchor)) = (u64::try_from(head.purged), &head.purged_hash)
        else {
            return Ok(Walk::default());
        };
        let parts = Frontier::parts(purged);
        let hashes = self.stores.proofs.subtree_hashes(org_id, &parts).await?;
        let tree = Frontier::from_parts(purged, hashes).map_err(|e| {
            tracing::error!(org_id, error = %e, "the purged events' tree cannot be rebuilt");
            ApiError::internal()
        })?;
        Ok(Walk {
            checked: 0,
            last_seq: head.purged,
            last_hash: anchor.clone(),
            tree,
        })
    }
}

/// A stored event with its hash recomputed, and its Merkle leaf: the CPU work, done off the
/// async threads.
struct Checked {
    seq: i64,
    hash_column: String,
    claims: Result<StoredClaims, String>,
    /// The leaf of the hash its content bears out (`None` when it has none).
    leaf: Option<Hash>,
}

impl From<ChainLink> for Checked {
    fn from(link: ChainLink) -> Self {
        let claims = chain::stored_claims(&link.data);
        let leaf = claims.as_ref().ok().and_then(|c| event_leaf(&c.hash));
        Self {
            seq: link.seq,
            claims,
            hash_column: link.hash,
            leaf,
        }
    }
}

/// Where a walk along the chain has got to.
#[derive(Debug)]
struct Walk {
    checked: u64,
    last_seq: i64,
    last_hash: String,
    /// The Merkle tree of the events walked so far.
    tree: Frontier,
}

impl Default for Walk {
    fn default() -> Self {
        Self {
            checked: 0,
            last_seq: 0,
            last_hash: chain::GENESIS.to_owned(),
            tree: Frontier::empty(),
        }
    }
}

/// The first place the chain does not hold, and why.
#[derive(Debug, PartialEq, Eq)]
struct Break {
    seq: i64,
    reason: String,
}

impl Walk {
    /// Checks the next stored event in `seq` order.
    fn step(&mut self, event: &Checked) -> Result<(), Break> {
        let expected = self.last_seq + 1;
        let broken = |seq: i64, reason: String| Err(Break { seq, reason });
        if event.seq < expected {
            return broken(event.seq, format!("event {} is stored twice", event.seq));
        }
        if event.seq > expected {
            return broken(
                expected,
                format!(
                    "event {expected} is missing: the next stored event is {}",
                    event.seq
                ),
            );
        }
        let seq = event.seq;
        let claims = match &event.claims {
            Ok(claims) => claims,
            Err(why) => return broken(seq, format!("event {seq} cannot be read: {why}")),
        };
        if claims.seq != seq {
            return broken(
                seq,
                format!(
                    "the event stored at seq {seq} records seq {}: rows were moved",
                    claims.seq
                ),
            );
        }
        if claims.prev_hash != self.last_hash {
            let before = if seq == 1 {
                "the genesis hash".to_owned()
            } else {
                format!("the hash of event {}", seq - 1)
            };
            return broken(
                seq,
                format!("event {seq} does not link to the chain: its prev_hash is not {before}"),
            );
        }
        if !claims.content_matches {
            return broken(
                seq,
                format!("event {seq} was altered: its content does not match its hash"),
            );
        }
        if claims.hash != event.hash_column {
            return broken(
                seq,
                format!("event {seq} was altered: its hash column differs from its stored hash"),
            );
        }
        let Some(leaf) = event.leaf else {
            return broken(seq, format!("event {seq} has no valid SHA-256 hash"));
        };
        self.checked += 1;
        self.last_seq = seq;
        self.last_hash.clone_from(&claims.hash);
        self.tree.push(leaf);
        Ok(())
    }

    /// Checks a signed checkpoint of the events walked so far: signed by this server's key,
    /// saying what its row says, and its root the root of the tree of those events.
    fn meet(&self, stored: &StoredCheckpoint, verifier: &NoteVerifier) -> Result<(), Break> {
        let size = stored.tree_size;
        let seq = size as i64;
        let broken = |reason: String| Err(Break { seq, reason });
        let signed = match Checkpoint::open(&stored.signed_note, verifier) {
            Ok(signed) => signed,
            Err(e) => return broken(format!("the checkpoint of {size} events is not valid: {e}")),
        };
        if signed.size != size || signed.root != stored.root_hash {
            return broken(format!(
                "the checkpoint of {size} events was altered: its signed note says otherwise"
            ));
        }
        if self.tree.size() != size || self.tree.root() != signed.root {
            return broken(format!(
                "events up to {seq} do not match the checkpoint signed at {size} events: \
                 events before it were altered, removed or reordered"
            ));
        }
        Ok(())
    }

    /// Checks that the chain head ends where the events end, and the index and its hourly
    /// tallies no further. The index catches the newest events deleted with the head rewritten
    /// to the last kept one, which the chain alone cannot show, once the indexer has passed them.
    fn finish(&self, head: &TalliedHead) -> Result<(), Break> {
        let last = self.last_seq;
        if head.seq > last {
            return Err(Break {
                seq: last + 1,
                reason: format!(
                    "events {} to {} are missing: the chain head is at {}",
                    last + 1,
                    head.seq,
                    head.seq
                ),
            });
        }
        if head.hash != self.last_hash {
            return Err(Break {
                seq: last,
                reason: format!("the chain head's hash is not the hash of event {last}"),
            });
        }
        if head.checkpointed > last {
            return Err(Break {
                seq: last + 1,
                reason: format!(
                    "a checkpoint was signed at {} events but the chain ends at event {last}: \
                     events were removed and the head rewritten",
                    head.checkpointed
                ),
            });
        }
        let indexed = head
            .indexed
            .max(head.purged + head.tallied)
            .max(head.tree_size);
        if indexed > last {
            return Err(Break {
                seq: last + 1,
                reason: format!(
                    "the hourly tallies count {} events, the index reaches event {} and the \
                     Merkle tree holds {} but the chain ends at event {last}: events were \
                     removed and the head rewritten",
                    head.tallied, head.indexed, head.tree_size
                ),
            });
        }
        if head.tallied != head.indexed - head.purged {
            return Err(Break {
                seq: (head.purged + head.tallied).min(head.indexed) + 1,
                reason: format!(
                    "the hourly tallies count {} events but the index holds events {} to {}",
                    head.tallied,
                    head.purged + 1,
                    head.indexed
                ),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::AuditEvent;

    /// `n` events sealed into a chain from the genesis hash.
    fn sealed_chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = chain::GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let at = chrono::DateTime::from_timestamp(1_735_689_600 + seq, 0).unwrap();
                let mut event = AuditEvent {
                    id: format!("event-{seq}"),
                    seq,
                    action: "user.login".into(),
                    occurred_at: at,
                    received_at: at,
                    message: format!("login {seq}"),
                    ..chain::sample::event()
                };
                chain::seal(&mut event, &prev);
                prev.clone_from(&event.hash);
                event
            })
            .collect()
    }

    fn checked(events: &[AuditEvent]) -> Vec<Checked> {
        events
            .iter()
            .map(|e| {
                Checked::from(ChainLink {
                    seq: e.seq,
                    hash: e.hash.clone(),
                    data: serde_json::to_string(e).unwrap(),
                })
            })
            .collect()
    }

    fn walk(events: &[Checked]) -> Result<Walk, Break> {
        let mut walk = Walk::default();
        events.iter().try_for_each(|e| walk.step(e))?;
        Ok(walk)
    }

    fn head_of(events: &[AuditEvent]) -> TalliedHead {
        let last = events.last().unwrap();
        TalliedHead {
            seq: last.seq,
            hash: last.hash.clone(),
            indexed: last.seq,
            tallied: last.seq,
            tree_size: last.seq,
            checkpointed: 0,
            purged: 0,
            purged_hash: None,
        }
    }

    #[test]
    fn an_untouched_chain_walks_to_its_head() {
        let events = sealed_chain(5);
        let walked = walk(&checked(&events)).unwrap();
        assert_eq!(walked.checked, 5);
        assert_eq!(walked.finish(&head_of(&events)), Ok(()));
    }

    #[test]
    fn an_edited_event_breaks_at_its_seq() {
        let mut events = sealed_chain(5);
        events[2].message = "nothing happened".into();
        let broken = walk(&checked(&events)).unwrap_err();
        assert_eq!(broken.seq, 3);
        assert!(broken.reason.contains("altered"), "{}", broken.reason);
    }

    #[test]
    fn a_resealed_edit_breaks_at_the_next_link() {
        let mut events = sealed_chain(5);
        events[2].message = "nothing happened".into();
        let prev = events[1].hash.clone();
        chain::seal(&mut events[2], &prev);
        let broken = walk(&checked(&events)).unwrap_err();
        assert_eq!(broken.seq, 4);
        assert!(broken.reason.contains("prev_hash"), "{}", broken.reason);
    }

    #[test]
    fn a_missing_event_breaks_at_its_seq() {
        let mut events = sealed_chain(5);
        events.remove(2);
        let broken = walk(&checked(&events)).unwrap_err();
        assert_eq!(broken.seq, 3);
        assert!(broken.reason.contains("missing"), "{}", broken.reason);
    }

    #[test]
    fn a_head_beyond_the_events_breaks_after_the_last_one() {
        let events = sealed_chain(5);
        let head = head_of(&events);
        let walked = walk(&checked(&events[..3])).unwrap();
        assert_eq!(walked.finish(&head).unwrap_err().seq, 4);
    }

    #[test]
    fn tallies_beyond_a_rewritten_head_break_after_it() {
        let events = sealed_chain(5);
        let mut head = head_of(&events[..3]);
        head.tallied = 5;
        let walked = walk(&checked(&events[..3])).unwrap();
        let broken = walked.finish(&head).unwrap_err();
        assert_eq!(broken.seq, 4);
        assert!(broken.reason.contains("tallies"), "{}", broken.reason);
    }
}
