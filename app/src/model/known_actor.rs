//! An actor the organization's log has seen, offered by the actor filter's typeahead.

use super::event::ActorType;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How many suggestions the typeahead asks for at most.
pub const MAX_ACTOR_SUGGESTIONS: u32 = 20;

/// One actor of the log: the value the `actor` filter takes for it and how much it did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownActor {
    /// What the filter matches: the email, `api-key:<name>` or `system` (see [`super::Actor::label`]),
    /// lower-cased.
    pub label: String,
    #[serde(rename = "type")]
    pub kind: ActorType,
    /// Events recorded with this actor.
    pub events: u64,
    /// When its newest event occurred.
    pub last_seen: DateTime<Utc>,
}
