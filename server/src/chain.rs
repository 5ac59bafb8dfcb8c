//! The tamper-evidence chain: `hash = SHA-256(prev_hash ‖ canonical JSON of the event)`, where
//! the canonical JSON is the event without its `prev_hash` and `hash`, keys sorted. An event is
//! stored in the same canonical form with those two members in their place, so verification
//! hashes its stored bytes as they are ([`sealed`]); events stored otherwise (before this form)
//! are parsed and written out canonically again.

mod sealed;

use crate::store::{EventDraft, StoreError, StoreResult};
use app::model::AuditEvent;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The `prev_hash` of an organization's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The event's hash given the hash before it.
pub fn link_hash(prev_hash: &str, event: &AuditEvent) -> String {
    hash_fields(prev_hash, &canonical_fields(event))
}

/// The event's JSON object (keys sorted) without `prev_hash` and `hash`.
fn canonical_fields(event: &AuditEvent) -> Value {
    let mut fields = match serde_json::to_value(event) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    fields.remove("prev_hash");
    fields.remove("hash");
    Value::Object(fields)
}

/// `SHA-256(prev_hash ‖ canonical JSON of fields)`.
fn hash_fields(prev_hash: &str, fields: &Value) -> String {
    let mut digest = Sha256::new();
    digest.update(prev_hash.as_bytes());
    // Written straight into the hash: the bytes of `Value::to_string`, without building them.
    if serde_json::to_writer(&mut digest, fields).is_err() {
        // Never: a `Value` always serialises, and the hash never fails to take bytes. An
        // empty hash matches no stored one.
        return String::new();
    }
    hex::encode(digest.finalize())
}

/// What a stored event (its API JSON) says about its place in the chain, and whether its
/// content bears out its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredClaims {
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
    /// Whether the hash recomputed from the stored fields and `prev_hash` equals `hash`.
    pub content_matches: bool,
}

/// Reads a stored event's claims, recomputing its hash from the stored JSON itself (not from a
/// decoded [`AuditEvent`], which would drop fields added behind Auditrail's back): from its
/// bytes as they are when it is stored sealed, else from its fields written out canonically.
pub fn stored_claims(data: &str) -> Result<StoredClaims, String> {
    if let Some(claims) = sealed::sealed_claims(data).filter(|c| c.content_matches) {
        return Ok(claims);
    }
    let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(data) else {
        return Err("its stored JSON is not an object".into());
    };
    claims(fields)
}

/// What an event's JSON fields say about its place in the chain, with its hash recomputed from
/// them (as [`stored_claims`], for JSON already parsed).
pub fn claims(fields: Map<String, Value>) -> Result<StoredClaims, String> {
    let text = |name: &str| {
        fields
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("its stored JSON has no {name}"))
    };
    let (prev_hash, hash) = (text("prev_hash")?, text("hash")?);
    let seq = fields
        .get("seq")
        .and_then(Value::as_i64)
        .ok_or("its stored JSON has no seq")?;
    let mut fields = fields;
    fields.remove("prev_hash");
    fields.remove("hash");
    let content_matches = hash_fields(&prev_hash, &Value::Object(fields)) == hash;
    Ok(StoredClaims {
        seq,
        prev_hash,
        hash,
        content_matches,
    })
}

/// Links `event` after `prev_hash`: sets its `prev_hash` and `hash`; answers the text to store,
/// the canonical JSON with both in their place.
pub fn seal(event: &mut AuditEvent, prev_hash: &str) -> String {
    event.prev_hash = prev_hash.to_owned();
    let fields = canonical_fields(event);
    event.hash = hash_fields(prev_hash, &fields);
    let Value::Object(mut fields) = fields else {
        unreachable!("canonical fields are an object")
    };
    fields.insert("prev_hash".into(), event.prev_hash.clone().into());
    fields.insert("hash".into(), event.hash.clone().into());
    Value::Object(fields).to_string()
}

/// Where an organization's chain stands: its last `seq` (0 before the first event) and that
/// event's hash ([`GENESIS`] before the first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

impl ChainHead {
    /// The head of an empty chain.
    pub fn genesis() -> Self {
        Self {
            seq: 0,
            hash: GENESIS.to_owned(),
        }
    }
}

/// The originals of events whose idempotency keys were stored before: key → (content hash of
/// the event as posted, the stored event).
pub type Originals = HashMap<String, (Option<String>, AuditEvent)>;

/// A batch linked after a head: what each draft became, in input order, and the new head.
pub struct LinkedBatch {
    /// The stored events to answer, in input order: new ones and originals of retries.
    pub events: Vec<AuditEvent>,
    /// Which of `events` are new (to insert), with their content hashes (kept with an
    /// idempotency key) and the text to store.
    pub new: Vec<(usize, Option<String>, String)>,
    pub head: ChainHead,
}

/// Links a batch into a chain after `head`, the one rule both databases persist. A draft whose
/// idempotency key is in `originals`, or was used earlier in the batch, yields the original
/// event when its content is the same and a conflict naming its index when not. Every other
/// draft gets the next `seq`, `received_at` and its hash.
pub fn link(
    head: ChainHead,
    batch: Vec<EventDraft>,
    mut originals: Originals,
    received_at: DateTime<Utc>,
) -> StoreResult<LinkedBatch> {
    let ChainHead { mut seq, mut hash } = head;
    let mut events = Vec::with_capacity(batch.len());
    let mut new = Vec::new();
    for (index, draft) in batch.into_iter().enumerate() {
        if let Some(key) = &draft.event.idempotency_key {
            if let Some((content_hash, original)) = originals.get(key) {
                if *content_hash != draft.content_hash {
                    return Err(StoreError::IdempotencyConflict { index });
                }
                events.push(original.clone());
                continue;
            }
        }
        let mut event = draft.event;
        seq += 1;
        event.seq = seq;
        event.received_at = received_at;
        let stored = seal(&mut event, &hash);
        hash.clone_from(&event.hash);
        if let Some(key) = &event.idempotency_key {
            originals.insert(key.clone(), (draft.content_hash.clone(), event.clone()));
        }
        new.push((events.len(), draft.content_hash, stored));
        events.push(event);
    }
    Ok(LinkedBatch {
        events,
        new,
        head: ChainHead { seq, hash },
    })
}

/// An unsealed event for tests, to be varied with struct update syntax.
#[cfg(test)]
pub(crate) mod sample {
    use app::model::{Actor, ActorType, AuditEvent, EventContext, EventResult};

    /// `user.invited` by alice@acme.com, seq 1, on 2025-01-01.
    pub fn event() -> AuditEvent {
        AuditEvent {
            id: "0193f1a0-0000-7000-8000-000000000001".into(),
            seq: 1,
            action: "user.invited".into(),
            category: "user".into(),
            occurred_at: chrono::DateTime::from_timestamp(1_735_689_600, 0).unwrap(),
            received_at: chrono::DateTime::from_timestamp(1_735_689_601, 0).unwrap(),
            actor: Actor {
                kind: ActorType::User,
                id: "u1".into(),
                email: Some("alice@acme.com".into()),
                name: None,
            },
            targets: vec![],
            context: EventContext::default(),
            result: EventResult::Success,
            details: serde_json::Map::new(),
            changes: vec![],
            message: "m".into(),
            idempotency_key: None,
            source: None,
            prev_hash: String::new(),
            hash: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sample::event;
    use super::*;

    fn draft(key: Option<&str>, content: &str) -> EventDraft {
        EventDraft {
            event: AuditEvent {
                idempotency_key: key.map(str::to_owned),
                ..event()
            },
            content_hash: Some(content.into()),
        }
    }

    #[test]
    fn a_batch_links_in_order_and_retries_yield_their_originals() {
        let now = chrono::DateTime::from_timestamp(1_735_689_700, 0).unwrap();
        let first = link(
            ChainHead::genesis(),
            vec![draft(None, "a"), draft(Some("k"), "b")],
            Originals::new(),
            now,
        )
        .unwrap();
        assert_eq!(first.head.seq, 2);
        assert_eq!(first.events[1].prev_hash, first.events[0].hash);
        assert_eq!(first.head.hash, first.events[1].hash);
        assert_eq!(first.new.len(), 2);
        let mut originals = Originals::new();
        originals.insert("k".into(), (Some("b".into()), first.events[1].clone()));
        let retry = link(
            first.head.clone(),
            vec![
                draft(Some("k"), "b"),
                draft(Some("j"), "c"),
                draft(Some("j"), "c"),
            ],
            originals.clone(),
            now,
        )
        .unwrap();
        assert_eq!(
            retry.events[0], first.events[1],
            "a retry yields the original"
        );
        assert_eq!(
            retry.events[1], retry.events[2],
            "a key twice in a batch is one event"
        );
        assert_eq!((retry.head.seq, retry.new.len()), (3, 1));
        assert_eq!(retry.events[1].prev_hash, first.head.hash);
        let conflict = link(
            first.head,
            vec![draft(None, "d"), draft(Some("k"), "other")],
            originals,
            now,
        );
        assert!(matches!(
            conflict,
            Err(StoreError::IdempotencyConflict { index: 1 })
        ));
    }

    #[test]
    fn sealing_is_deterministic_and_ignores_the_hash_fields() {
        let mut a = event();
        seal(&mut a, GENESIS);
        let mut b = event();
        b.hash = "whatever".into();
        seal(&mut b, GENESIS);
        assert_eq!(a.hash, b.hash);
        assert_eq!(a.hash.len(), 64);
        assert_eq!(link_hash(&a.prev_hash, &a), a.hash);
    }

    /// The canonical serialisation is the chain's contract with every verifier: keys sorted at
    /// every depth, whatever order they were given in. This pins it. A serde_json
    /// `preserve_order` feature turned on anywhere in the workspace (maps would keep insertion
    /// order) changes the hash and fails here. The expected value was computed independently:
    /// Python's `json.dumps(event, sort_keys=True, separators=(",", ":"))` after 64 zeros.
    #[test]
    fn the_canonical_form_and_its_hash_are_pinned() {
        let mut e = event();
        e.details
            .insert("zeta".into(), serde_json::json!({"y": 1, "b": [true]}));
        e.details.insert("alpha".into(), serde_json::json!("first"));
        e.source = Some(app::model::EventSource::Auditrail);
        seal(&mut e, GENESIS);
        assert_eq!(
            e.hash,
            "e9cb84e34abd2dc9f12b947f99a6a9767acf00cb769fb1a351a67edd6f031122"
        );
    }

    #[test]
    fn any_change_to_the_event_or_its_predecessor_changes_the_hash() {
        let mut base = event();
        seal(&mut base, GENESIS);
        let mut altered = base.clone();
        altered.actor.email = Some("mallory@acme.com".into());
        assert_ne!(link_hash(GENESIS, &altered), base.hash);
        assert_ne!(link_hash(&"1".repeat(64), &base), base.hash);
    }

    #[test]
    fn stored_claims_of_a_sealed_event_match_and_an_edit_does_not() {
        let mut sealed = event();
        sealed
            .details
            .insert("ratio".into(), serde_json::json!(0.1));
        seal(&mut sealed, GENESIS);
        let canonical = seal(&mut sealed, GENESIS);
        // Stored sealed (its bytes hashed as they are), or in another key order (as events
        // were stored before the sealed form: parsed and written out canonically).
        let in_field_order = serde_json::to_string(&sealed).unwrap();
        assert_ne!(canonical, in_field_order);
        for stored in [canonical, in_field_order] {
            let claims = stored_claims(&stored).unwrap();
            assert!(claims.content_matches, "{stored}");
            assert_eq!((claims.seq, &claims.hash), (1, &sealed.hash));
            assert_eq!(claims.prev_hash, GENESIS);
            let edited = stored.replace("alice@acme.com", "mallory@acme.com");
            assert!(!stored_claims(&edited).unwrap().content_matches);
        }
        assert!(stored_claims("[1]").is_err());
    }

    #[test]
    fn the_stored_text_is_the_event_with_its_link() {
        let mut e = event();
        let stored = seal(&mut e, GENESIS);
        let decoded: AuditEvent = serde_json::from_str(&stored).unwrap();
        assert_eq!(decoded, e);
    }
}
