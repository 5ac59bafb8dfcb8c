//! The `actors` table: every actor an organization's log has seen, with how many events it has
//! and when it was last seen. Each append adds its batch's tallies in the same transaction; the
//! actor filter's typeahead reads it. The SQL that is the same on both databases lives here.

use super::filter_sql::like_contains;
use super::{StoreError, StoreResult};
use app::model::{ActorType, AuditEvent, KnownActor};
use chrono::{TimeZone, Utc};
use std::collections::BTreeMap;

/// The typeahead's read: labels containing `$2` (a `LIKE` pattern), most active first.
pub const KNOWN_ACTORS_SQL: &str = "SELECT label, actor_type, event_count, last_seen FROM actors
     WHERE org_id = $1 AND label LIKE $2 ESCAPE '\\'
     ORDER BY event_count DESC, label LIMIT $3";

/// One actor's share of a batch.
pub struct ActorTally {
    /// The lower-cased label, as `events.actor_label`.
    pub label: String,
    pub actor_type: &'static str,
    pub events: i64,
    /// Unix microseconds of its newest event in the batch.
    pub last_seen: i64,
}

/// The tallies of the events a batch appends, one per actor.
#[derive(Default)]
pub struct ActorTallies(BTreeMap<String, ActorTally>);

impl ActorTallies {
    /// Counts one newly appended event.
    pub fn add(&mut self, event: &AuditEvent) {
        let label = event.actor.label().to_lowercase();
        let at = event.occurred_at.timestamp_micros();
        let tally = self.0.entry(label.clone()).or_insert(ActorTally {
            label,
            actor_type: event.actor.kind.as_str(),
            events: 0,
            last_seen: at,
        });
        tally.events += 1;
        tally.last_seen = tally.last_seen.max(at);
    }

    /// The tallies, one per actor.
    pub fn into_rows(self) -> impl Iterator<Item = ActorTally> {
        self.0.into_values()
    }
}

/// The `LIKE` pattern for labels containing `text`, case-insensitively.
pub fn contains_pattern(text: &str) -> String {
    like_contains(&text.trim().to_lowercase())
}

/// A row of [`KNOWN_ACTORS_SQL`] as the API answers it.
pub fn known_actor(
    (label, actor_type, events, last_seen): (String, String, i64, i64),
) -> StoreResult<KnownActor> {
    let kind = [
        ActorType::User,
        ActorType::ApiKey,
        ActorType::ServiceAccount,
        ActorType::System,
    ]
    .into_iter()
    .find(|k| k.as_str() == actor_type)
    .ok_or_else(|| StoreError::Corrupt(format!("actor type {actor_type}")))?;
    let last_seen = Utc
        .timestamp_micros(last_seen)
        .single()
        .ok_or_else(|| StoreError::Corrupt(format!("time {last_seen}")))?;
    Ok(KnownActor {
        label,
        kind,
        events: u64::try_from(events).unwrap_or(0),
        last_seen,
    })
}
