//! The tamper-evidence chain: `hash = SHA-256(prev_hash ‖ canonical JSON of the event)`, where
//! the canonical JSON is the event without its `prev_hash` and `hash`, keys sorted.

use app::model::AuditEvent;
use sha2::{Digest, Sha256};

/// The `prev_hash` of an organization's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The event's hash given the hash before it.
pub fn link_hash(prev_hash: &str, event: &AuditEvent) -> String {
    let mut fields = match serde_json::to_value(event) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    fields.remove("prev_hash");
    fields.remove("hash");
    let canonical = serde_json::Value::Object(fields).to_string();
    let mut digest = Sha256::new();
    digest.update(prev_hash.as_bytes());
    digest.update(canonical.as_bytes());
    hex::encode(digest.finalize())
}

/// Links `event` after `prev_hash`: sets its `prev_hash` and `hash`.
pub fn seal(event: &mut AuditEvent, prev_hash: &str) {
    event.prev_hash = prev_hash.to_owned();
    event.hash = link_hash(prev_hash, event);
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::{Actor, ActorType, EventContext, EventResult};

    fn event() -> AuditEvent {
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
        e.details.insert("zeta".into(), serde_json::json!({"y": 1, "b": [true]}));
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
}
