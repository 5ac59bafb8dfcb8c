//! The bounds of an [`EventFilter`], whichever door it came through (URL pairs, the search
//! syntax, JSON): how many values a field holds, how long each one is, which dates, and how
//! large the whole. They keep a filter cheap to match and small enough to store — in a saved
//! view, and in the details of the `export.created` event that records an export.

use super::error::ApiError;
use super::filter::{Criteria, EventFilter};
use super::new_event::{MAX_DETAILS_BYTES, MAX_TEXT_LEN, MIN_EVENT_YEAR};
use chrono::{DateTime, Datelike, Duration, Utc};

/// Most values one field of a filter (`actors`, `exclude.ips`, …) may hold.
pub const MAX_FILTER_VALUES: usize = 50;
/// Longest value of a field, in bytes: the longest text an event may carry, so that any
/// stored id or email can be searched for.
pub const MAX_FILTER_VALUE_LEN: usize = MAX_TEXT_LEN;
/// Longest free text (`q`), in bytes.
pub const MAX_FREE_TEXT_LEN: usize = 256;
/// Earliest year a filter's dates may fall in: no event is older.
pub const MIN_FILTER_YEAR: i32 = MIN_EVENT_YEAR;
/// Latest year a filter's dates may fall in (an exclusive end may be the first instant after it).
pub const MAX_FILTER_YEAR: i32 = 9999;
/// Largest filter, serialised as JSON: half of [`MAX_DETAILS_BYTES`], which leaves the
/// `export.created` event that embeds the filter in its details room for the rest of them.
pub const MAX_FILTER_BYTES: usize = MAX_DETAILS_BYTES / 2;

/// Refuses a NUL character: no stored text holds one, and PostgreSQL refuses it in a query.
fn check_no_nul(value: &str) -> Result<(), ApiError> {
    if value.contains('\0') {
        return Err(ApiError::invalid("a value must not contain NUL characters"));
    }
    Ok(())
}

/// Refuses a field value longer than [`MAX_FILTER_VALUE_LEN`] or holding a NUL character.
pub(super) fn check_value(value: &str) -> Result<(), ApiError> {
    check_no_nul(value)?;
    if value.len() > MAX_FILTER_VALUE_LEN {
        return Err(ApiError::invalid(format!(
            "a value must be at most {MAX_FILTER_VALUE_LEN} bytes"
        )));
    }
    Ok(())
}

/// Refuses a field holding `count` values when that is more than [`MAX_FILTER_VALUES`].
pub(super) fn check_count(count: usize) -> Result<(), ApiError> {
    if count > MAX_FILTER_VALUES {
        return Err(ApiError::invalid(format!(
            "a field takes at most {MAX_FILTER_VALUES} values"
        )));
    }
    Ok(())
}

/// Refuses free text longer than [`MAX_FREE_TEXT_LEN`] or holding a NUL character.
pub(super) fn check_free_text(q: &str) -> Result<(), ApiError> {
    check_no_nul(q)?;
    if q.len() > MAX_FREE_TEXT_LEN {
        return Err(ApiError::invalid(format!(
            "free text must be at most {MAX_FREE_TEXT_LEN} bytes"
        )));
    }
    Ok(())
}

fn check_year(t: Option<DateTime<Utc>>) -> Result<(), ApiError> {
    match t.map(|t| t.year()) {
        Some(year) if (MIN_FILTER_YEAR..=MAX_FILTER_YEAR).contains(&year) => Ok(()),
        _ => Err(ApiError::invalid(format!(
            "dates must fall in the years {MIN_FILTER_YEAR} to {MAX_FILTER_YEAR}"
        ))),
    }
}

/// Refuses a start outside the years [`MIN_FILTER_YEAR`] to [`MAX_FILTER_YEAR`].
pub(super) fn check_from(from: DateTime<Utc>) -> Result<(), ApiError> {
    check_year(Some(from))
}

/// Refuses an exclusive end whose last instant covered (just before it) falls outside the
/// years [`MIN_FILTER_YEAR`] to [`MAX_FILTER_YEAR`].
pub(super) fn check_until(until: DateTime<Utc>) -> Result<(), ApiError> {
    check_year(until.checked_sub_signed(Duration::microseconds(1)))
}

impl Criteria {
    /// Each list's JSON name and length, with its values when they are free-form text (IPs and
    /// results are parsed, so only counted).
    fn lists(&self) -> [(&'static str, usize, &[String]); 8] {
        // Destructured so that a new criterion cannot be left unbounded.
        let Criteria {
            actors,
            actions,
            categories,
            target_types,
            target_ids,
            ips,
            results,
            environments,
        } = self;
        [
            ("actors", actors.len(), actors),
            ("actions", actions.len(), actions),
            ("categories", categories.len(), categories),
            ("target_types", target_types.len(), target_types),
            ("target_ids", target_ids.len(), target_ids),
            ("ips", ips.len(), &[]),
            ("results", results.len(), &[]),
            ("environments", environments.len(), environments),
        ]
    }

    /// Checks every list's length and values; errors name the list, after `prefix`.
    fn validate(&self, prefix: &str) -> Result<(), ApiError> {
        for (name, count, values) in self.lists() {
            check_count(count)
                .and_then(|()| values.iter().try_for_each(|v| check_value(v)))
                .map_err(|e| e.with_field(format!("{prefix}{name}")))?;
        }
        Ok(())
    }
}

impl EventFilter {
    /// Checks the bounds every filter must keep, however it arrived. Errors name the field as
    /// JSON does (`from`, `until`, `actors`, `exclude.actors`, `q`), or `filter` for the size.
    pub fn validate(&self) -> Result<(), ApiError> {
        if let Some(from) = self.from {
            check_from(from).map_err(|e| e.with_field("from"))?;
        }
        if let Some(until) = self.until {
            check_until(until).map_err(|e| e.with_field("until"))?;
        }
        self.include.validate("")?;
        self.exclude.validate("exclude.")?;
        if let Some(q) = &self.q {
            check_free_text(q).map_err(|e| e.with_field("q"))?;
        }
        // Every part is bounded by now, so this serialisation is too.
        if serde_json::to_vec(self).map_or(usize::MAX, |b| b.len()) > MAX_FILTER_BYTES {
            return Err(ApiError::invalid(format!(
                "the filter must be at most {} KiB as JSON",
                MAX_FILTER_BYTES / 1024
            ))
            .with_field("filter"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        parse_search, Actor, ActorType, EventQuery, EventResult, IpRange, NewEvent, MAX_SEARCH_LEN,
    };
    use chrono::TimeZone;

    fn field_of(filter: &EventFilter) -> Option<String> {
        filter.validate().unwrap_err().field
    }

    fn bytes(filter: &EventFilter) -> usize {
        serde_json::to_vec(filter).unwrap().len()
    }

    /// A filter whose JSON is exactly [`MAX_FILTER_BYTES`], every part within its own bound.
    fn largest() -> EventFilter {
        let mut f = EventFilter {
            from: Some(Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap()),
            until: Some(Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap()),
            q: Some("q".repeat(MAX_FREE_TEXT_LEN)),
            through_seq: Some(i64::MAX),
            ..EventFilter::default()
        };
        f.include.actors = vec!["a".repeat(MAX_FILTER_VALUE_LEN); 7];
        f.exclude.target_ids = vec![String::new()];
        let room = MAX_FILTER_BYTES - bytes(&f);
        f.exclude.target_ids[0] = "t".repeat(room);
        f
    }

    #[test]
    fn a_filter_at_the_size_limit_passes_and_one_byte_more_is_refused() {
        let mut f = largest();
        assert_eq!(bytes(&f), MAX_FILTER_BYTES);
        assert_eq!(f.validate(), Ok(()));
        f.exclude.target_ids[0].push('t');
        assert_eq!(field_of(&f).as_deref(), Some("filter"));
        assert_eq!(f.validate().unwrap_err().status(), 400);
    }

    #[test]
    fn the_largest_filter_fits_the_details_of_the_export_it_records() {
        // The details `export.created` carries (server/src/service/export.rs), at their widest.
        let details = serde_json::json!({
            "format": "ndjson",
            "filter": largest(),
            "rows": u64::MAX,
            "complete": false,
        });
        let event = NewEvent {
            action: "export.created".into(),
            category: None,
            occurred_at: None,
            actor: Actor {
                kind: ActorType::System,
                id: "cli".into(),
                email: None,
                name: None,
            },
            targets: vec![],
            context: Default::default(),
            result: EventResult::Failure,
            details: details.as_object().cloned().unwrap(),
            changes: vec![],
            idempotency_key: None,
        };
        assert_eq!(event.validate(Utc::now()), Ok(()));
    }

    #[test]
    fn a_field_takes_fifty_values_and_not_fifty_one() {
        let mut f = EventFilter::default();
        f.exclude.categories = vec!["user".into(); MAX_FILTER_VALUES];
        assert_eq!(f.validate(), Ok(()));
        f.exclude.categories.push("user".into());
        assert_eq!(field_of(&f).as_deref(), Some("exclude.categories"));

        let mut f = EventFilter::default();
        f.include.ips = vec![IpRange::parse("10.0.0.1").unwrap(); MAX_FILTER_VALUES + 1];
        assert_eq!(field_of(&f).as_deref(), Some("ips"));
    }

    #[test]
    fn a_value_may_be_as_long_as_event_text_and_no_longer() {
        let mut f = EventFilter::default();
        f.include.target_ids = vec!["x".repeat(MAX_FILTER_VALUE_LEN)];
        assert_eq!(f.validate(), Ok(()));
        f.include.target_ids[0].push('x');
        assert_eq!(field_of(&f).as_deref(), Some("target_ids"));
    }

    #[test]
    fn a_nul_character_in_a_value_or_free_text_is_refused() {
        let mut f = EventFilter::default();
        f.include.environments = vec!["prod\0".into()];
        assert_eq!(f.validate().unwrap_err().status(), 400);
        let q = EventFilter {
            q: Some("\0".into()),
            ..EventFilter::default()
        };
        assert_eq!(q.validate().unwrap_err().status(), 400);
        assert!(from_url(&[("actor", "\0")]).is_err());
    }

    #[test]
    fn free_text_is_bounded() {
        let mut f = EventFilter {
            q: Some("q".repeat(MAX_FREE_TEXT_LEN)),
            ..EventFilter::default()
        };
        assert_eq!(f.validate(), Ok(()));
        f.q = Some("q".repeat(MAX_FREE_TEXT_LEN + 1));
        assert_eq!(field_of(&f).as_deref(), Some("q"));
    }

    #[test]
    fn dates_fall_between_1970_and_the_end_of_9999() {
        let at = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap();
        let just = |t: DateTime<Utc>, us| Some(t + Duration::microseconds(us));
        let with = |from, until| EventFilter {
            from,
            until,
            ..EventFilter::default()
        };
        for inside in [
            with(Some(at(1970, 1, 1)), Some(at(10000, 1, 1))),
            with(just(at(10000, 1, 1), -1), just(at(1970, 1, 1), 1)),
        ] {
            assert_eq!(inside.validate(), Ok(()), "{inside:?}");
        }
        for (field, outside) in [
            ("from", with(just(at(1970, 1, 1), -1), None)),
            ("from", with(Some(at(10000, 1, 1)), None)),
            ("until", with(None, Some(at(1970, 1, 1)))),
            ("until", with(None, just(at(10000, 1, 1), 1))),
            ("until", with(None, Some(DateTime::<Utc>::MIN_UTC))),
        ] {
            assert_eq!(field_of(&outside).as_deref(), Some(field), "{outside:?}");
        }
    }

    fn from_url(pairs: &[(&str, &str)]) -> Result<EventQuery, ApiError> {
        EventQuery::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn url_parameters_within_their_bounds_are_accepted() {
        let value = "x".repeat(MAX_FILTER_VALUE_LEN);
        let q = "q".repeat(MAX_FREE_TEXT_LEN);
        let query = from_url(&[
            ("from", "1970-01-01"),
            ("to", "9999-12-31"),
            ("not_actor", &value),
            ("q", &q),
        ]);
        assert!(query.is_ok(), "{query:?}");
        assert!(from_url(&[("ip", "10.0.0.1"); MAX_FILTER_VALUES]).is_ok());
    }

    #[test]
    fn url_parameters_past_their_bounds_are_refused_naming_the_key() {
        let value = "x".repeat(MAX_FILTER_VALUE_LEN + 1);
        let q = "q".repeat(MAX_FREE_TEXT_LEN + 1);
        let cases: [(&str, &[(&str, &str)]); 8] = [
            ("not_actor", &[("not_actor", &value)]),
            ("q", &[("q", &q)]),
            ("from", &[("from", "1969-12-31")]),
            ("to", &[("to", "+10000-01-01")]),
            // The largest date chrono reads: a day past it was an arithmetic overflow.
            ("to", &[("to", "+262142-12-31")]),
            ("from", &[("from", "+262142-12-31")]),
            ("ip", &[("ip", "10.0.0.1"); MAX_FILTER_VALUES + 1]),
            ("filter", &[("actor", &value[1..]); 8]),
        ];
        for (field, pairs) in cases {
            let err = from_url(pairs).unwrap_err();
            assert_eq!(err.field.as_deref(), Some(field), "{}", err.message);
            assert_eq!(err.status(), 400);
        }
    }

    #[test]
    fn a_json_query_is_validated_with_its_filter() {
        let query: EventQuery = serde_json::from_value(serde_json::json!({
            "filter": {"exclude": {"actions": vec!["user.*"; MAX_FILTER_VALUES + 1]}},
            "limit": 10,
        }))
        .unwrap();
        let err = query.validate().unwrap_err();
        assert_eq!(err.field.as_deref(), Some("exclude.actions"));
    }

    #[test]
    fn a_search_is_at_most_32_kib() {
        assert_eq!(
            parse_search(&" ".repeat(MAX_SEARCH_LEN)),
            Ok(EventFilter::default())
        );
        let err = parse_search(&" ".repeat(MAX_SEARCH_LEN + 1)).unwrap_err();
        assert_eq!(err.column, 1);
    }

    #[test]
    fn a_search_past_a_filter_bound_names_the_term_that_broke_it() {
        let fifty = "env:prod ".repeat(MAX_FILTER_VALUES);
        assert!(parse_search(&fifty).is_ok());
        let err = parse_search(&format!("{fifty}env:prod")).unwrap_err();
        assert_eq!(err.column, fifty.len() + 1, "{err}");
        let words = format!("x {}", "q".repeat(MAX_FREE_TEXT_LEN - 2));
        assert!(parse_search(&format!("actor:bob {words}")).is_ok());
        let err = parse_search(&format!("actor:bob {words}q")).unwrap_err();
        assert_eq!(err.column, 11, "{err}");
        let err = parse_search("after:2025-01-01 before:+10000-01-02").unwrap_err();
        assert_eq!(err.column, 18, "{err}");
    }

    /// Every list full, its JSON near the size limit: the most a search needs to write.
    #[test]
    fn the_densest_valid_filter_fits_a_search_and_parses_back() {
        let mut f = EventFilter {
            from: Some(Utc.timestamp_opt(1_700_000_000, 123_456_789).unwrap()),
            until: Some(Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap()),
            q: Some("q".repeat(MAX_FREE_TEXT_LEN)),
            ..EventFilter::default()
        };
        let values = |width: usize| -> Vec<String> {
            (0..MAX_FILTER_VALUES)
                .map(|i| format!("{i:0width$}"))
                .collect()
        };
        for c in [&mut f.include, &mut f.exclude] {
            c.actors = values(2);
            c.actions = values(2);
            c.categories = values(2);
            c.target_types = values(2);
            c.target_ids = values(2);
            c.environments = values(2);
            c.ips = (0..MAX_FILTER_VALUES)
                .map(|i| IpRange::parse(&format!("10.0.0.{i}")).unwrap())
                .collect();
            c.results = vec![EventResult::Failure; MAX_FILTER_VALUES];
        }
        let room = MAX_FILTER_BYTES - bytes(&f);
        f.exclude.categories = values(2 + room / MAX_FILTER_VALUES);
        assert_eq!(f.validate(), Ok(()));
        assert!(bytes(&f) > MAX_FILTER_BYTES - MAX_FILTER_VALUES);
        let text = f.to_search();
        assert!(text.len() <= MAX_SEARCH_LEN, "{}", text.len());
        assert_eq!(parse_search(&text), Ok(f));
    }
}
