//! The ingest input: one event as an application posts it, and its validation.

use super::event::{Actor, Change, EventContext, EventResult, Target};
use chrono::{DateTime, Datelike, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Longest accepted action key.
pub const MAX_ACTION_LEN: usize = 128;
/// Largest accepted `details` object, serialised.
pub const MAX_DETAILS_BYTES: usize = 16 * 1024;
/// How far in the future `occurred_at` may be (clock skew allowance), in minutes.
pub const MAX_FUTURE_SKEW_MINUTES: i64 = 5;
/// Earliest year `occurred_at` may fall in: the Unix epoch, where every filter's dates start.
pub const MIN_EVENT_YEAR: i32 = 1970;
/// Longest accepted free-text field (ids, names, emails, user agents, idempotency keys).
pub const MAX_TEXT_LEN: usize = 1024;
/// Most targets one event may name.
pub const MAX_TARGETS: usize = 64;
/// Most changes one event may carry.
pub const MAX_CHANGES: usize = 256;
/// Largest accepted `changes` array, serialised: the same budget as `details`, so that no
/// `before`/`after` value can carry what `details` may not.
pub const MAX_CHANGES_BYTES: usize = MAX_DETAILS_BYTES;

/// One event as posted to `POST /api/v1/events`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    #[cfg_attr(feature = "ssr", schema(pattern = r"^[A-Za-z0-9_.:-]{1,128}$"))]
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(pattern = r"^[A-Za-z0-9_.:-]{1,128}$"))]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<DateTime<Utc>>,
    pub actor: Actor,
    #[serde(default)]
    pub targets: Vec<Target>,
    #[serde(default)]
    pub context: EventContext,
    #[serde(default)]
    pub result: EventResult,
    #[serde(default)]
    pub details: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub changes: Vec<Change>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
}

/// Why an event was rejected: the field (dotted path) and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    pub field: String,
    pub reason: String,
}

impl ValidationError {
    fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// True for a valid action key: `[A-Za-z0-9_.:-]{1,128}`.
pub fn is_valid_action(action: &str) -> bool {
    (1..=MAX_ACTION_LEN).contains(&action.len())
        && action
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
}

fn check_text(field: &str, value: &str, required: bool) -> Result<(), ValidationError> {
    if required && value.trim().is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if value.len() > MAX_TEXT_LEN {
        return Err(ValidationError::new(
            field,
            format!("must be at most {MAX_TEXT_LEN} bytes"),
        ));
    }
    if value.contains('\0') {
        return Err(ValidationError::new(field, NO_NUL));
    }
    Ok(())
}

/// Why text with a NUL character is refused (PostgreSQL cannot store one).
const NO_NUL: &str = "must not contain NUL characters";

/// Whether a JSON value holds a NUL character in any string or key.
fn holds_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(text) => text.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(holds_nul),
        serde_json::Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

fn check_optional(field: &str, value: &Option<String>) -> Result<(), ValidationError> {
    value
        .as_deref()
        .map_or(Ok(()), |v| check_text(field, v, true))
}

impl NewEvent {
    /// Checks every rule SPEC sets for an ingested event; `now` is the receipt time.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(), ValidationError> {
        if !is_valid_action(&self.action) {
            return Err(ValidationError::new(
                "action",
                "must be 1-128 characters of A-Z a-z 0-9 _ . : -",
            ));
        }
        if let Some(category) = &self.category {
            if !is_valid_action(category) {
                return Err(ValidationError::new(
                    "category",
                    "must be 1-128 characters of A-Z a-z 0-9 _ . : -",
                ));
            }
        }
        if let Some(at) = self.occurred_at {
            if at > now + Duration::minutes(MAX_FUTURE_SKEW_MINUTES) {
                return Err(ValidationError::new(
                    "occurred_at",
                    "must not be more than 5 minutes in the future",
                ));
            }
            if at.year() < MIN_EVENT_YEAR {
                return Err(ValidationError::new(
                    "occurred_at",
                    format!("must be in {MIN_EVENT_YEAR} or later"),
                ));
            }
        }
        check_text("actor.id", &self.actor.id, true)?;
        check_optional("actor.email", &self.actor.email)?;
        check_optional("actor.name", &self.actor.name)?;
        if self.targets.len() > MAX_TARGETS {
            return Err(ValidationError::new(
                "targets",
                format!("must name at most {MAX_TARGETS} targets"),
            ));
        }
        for (i, target) in self.targets.iter().enumerate() {
            check_text(&format!("targets[{i}].type"), &target.kind, true)?;
            check_text(&format!("targets[{i}].id"), &target.id, true)?;
            check_optional(&format!("targets[{i}].name"), &target.name)?;
        }
        self.validate_context()?;
        if serde_json::to_vec(&self.details).map_or(usize::MAX, |b| b.len()) > MAX_DETAILS_BYTES {
            return Err(ValidationError::new("details", "must be at most 16 KiB"));
        }
        if self
            .details
            .iter()
            .any(|(k, v)| k.contains('\0') || holds_nul(v))
        {
            return Err(ValidationError::new("details", NO_NUL));
        }
        self.validate_changes()?;
        check_optional("idempotency_key", &self.idempotency_key)
    }

    /// Checks the count, each field name, and the serialised size of the changes taken
    /// together; the change that brings the size past [`MAX_CHANGES_BYTES`] is named.
    fn validate_changes(&self) -> Result<(), ValidationError> {
        if self.changes.len() > MAX_CHANGES {
            return Err(ValidationError::new(
                "changes",
                format!("must hold at most {MAX_CHANGES} changes"),
            ));
        }
        // `[` then each change followed by `,` or `]`: the array's exact serialised size.
        let mut bytes: usize = 1;
        for (i, change) in self.changes.iter().enumerate() {
            check_text(&format!("changes[{i}].field"), &change.field, true)?;
            if holds_nul(&change.before) || holds_nul(&change.after) {
                return Err(ValidationError::new(format!("changes[{i}]"), NO_NUL));
            }
            let size = serde_json::to_vec(change).map_or(usize::MAX, |b| b.len());
            bytes = bytes.saturating_add(size).saturating_add(1);
            if bytes > MAX_CHANGES_BYTES {
                return Err(ValidationError::new(
                    format!("changes[{i}]"),
                    format!(
                        "changes must be at most {} KiB together",
                        MAX_CHANGES_BYTES / 1024
                    ),
                ));
            }
        }
        Ok(())
    }

    fn validate_context(&self) -> Result<(), ValidationError> {
        let c = &self.context;
        if let Some(ip) = &c.ip {
            if ip.parse::<std::net::IpAddr>().is_err() {
                return Err(ValidationError::new(
                    "context.ip",
                    "must be an IPv4 or IPv6 address",
                ));
            }
        }
        check_optional("context.user_agent", &c.user_agent)?;
        check_optional("context.location", &c.location)?;
        check_optional("context.device_id", &c.device_id)?;
        check_optional("context.environment", &c.environment)?;
        check_optional("context.version", &c.version)?;
        check_optional("context.request_id", &c.request_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ActorType;

    fn event() -> NewEvent {
        serde_json::from_value(serde_json::json!({
            "action": "user.invited",
            "actor": {"type": "user", "id": "u_1", "email": "alice@acme.com"},
            "targets": [{"type": "user", "id": "u_2", "name": "bob@acme.com"}],
            "context": {"ip": "10.0.0.1"}
        }))
        .unwrap()
    }

    fn field_of(e: &NewEvent) -> String {
        e.validate(Utc::now()).unwrap_err().field
    }

    #[test]
    fn accepts_a_complete_event_with_defaults() {
        let e = event();
        assert_eq!(e.validate(Utc::now()), Ok(()));
        assert_eq!(e.result, EventResult::Success);
        assert_eq!(e.actor.kind, ActorType::User);
    }

    #[test]
    fn rejects_actions_outside_the_allowed_alphabet_or_length() {
        for bad in ["", "user invited", "user/invited", &"a".repeat(129), "é"] {
            let mut e = event();
            e.action = bad.to_owned();
            assert_eq!(field_of(&e), "action", "{bad:?}");
        }
        assert!(is_valid_action("SECRET_READ"));
        assert!(is_valid_action(
            "org.service-account.access-key.regenerated"
        ));
        assert!(is_valid_action("a:b"));
    }

    #[test]
    fn rejects_occurred_at_more_than_five_minutes_ahead() {
        let mut e = event();
        let now = Utc::now();
        e.occurred_at = Some(now + Duration::minutes(4));
        assert_eq!(e.validate(now), Ok(()));
        e.occurred_at = Some(now + Duration::minutes(6));
        assert_eq!(field_of(&e), "occurred_at");
    }

    #[test]
    fn rejects_bad_ip_empty_ids_and_oversized_details() {
        let mut e = event();
        e.context.ip = Some("10.0.0.300".into());
        assert_eq!(field_of(&e), "context.ip");

        let mut e = event();
        e.actor.id = " ".into();
        assert_eq!(field_of(&e), "actor.id");

        let mut e = event();
        e.targets[0].id = String::new();
        assert_eq!(field_of(&e), "targets[0].id");

        let mut e = event();
        e.details
            .insert("blob".into(), serde_json::Value::String("x".repeat(17_000)));
        assert_eq!(field_of(&e), "details");
    }

    #[test]
    fn a_nul_character_anywhere_is_refused_naming_its_field() {
        let mut e = event();
        e.actor.id = "u\0".into();
        assert_eq!(field_of(&e), "actor.id");
        let mut e = event();
        e.details
            .insert("k".into(), serde_json::json!({"deep": ["\u{0}"]}));
        assert_eq!(field_of(&e), "details");
        let mut e = event();
        e.changes = vec![serde_json::from_value(
            serde_json::json!({"field": "role", "before": "a", "after": "b\u{0}"}),
        )
        .unwrap()];
        assert_eq!(field_of(&e), "changes[0]");
        let mut e = event();
        e.details.insert(
            "text".into(),
            serde_json::json!("a literal \\u0000 is fine"),
        );
        assert_eq!(e.validate(Utc::now()), Ok(()));
    }

    #[test]
    fn rejects_occurred_at_before_1970() {
        let mut e = event();
        let epoch = DateTime::UNIX_EPOCH;
        e.occurred_at = Some(epoch);
        assert_eq!(e.validate(Utc::now()), Ok(()));
        e.occurred_at = Some(epoch - Duration::microseconds(1));
        assert_eq!(field_of(&e), "occurred_at");
    }

    #[test]
    fn a_change_names_a_field_no_longer_than_other_text() {
        let mut e = event();
        e.changes = vec![serde_json::from_value(serde_json::json!({"field": "role"})).unwrap()];
        e.changes[0].field = "f".repeat(MAX_TEXT_LEN);
        assert_eq!(e.validate(Utc::now()), Ok(()));
        e.changes[0].field.push('f');
        assert_eq!(field_of(&e), "changes[0].field");
    }

    #[test]
    fn changes_take_sixteen_kib_together_and_the_one_past_it_is_named() {
        let mut e = event();
        e.changes = serde_json::from_value(serde_json::json!([
            {"field": "role", "before": "viewer", "after": "admin"},
            {"field": "note", "before": "", "after": null},
        ]))
        .unwrap();
        let size = serde_json::to_vec(&e.changes).unwrap().len();
        e.changes[1].before = "x".repeat(MAX_CHANGES_BYTES - size).into();
        assert_eq!(
            serde_json::to_vec(&e.changes).unwrap().len(),
            MAX_CHANGES_BYTES
        );
        assert_eq!(e.validate(Utc::now()), Ok(()));
        e.changes[1].before = "x".repeat(MAX_CHANGES_BYTES - size + 1).into();
        assert_eq!(field_of(&e), "changes[1]");
    }

    #[test]
    fn unknown_fields_are_refused_by_deserialisation() {
        let r: Result<NewEvent, _> = serde_json::from_value(serde_json::json!({
            "action": "a", "actor": {"type": "user", "id": "u"}, "colour": "red"
        }));
        assert!(r.is_err());
        let r: Result<NewEvent, _> = serde_json::from_value(serde_json::json!({
            "action": "a", "actor": {"type": "robot", "id": "u"}
        }));
        assert!(r.is_err());
    }
}
