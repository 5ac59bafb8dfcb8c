//! The tamper-evidence chain: `hash = SHA-256(prev_hash ‖ canonical JSON of the event)`, where
//! the canonical JSON is the event without its `prev_hash` and `hash`, keys sorted.

use app::model::AuditEvent;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The `prev_hash` of an organization's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The event's hash given the hash before it.
pub fn link_hash(prev_hash: &str, event: &AuditEvent) -> String {
    let fields = match serde_json::to_value(event) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    hash_fields(prev_hash, fields)
}

/// `SHA-256(prev_hash ‖ canonical JSON of fields)`, where the canonical JSON leaves out
/// `prev_hash` and `hash`.
fn hash_fields(prev_hash: &str, mut fields: Map<String, Value>) -> String {
    fields.remove("prev_hash");
    fields.remove("hash");
    let canonical = Value::Object(fields).to_string();
    let mut digest = Sha256::new();
    digest.update(prev_hash.as_bytes());
    digest.update(canonical.as_bytes());
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
/// decoded [`AuditEvent`], which would drop fields added behind Auditrail's back).
pub fn stored_claims(data: &str) -> Result<StoredClaims, String> {
    let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(data) else {
        return Err("its stored JSON is not an object".into());
    };
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
    let content_matches = hash_fields(&prev_hash, fields) == hash;
    Ok(StoredClaims {
        seq,
        prev_hash,
        hash,
        content_matches,
    })
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
        let stored = serde_json::to_string(&sealed).unwrap();
        let claims = stored_claims(&stored).unwrap();
        assert!(claims.content_matches);
        assert_eq!((claims.seq, claims.hash), (1, sealed.hash.clone()));
        assert_eq!(claims.prev_hash, GENESIS);
        let edited = stored.replace("alice@acme.com", "mallory@acme.com");
        assert!(!stored_claims(&edited).unwrap().content_matches);
        assert!(stored_claims("[1]").is_err());
    }
}
