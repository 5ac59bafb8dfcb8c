//! An audit event as Auditrail stores and answers it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What kind of principal performed an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActorType {
    User,
    ApiKey,
    ServiceAccount,
    System,
}

impl ActorType {
    /// The wire name (`user`, `api_key`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::ApiKey => "api_key",
            Self::ServiceAccount => "service_account",
            Self::System => "system",
        }
    }
}

/// Who performed the action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Actor {
    #[serde(rename = "type")]
    pub kind: ActorType,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The actor id of Auditrail itself (with type `system`): reserved, ingest refuses it.
pub const AUDITRAIL_ACTOR_ID: &str = "auditrail";

impl Actor {
    /// Whether this is Auditrail's own reserved actor, which only Auditrail may record.
    pub fn is_reserved(&self) -> bool {
        self.kind == ActorType::System && self.id.eq_ignore_ascii_case(AUDITRAIL_ACTOR_ID)
    }

    /// How the actor is shown and matched: the email, `api-key:<name>`, or `system`.
    pub fn label(&self) -> String {
        match self.kind {
            ActorType::System => "system".to_owned(),
            ActorType::ApiKey => format!("api-key:{}", self.name.as_deref().unwrap_or(&self.id)),
            ActorType::User | ActorType::ServiceAccount => self
                .email
                .clone()
                .or_else(|| self.name.clone())
                .unwrap_or_else(|| self.id.clone()),
        }
    }
}

/// A resource the action affected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Target {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Target {
    /// How the target is shown: its name, else its id.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}

/// Where and how the action happened.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EventContext {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Whether the action succeeded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventResult {
    #[default]
    Success,
    Failure,
}

impl EventResult {
    /// The wire name (`success` or `failure`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }
}

/// One changed field: its value before and after the action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub field: String,
    #[serde(default)]
    pub before: serde_json::Value,
    #[serde(default)]
    pub after: serde_json::Value,
}

/// Who handed an event to Auditrail; part of the hashed event, so it cannot be changed later.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventSource {
    /// Posted with an API key (`key_<id>`), named as it was when the event arrived.
    ApiKey { id: String, name: String },
    /// Recorded by Auditrail itself: its own security actions.
    Auditrail,
    /// Written by an operator command (`auditrail seed`).
    Operator,
}

impl EventSource {
    /// How the source is shown: "API key Backend", "Auditrail", "operator".
    pub fn label(&self) -> String {
        match self {
            Self::ApiKey { name, .. } => format!("API key {name}"),
            Self::Auditrail => "Auditrail".to_owned(),
            Self::Operator => "operator command".to_owned(),
        }
    }
}

/// A stored, append-only audit event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    /// Server-assigned UUIDv7.
    pub id: String,
    /// Per-organization sequence number, from 1.
    pub seq: i64,
    pub action: String,
    pub category: String,
    pub occurred_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub actor: Actor,
    pub targets: Vec<Target>,
    pub context: EventContext,
    pub result: EventResult,
    pub details: serde_json::Map<String, serde_json::Value>,
    pub changes: Vec<Change>,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// Who handed the event in (absent on events stored before sources were recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<EventSource>,
    pub prev_hash: String,
    pub hash: String,
}
