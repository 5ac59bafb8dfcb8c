//! What each append adds to the `actors` table (every actor an organization's log has seen,
//! with how many events it has and when it was last seen), summed per actor in the batch. The
//! typeahead reads the table through [`super::IdentityStore::known_actors`].

use app::model::AuditEvent;
use std::collections::BTreeMap;

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
