//! Exact totals from the hourly counts that each append keeps (`hourly_action_counts`,
//! `hourly_actor_counts`): which filters they can answer, the sum over whole hours, and the
//! partial hours at the edges of the range, which are counted from the events themselves.

use super::filter_sql::{push_criteria, Combine, Hints};
use app::model::{AuditEvent, Criteria, EventFilter};
use chrono::{DateTime, TimeZone, Utc};
use sqlx::{Database, Encode, QueryBuilder, Type};
use std::collections::BTreeMap;

/// One hour in microseconds.
const HOUR_MICROS: i64 = 3_600_000_000;

/// The hour (Unix time in whole hours) an instant falls in.
fn hour_of(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros().div_euclid(HOUR_MICROS)
}

/// The start of an hour.
fn hour_start(hour: i64) -> DateTime<Utc> {
    Utc.timestamp_micros(hour * HOUR_MICROS)
        .single()
        .expect("an hour of a stored instant is representable")
}

/// What one appended batch adds to the hourly counts.
#[derive(Default)]
pub struct HourlyTallies {
    /// (hour, action, category, result) → events.
    pub by_action: BTreeMap<(i64, String, String, &'static str), i64>,
    /// (hour, lower-cased actor label, actor id) → events.
    pub by_actor: BTreeMap<(i64, String, String), i64>,
}

impl HourlyTallies {
    /// Counts one newly appended event.
    pub fn add(&mut self, e: &AuditEvent) {
        let hour = hour_of(e.occurred_at);
        let action_key = (
            hour,
            e.action.clone(),
            e.category.clone(),
            e.result.as_str(),
        );
        *self.by_action.entry(action_key).or_default() += 1;
        let actor_key = (hour, e.actor.label().to_lowercase(), e.actor.id.clone());
        *self.by_actor.entry(actor_key).or_default() += 1;
    }
}

/// Which hourly table sums a filter's matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountTable {
    Action,
    Actor,
}

impl CountTable {
    fn name(self) -> &'static str {
        match self {
            Self::Action => "hourly_action_counts",
            Self::Actor => "hourly_actor_counts",
        }
    }
}

/// How to count a filter's matches.
#[derive(Debug, PartialEq)]
pub enum CountPlan {
    /// No filter at all: the head `seq` less the purged events (the log is gap-free after them).
    Everything,
    /// The sum of `table` over whole hours in `[from_hour, until_hour)` (unbounded where
    /// `None`), plus the events of each edge filter (the partial hours at the range's ends).
    Hourly {
        table: CountTable,
        from_hour: Option<i64>,
        until_hour: Option<i64>,
        edges: Vec<EventFilter>,
    },
    /// Count the matching events themselves.
    Scan,
}

/// Chooses how to count `filter`: the hourly tables serve a time range with either only
/// actions, categories and results, or only actors; anything else is scanned.
pub fn plan(filter: &EventFilter) -> CountPlan {
    if !filter.exclude.is_empty() || filter.q.is_some() || filter.through_seq.is_some() {
        return CountPlan::Scan;
    }
    let c = &filter.include;
    let action_fields = Criteria {
        actions: c.actions.clone(),
        categories: c.categories.clone(),
        results: c.results.clone(),
        ..Criteria::default()
    };
    let actor_fields = Criteria {
        actors: c.actors.clone(),
        ..Criteria::default()
    };
    let table = if c.is_empty() && filter.from.is_none() && filter.until.is_none() {
        return CountPlan::Everything;
    } else if *c == action_fields {
        CountTable::Action
    } else if *c == actor_fields {
        CountTable::Actor
    } else {
        return CountPlan::Scan;
    };
    let from_hour = filter.from.map(|t| {
        let h = hour_of(t);
        if hour_start(h) == t {
            h
        } else {
            h + 1
        }
    });
    let until_hour = filter.until.map(hour_of);
    if let (Some(from), Some(until)) = (from_hour, until_hour) {
        if from >= until {
            return CountPlan::Scan;
        }
    }
    let mut edges = Vec::new();
    if let (Some(from), Some(h)) = (filter.from, from_hour) {
        if from < hour_start(h) {
            edges.push(EventFilter {
                until: Some(hour_start(h)),
                ..filter.clone()
            });
        }
    }
    if let (Some(until), Some(h)) = (filter.until, until_hour) {
        if hour_start(h) < until {
            edges.push(EventFilter {
                from: Some(hour_start(h)),
                ..filter.clone()
            });
        }
    }
    CountPlan::Hourly {
        table,
        from_hour,
        until_hour,
        edges,
    }
}

/// `SELECT` the sum of `table` for the organization, hours and the filter's criteria.
pub fn sum_query<'args, DB: Database>(
    org_id: i64,
    table: CountTable,
    from_hour: Option<i64>,
    until_hour: Option<i64>,
    criteria: &Criteria,
) -> QueryBuilder<'args, DB>
where
    for<'a> String: Encode<'a, DB> + Type<DB>,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> Vec<u8>: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::new(format!(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM {} WHERE org_id = ",
        table.name()
    ));
    qb.push_bind(org_id);
    if let Some(h) = from_hour {
        qb.push(" AND hour >= ").push_bind(h);
    }
    if let Some(h) = until_hour {
        qb.push(" AND hour < ").push_bind(h);
    }
    if !criteria.is_empty() {
        qb.push(" AND ");
        push_criteria(&mut qb, criteria, Combine::All, &Hints::default());
    }
    qb
}

/// Every (label, id) pair of the organization's actors that shares an id with a pair the
/// `actors` filter values match: what [`exact_actor_ids`] needs.
pub fn actor_pairs_query<'args, DB: Database>(
    org_id: i64,
    actors: &[String],
) -> QueryBuilder<'args, DB>
where
    for<'a> String: Encode<'a, DB> + Type<DB>,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> Vec<u8>: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::new(
        "SELECT DISTINCT actor_label, actor_id FROM hourly_actor_counts WHERE org_id = ",
    );
    qb.push_bind(org_id)
        .push(" AND actor_id IN (SELECT actor_id FROM hourly_actor_counts WHERE org_id = ")
        .push_bind(org_id)
        .push(" AND ");
    let only_actors = Criteria {
        actors: actors.to_vec(),
        ..Criteria::default()
    };
    push_criteria(&mut qb, &only_actors, Combine::All, &Hints::default());
    qb.push(")");
    qb
}

/// The ids whose events are exactly those the `actors` values match (by lower-cased label or
/// by id), from the rows of [`actor_pairs_query`]; `None` when an id also has events under a
/// label that does not match, where only the label-or-id test is exact.
pub fn exact_actor_ids(pairs: Vec<(String, String)>, actors: &[String]) -> Option<Vec<String>> {
    let labels: Vec<String> = actors.iter().map(|a| a.to_lowercase()).collect();
    let matches = |(label, id): &(String, String)| labels.contains(label) || actors.contains(id);
    if !pairs.iter().all(matches) {
        return None;
    }
    let mut ids: Vec<String> = pairs.into_iter().map(|(_, id)| id).collect();
    ids.sort();
    ids.dedup();
    Some(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn no_filter_is_the_head_and_free_text_or_exclusions_are_scanned() {
        assert_eq!(plan(&EventFilter::default()), CountPlan::Everything);
        let text = EventFilter {
            q: Some("vpn".into()),
            ..EventFilter::default()
        };
        assert_eq!(plan(&text), CountPlan::Scan);
        let mut mixed = EventFilter::default();
        mixed.include.actions = vec!["user.login".into()];
        mixed.include.actors = vec!["a@b.c".into()];
        assert_eq!(plan(&mixed), CountPlan::Scan, "actions and actors together");
        let mut excluding = EventFilter::default();
        excluding.exclude.results = vec![app::model::EventResult::Success];
        assert_eq!(plan(&excluding), CountPlan::Scan);
    }

    #[test]
    fn whole_hours_come_from_the_table_and_partial_ones_from_the_events() {
        let mut filter = EventFilter {
            from: Some(at("2025-01-01T10:15:00Z")),
            until: Some(at("2025-01-01T13:00:00Z")),
            ..EventFilter::default()
        };
        filter.include.categories = vec!["auth".into()];
        let CountPlan::Hourly {
            table,
            from_hour,
            until_hour,
            edges,
        } = plan(&filter)
        else {
            panic!("not hourly");
        };
        assert_eq!(table, CountTable::Action);
        assert_eq!(from_hour, Some(hour_of(at("2025-01-01T11:00:00Z"))));
        assert_eq!(until_hour, Some(hour_of(at("2025-01-01T13:00:00Z"))));
        assert_eq!(edges.len(), 1, "the range ends on the hour");
        assert_eq!(edges[0].from, filter.from);
        assert_eq!(edges[0].until, Some(at("2025-01-01T11:00:00Z")));
        assert_eq!(edges[0].include, filter.include);

        let mut by_actor = EventFilter {
            until: Some(at("2025-01-01T13:20:00Z")),
            ..EventFilter::default()
        };
        by_actor.include.actors = vec!["a@b.c".into()];
        let CountPlan::Hourly { table, edges, .. } = plan(&by_actor) else {
            panic!("not hourly");
        };
        assert_eq!(table, CountTable::Actor);
        assert_eq!(edges[0].from, Some(at("2025-01-01T13:00:00Z")));

        let within_an_hour = EventFilter {
            from: Some(at("2025-01-01T10:15:00Z")),
            until: Some(at("2025-01-01T10:45:00Z")),
            ..EventFilter::default()
        };
        assert_eq!(plan(&within_an_hour), CountPlan::Scan);
    }

    #[test]
    fn actors_resolve_to_ids_only_when_no_id_has_events_under_another_label() {
        let pair = |l: &str, i: &str| (l.to_owned(), i.to_owned());
        let actors = vec!["Ana@A.com".to_owned(), "k1".to_owned()];
        let exact = exact_actor_ids(
            vec![
                pair("ana@a.com", "u1"),
                pair("api-key:ci", "k1"),
                pair("ana@a.com", "u2"),
            ],
            &actors,
        );
        assert_eq!(exact, Some(vec!["k1".into(), "u1".into(), "u2".into()]));
        let shared = exact_actor_ids(
            vec![pair("ana@a.com", "u1"), pair("bob@a.com", "u1")],
            &actors,
        );
        assert_eq!(shared, None, "u1 also acted as bob, who is not asked for");
        assert_eq!(exact_actor_ids(vec![], &actors), Some(vec![]));
    }
}
