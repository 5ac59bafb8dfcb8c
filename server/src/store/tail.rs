//! Exact answers while the indexer is behind: a read asks the index (which holds every event
//! up to its position) and adds the matching events of the tail beyond it, read from the log.
//! These are the pure merges; [`super::log::tail`] reads the tail.

use app::model::{AuditEvent, Cursor};
use std::cmp::Reverse;
use std::sync::Arc;

/// The matching events above the index's position, in `seq` order.
pub struct Tail {
    /// The last `seq` the index holds.
    pub position: i64,
    /// Shared with the [`super::TailCache`]; a page copies only the events it answers.
    pub events: Vec<Arc<AuditEvent>>,
}

/// The newest-first order of lists: `occurred_at`, then `id`, descending.
fn newest_first(e: &AuditEvent) -> Reverse<(chrono::DateTime<chrono::Utc>, &str)> {
    Reverse((e.occurred_at, e.id.as_str()))
}

impl Tail {
    /// A newest-first page: the index's page merged with the tail's events after `cursor`.
    pub fn keyset(
        self,
        indexed: Vec<AuditEvent>,
        cursor: Option<&Cursor>,
        limit: u32,
    ) -> Vec<AuditEvent> {
        if self.events.is_empty() {
            return indexed;
        }
        let mut page: Vec<&AuditEvent> = self
            .events
            .iter()
            .map(|e| &**e)
            .filter(|e| {
                cursor
                    .is_none_or(|c| (e.occurred_at, e.id.as_str()) < (c.occurred_at, c.id.as_str()))
            })
            .chain(&indexed)
            .collect();
        page.sort_by(|a, b| newest_first(a).cmp(&newest_first(b)));
        page.truncate(limit as usize);
        page.into_iter().cloned().collect()
    }

    /// An oldest-`seq`-first page above `after`: the index's page (all at or below the
    /// position), then the tail's events.
    pub fn after_seq(
        self,
        mut indexed: Vec<AuditEvent>,
        after: i64,
        limit: u32,
    ) -> Vec<AuditEvent> {
        let room = (limit as usize).saturating_sub(indexed.len());
        let newer = self.events.iter().filter(|e| e.seq > after).take(room);
        indexed.extend(newer.map(|e| AuditEvent::clone(e)));
        indexed
    }

    /// How many events match: the index's count and the tail's.
    pub fn count(&self, indexed: u64) -> u64 {
        indexed + self.events.len() as u64
    }

    /// `(bucket, total, failures)` rows per `bucket_micros`, ascending: the index's rows with
    /// the tail's events added (buckets divide Unix microseconds as SQL's integer division).
    pub fn histogram(
        self,
        indexed: Vec<(i64, i64, i64)>,
        bucket_micros: i64,
    ) -> Vec<(i64, i64, i64)> {
        let mut buckets: std::collections::BTreeMap<i64, (i64, i64)> = indexed
            .into_iter()
            .map(|(bucket, total, failures)| (bucket, (total, failures)))
            .collect();
        for event in &self.events {
            let bucket = event.occurred_at.timestamp_micros() / bucket_micros;
            let row = buckets.entry(bucket).or_default();
            row.0 += 1;
            row.1 += i64::from(event.result == app::model::EventResult::Failure);
        }
        buckets
            .into_iter()
            .map(|(bucket, (total, failures))| (bucket, total, failures))
            .collect()
    }
}
