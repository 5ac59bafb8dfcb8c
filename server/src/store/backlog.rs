//! How far each organization's index is behind its log, as this process sees it: the group
//! commit raises the head, the indexer the indexed position, and each indexer pass corrects both
//! from the database (where another process may have appended or indexed). Ingest consults it to
//! hold a customer back while the index is too far behind: every read scans the unindexed tail,
//! so an unbounded tail would slow every read and take the CPU the indexer needs to catch up.

use super::IndexLag;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// One organization's log head and index position.
#[derive(Clone, Copy, Default)]
struct Positions {
    head: i64,
    indexed: i64,
}

/// The index lag of every organization this process appended to or indexed.
#[derive(Default)]
pub struct IndexBacklog {
    /// Events an organization's index may be behind before ingest waits (0: never waits, as
    /// when no indexer runs in this process).
    limit: AtomicU64,
    positions: Mutex<HashMap<i64, Positions>>,
}

impl IndexBacklog {
    /// From now on, ingest waits while an organization's index is `events` or more behind.
    pub fn limit_to(&self, events: u64) {
        self.limit.store(events, Ordering::Relaxed);
    }

    /// How many events the organization's index is behind when that is over the limit.
    pub fn over_limit(&self, org_id: i64) -> Option<u64> {
        let limit = self.limit.load(Ordering::Relaxed);
        let behind = self.with(|orgs| {
            orgs.get(&org_id)
                .map_or(0, |p| (p.head - p.indexed).max(0) as u64)
        });
        (limit > 0 && behind >= limit).then_some(behind)
    }

    /// The organization's log now reaches `head`.
    pub fn appended(&self, org_id: i64, head: i64) {
        self.with(|orgs| {
            let positions = orgs.entry(org_id).or_default();
            positions.head = positions.head.max(head);
        });
    }

    /// The organization's index now reaches `indexed`.
    pub fn indexed(&self, org_id: i64, indexed: i64) {
        self.with(|orgs| {
            let positions = orgs.entry(org_id).or_default();
            positions.indexed = positions.indexed.max(indexed);
        });
    }

    /// The database's answer: `behind` lists every organization whose index is behind; every
    /// other one is caught up.
    pub fn refresh(&self, behind: &[IndexLag]) {
        self.with(|orgs| {
            for positions in orgs.values_mut() {
                positions.indexed = positions.head;
            }
            for lag in behind {
                let positions = orgs.entry(lag.org_id).or_default();
                positions.head = positions.head.max(lag.head);
                positions.indexed = lag.indexed;
            }
        });
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<i64, Positions>) -> T) -> T {
        f(&mut self.positions.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ingest_waits_only_past_the_limit_and_only_for_the_organization_behind() {
        let backlog = IndexBacklog::default();
        backlog.appended(1, 500);
        assert_eq!(backlog.over_limit(1), None, "no limit: never waits");
        backlog.limit_to(100);
        assert_eq!(backlog.over_limit(1), Some(500));
        assert_eq!(backlog.over_limit(2), None);
        backlog.indexed(1, 401);
        assert_eq!(backlog.over_limit(1), None);
        backlog.appended(1, 501);
        assert_eq!(backlog.over_limit(1), Some(100));
    }

    #[test]
    fn the_database_corrects_what_other_processes_did() {
        let backlog = IndexBacklog::default();
        backlog.limit_to(100);
        backlog.appended(1, 500);
        backlog.appended(2, 300);
        // Another process indexed organization 1 and appended to organization 2.
        backlog.refresh(&[IndexLag {
            org_id: 2,
            head: 900,
            indexed: 300,
        }]);
        assert_eq!(backlog.over_limit(1), None);
        assert_eq!(backlog.over_limit(2), Some(600));
        // A late head from before the refresh does not move it back.
        backlog.appended(2, 400);
        assert_eq!(backlog.over_limit(2), Some(600));
    }
}
