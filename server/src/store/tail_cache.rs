//! The decoded events beyond the index's position, kept between reads. Every list, count and
//! histogram adds the matching events of the unindexed tail to the index's answer (see
//! [`super::tail`]); without this each read would decode the whole tail again, so under a steady
//! ingest the reads' work grew with the indexer's lag and took the CPU the indexer needed to
//! catch up. Each event is decoded once here and shared until the index holds it.

use app::model::AuditEvent;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

/// Events kept at most over all organizations (a few KiB each); a read beyond them decodes
/// the rest itself.
const MAX_EVENTS: usize = 50_000;

/// Per organization, consecutive events of its log above the index's position.
#[derive(Default)]
pub struct TailCache(Mutex<HashMap<i64, VecDeque<Arc<AuditEvent>>>>);

impl TailCache {
    /// The cached events with `position < seq <= head`, consecutive from `position + 1`, after
    /// forgetting those the index now holds.
    pub fn between(&self, org_id: i64, position: i64, head: i64) -> Vec<Arc<AuditEvent>> {
        let mut orgs = self.orgs();
        let Some(events) = forget_up_to(&mut orgs, org_id, position) else {
            return Vec::new();
        };
        if events.front().is_none_or(|e| e.seq != position + 1) {
            orgs.remove(&org_id);
            return Vec::new();
        }
        events
            .iter()
            .take_while(|e| e.seq <= head)
            .cloned()
            .collect()
    }

    /// Lets go of the organization's events up to `position`, which the index now holds, so
    /// the memory is returned as soon as the indexer passes them, not at the next read.
    pub fn forget_indexed(&self, org_id: i64, position: i64) {
        let mut orgs = self.orgs();
        if forget_up_to(&mut orgs, org_id, position).is_some_and(|events| events.is_empty()) {
            orgs.remove(&org_id);
        }
    }

    /// How many decoded events are kept, over all organizations.
    pub fn events_kept(&self) -> usize {
        kept(&self.orgs())
    }

    fn orgs(&self) -> MutexGuard<'_, HashMap<i64, VecDeque<Arc<AuditEvent>>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps `fresh` (consecutive events read from the log) when they follow what is kept for
    /// the organization, or start right above the index's `position` when nothing is.
    pub fn keep(&self, org_id: i64, position: i64, fresh: &[Arc<AuditEvent>]) {
        let Some(first) = fresh.first() else { return };
        let mut orgs = self.orgs();
        if kept(&orgs) + fresh.len() > MAX_EVENTS {
            orgs.clear();
            return;
        }
        let events = orgs.entry(org_id).or_default();
        let next = events.back().map_or(position + 1, |e| e.seq + 1);
        if first.seq == next {
            events.extend(fresh.iter().cloned());
        }
    }
}

/// How many events `orgs` keeps.
fn kept(orgs: &HashMap<i64, VecDeque<Arc<AuditEvent>>>) -> usize {
    orgs.values().map(VecDeque::len).sum()
}

/// The organization's kept events after dropping those with `seq <= position`; `None` when
/// nothing is kept for it.
fn forget_up_to(
    orgs: &mut HashMap<i64, VecDeque<Arc<AuditEvent>>>,
    org_id: i64,
    position: i64,
) -> Option<&mut VecDeque<Arc<AuditEvent>>> {
    let events = orgs.get_mut(&org_id)?;
    while events.front().is_some_and(|e| e.seq <= position) {
        events.pop_front();
    }
    Some(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::sample;

    fn event(seq: i64) -> Arc<AuditEvent> {
        Arc::new(AuditEvent {
            seq,
            ..sample::event()
        })
    }

    fn seqs(events: &[Arc<AuditEvent>]) -> Vec<i64> {
        events.iter().map(|e| e.seq).collect()
    }

    #[test]
    fn keeps_consecutive_events_until_the_index_holds_them() {
        let cache = TailCache::default();
        cache.keep(1, 10, &[event(11), event(12)]);
        cache.keep(1, 10, &[event(13)]);
        assert_eq!(seqs(&cache.between(1, 10, 13)), [11, 12, 13]);
        assert_eq!(
            seqs(&cache.between(1, 10, 12)),
            [11, 12],
            "not beyond the snapshot's head"
        );
        assert_eq!(
            seqs(&cache.between(1, 12, 13)),
            [13],
            "the indexed ones are forgotten"
        );
        assert!(
            cache.between(2, 0, 13).is_empty(),
            "organizations are apart"
        );
    }

    #[test]
    fn refuses_what_does_not_follow_and_forgets_a_gap() {
        let cache = TailCache::default();
        cache.keep(1, 10, &[event(12)]);
        assert!(
            cache.between(1, 10, 12).is_empty(),
            "a gap above the position"
        );
        cache.keep(1, 10, &[event(11)]);
        cache.keep(1, 10, &[event(13)]);
        assert_eq!(seqs(&cache.between(1, 10, 20)), [11]);
        assert!(
            cache.between(1, 20, 20).is_empty(),
            "the index passed everything kept"
        );
        cache.keep(1, 20, &[event(21)]);
        assert_eq!(seqs(&cache.between(1, 20, 21)), [21]);
    }

    #[test]
    fn lets_go_of_what_the_indexer_passed_without_a_read() {
        let cache = TailCache::default();
        cache.keep(1, 10, &[event(11), event(12), event(13)]);
        cache.keep(2, 0, &[event(1)]);
        cache.forget_indexed(1, 12);
        assert_eq!(
            cache.events_kept(),
            2,
            "13 of the first organization and 1 of the second"
        );
        assert_eq!(seqs(&cache.between(1, 12, 13)), [13]);
        cache.forget_indexed(1, 13);
        cache.forget_indexed(3, 5);
        assert_eq!(cache.events_kept(), 1);
        assert_eq!(seqs(&cache.between(2, 0, 1)), [1]);
    }
}
