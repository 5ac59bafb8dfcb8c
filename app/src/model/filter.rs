//! The event filter shared by the SPA, the server functions and the REST API, and its parsing
//! from URL query parameters.

use super::error::ApiError;
use super::event::EventResult;
use super::filter_bounds::{check_count, check_free_text, check_from, check_until, check_value};
use super::ip_range::IpRange;
use super::page::{Cursor, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Values a field must (or, negated, must not) take. Empty lists mean "any".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criteria {
    /// Actor email, id or `api-key:<name>` (case-insensitive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<String>,
    /// Event keys; `user.*` matches every key starting with `user.`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Any target of the event has one of these types.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_types: Vec<String>,
    /// Any target of the event has one of these ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_ids: Vec<String>,
    /// The event's IP lies in one of these addresses or CIDR blocks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ips: Vec<IpRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<EventResult>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<String>,
}

impl Criteria {
    /// Whether no field is constrained.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Which events to show: every field given must match, and no excluded value may.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFilter {
    /// Earliest `occurred_at`, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    /// Latest `occurred_at`, exclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    /// Values the event must have (one of each list).
    #[serde(flatten)]
    pub include: Criteria,
    /// Values the event must not have.
    #[serde(default, skip_serializing_if = "Criteria::is_empty")]
    pub exclude: Criteria,
    /// Free text, case-insensitive, over message, actor, targets and details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Only events with `seq` up to this one: a snapshot of the log at some moment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub through_seq: Option<i64>,
}

/// A list request: the filter and the page wanted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventQuery {
    pub filter: EventFilter,
    /// Rows per page, 1 to [`MAX_PAGE_SIZE`]; [`DEFAULT_PAGE_SIZE`] when left out.
    #[serde(default = "default_limit")]
    pub limit: u32,
    /// Where the previous page ended; `None` for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<Cursor>,
    /// Whether to count every matching event.
    #[serde(default)]
    pub include_total: bool,
    /// Collector mode: events with `seq` above this, oldest `seq` first (ignores `cursor`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_seq: Option<i64>,
}

fn default_limit() -> u32 {
    DEFAULT_PAGE_SIZE
}

/// Parses a `from` bound: RFC 3339, or a calendar date meaning its first instant (UTC).
pub(super) fn parse_from(value: &str) -> Result<DateTime<Utc>, ApiError> {
    parse_instant(value, 0)
}

/// Parses a `to` bound into an exclusive end: an RFC 3339 instant is included (whichever
/// separator it has: `T`, `t` or a space), a calendar date includes that whole day.
fn parse_until(value: &str) -> Result<DateTime<Utc>, ApiError> {
    match DateTime::parse_from_rfc3339(value) {
        Ok(t) => Ok(t.with_timezone(&Utc) + Duration::microseconds(1)),
        Err(_) => parse_instant(value, 1),
    }
}

fn parse_instant(value: &str, days_after_date: i64) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t.with_timezone(&Utc));
    }
    parse_date(value)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| {
            t.and_utc()
                .checked_add_signed(Duration::days(days_after_date))
        })
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "'{value}' is not an RFC 3339 time or a YYYY-MM-DD date"
            ))
        })
}

/// A `YYYY-MM-DD` calendar date, without surrounding or inner whitespace (which chrono's
/// `NaiveDate` parser would skip).
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    if value.contains(char::is_whitespace) {
        return None;
    }
    value.parse().ok()
}

fn limit_error() -> ApiError {
    ApiError::invalid(format!("limit must be 1 to {MAX_PAGE_SIZE}")).with_field("limit")
}

fn parse_limit(value: &str) -> Result<u32, ApiError> {
    value.parse::<u32>().map_err(|_| limit_error())
}

fn parse_result(value: &str) -> Result<EventResult, ApiError> {
    match value {
        "success" => Ok(EventResult::Success),
        "failure" => Ok(EventResult::Failure),
        _ => Err(ApiError::invalid("result must be success or failure")),
    }
}

fn parse_seq(value: &str) -> Result<i64, ApiError> {
    value
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| ApiError::invalid("must be a sequence number (0 or more)"))
}

/// Adds one `key=value` criterion (`key` without any `not_` prefix) to `criteria`, within the
/// bounds of a field; answers false when `key` names no criterion.
fn push_criterion(criteria: &mut Criteria, key: &str, value: &str) -> Result<bool, ApiError> {
    let c = criteria;
    let texts = match key {
        "actor" => &mut c.actors,
        "action" | "event_type" => &mut c.actions,
        "category" => &mut c.categories,
        "target_type" => &mut c.target_types,
        "target_id" => &mut c.target_ids,
        "environment" => &mut c.environments,
        "ip" => {
            return push_bounded(
                &mut c.ips,
                IpRange::parse(value).map_err(ApiError::invalid)?,
            )
        }
        "result" => return push_bounded(&mut c.results, parse_result(value)?),
        _ => return Ok(false),
    };
    check_value(value)?;
    push_bounded(texts, value.to_owned())
}

/// Appends to a field's values unless it is full; answers true.
fn push_bounded<T>(values: &mut Vec<T>, value: T) -> Result<bool, ApiError> {
    check_count(values.len() + 1)?;
    values.push(value);
    Ok(true)
}

fn parse_bool(value: &str) -> Result<bool, ApiError> {
    match value {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ApiError::invalid("must be true or false")),
    }
}

impl Criteria {
    /// The criteria as URL query pairs, each key prefixed with `prefix` (`""` or `"not_"`).
    fn push_pairs(&self, prefix: &str, out: &mut Vec<(String, String)>) {
        let mut add = |key: &str, values: Vec<String>| {
            out.extend(values.into_iter().map(|v| (format!("{prefix}{key}"), v)));
        };
        add("actor", self.actors.clone());
        add("action", self.actions.clone());
        add("category", self.categories.clone());
        add("target_type", self.target_types.clone());
        add("target_id", self.target_ids.clone());
        add("ip", self.ips.iter().map(|r| r.to_string()).collect());
        add(
            "result",
            self.results.iter().map(|r| r.as_str().to_owned()).collect(),
        );
        add("environment", self.environments.clone());
    }
}

impl EventFilter {
    /// The filter as URL query pairs that [`EventQuery::from_pairs`] reads back to it.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let rfc3339 = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        if let Some(from) = self.from {
            out.push(("from".to_owned(), rfc3339(from)));
        }
        if let Some(until) = self.until {
            // `to` is inclusive of an RFC 3339 instant; `until` is exclusive.
            out.push(("to".to_owned(), rfc3339(until - Duration::microseconds(1))));
        }
        self.include.push_pairs("", &mut out);
        self.exclude.push_pairs("not_", &mut out);
        if let Some(q) = &self.q {
            out.push(("q".to_owned(), q.clone()));
        }
        out
    }
}

impl EventQuery {
    /// Parses URL query pairs: `from`, `to`, `q`, the criteria `actor`, `action` (alias
    /// `event_type`), `category`, `target_type`, `target_id`, `ip`, `result`, `environment`
    /// (each may repeat; prefixed `not_` it excludes), and `limit`, `cursor`, `include_total`,
    /// `after_seq`. Unknown keys are refused so a typo never silently widens a search.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, ApiError> {
        let mut query = Self {
            limit: DEFAULT_PAGE_SIZE,
            ..Self::default()
        };
        for (key, value) in pairs {
            let f = &mut query.filter;
            let criterion = match key.strip_prefix("not_") {
                Some(field) => push_criterion(&mut f.exclude, field, value),
                None => push_criterion(&mut f.include, key, value),
            };
            if criterion.map_err(|e| e.with_field(key))? {
                continue;
            }
            let result = match key {
                "from" => parse_from(value).and_then(|t| check_from(t).map(|()| f.from = Some(t))),
                "to" => parse_until(value).and_then(|t| check_until(t).map(|()| f.until = Some(t))),
                "q" => check_free_text(value)
                    .map(|()| f.q = Some(value.to_owned()).filter(|q| !q.trim().is_empty())),
                "limit" => parse_limit(value).map(|n| query.limit = n),
                "cursor" => Cursor::decode(value).map(|c| query.cursor = Some(c)),
                "include_total" => parse_bool(value).map(|b| query.include_total = b),
                "after_seq" => parse_seq(value).map(|n| query.after_seq = Some(n)),
                _ => Err(ApiError::invalid(format!("unknown parameter '{key}'"))),
            };
            result.map_err(|e| e.with_field(key))?;
        }
        query.validate()?;
        Ok(query)
    }

    /// Checks what typed callers could still get wrong: the page size and the filter's bounds
    /// (see [`EventFilter::validate`]).
    pub fn validate(&self) -> Result<(), ApiError> {
        if !(1..=MAX_PAGE_SIZE).contains(&self.limit) {
            return Err(limit_error());
        }
        self.filter.validate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &[(&str, &str)]) -> Result<EventQuery, ApiError> {
        EventQuery::from_pairs(q.iter().copied())
    }

    #[test]
    fn a_calendar_date_to_includes_that_whole_day() {
        let q = parse(&[("from", "2025-01-01"), ("to", "2025-01-31")]).unwrap();
        assert_eq!(
            q.filter.from.unwrap().to_rfc3339(),
            "2025-01-01T00:00:00+00:00"
        );
        assert_eq!(
            q.filter.until.unwrap().to_rfc3339(),
            "2025-02-01T00:00:00+00:00"
        );
    }

    #[test]
    fn a_calendar_date_with_whitespace_in_it_is_refused() {
        for value in ["2025-01-01 ", " 2025-01-01", "2025 -01-01", "2025-01- 01"] {
            assert!(parse(&[("from", value)]).is_err(), "{value:?}");
        }
        assert_eq!(parse_date("2025-1-5"), NaiveDate::from_ymd_opt(2025, 1, 5));
    }

    #[test]
    fn an_rfc3339_to_is_inclusive_of_that_instant() {
        let q = parse(&[("to", "2025-01-31T10:00:00+01:00")]).unwrap();
        let until = q.filter.until.unwrap();
        assert_eq!(until.to_rfc3339(), "2025-01-31T09:00:00.000001+00:00");
    }

    /// Found by `tests/fuzz_filter_query.rs`: RFC 3339 also takes `t` or a space between date
    /// and time, and such a `to` left out the instant it names.
    #[test]
    fn an_rfc3339_to_is_inclusive_whichever_separator_it_has() {
        for to in [
            "2024-01-01T00:00:00Z",
            "2024-01-01t00:00:00Z",
            "2024-01-01 00:00:00Z",
        ] {
            let until = parse(&[("to", to)]).unwrap().filter.until.unwrap();
            assert_eq!(
                until.to_rfc3339(),
                "2024-01-01T00:00:00.000001+00:00",
                "{to}"
            );
        }
    }

    #[test]
    fn repeated_keys_and_the_event_type_alias_accumulate() {
        let q = parse(&[
            ("action", "user.invited"),
            ("event_type", "SECRET_READ"),
            ("actor", "alice@acme.com"),
            ("actor", "api-key:ci"),
            ("category", "user"),
            ("limit", "100"),
            ("include_total", "true"),
        ])
        .unwrap();
        assert_eq!(q.filter.include.actions, ["user.invited", "SECRET_READ"]);
        assert_eq!(q.filter.include.actors, ["alice@acme.com", "api-key:ci"]);
        assert_eq!(q.filter.include.categories, ["user"]);
        assert_eq!(q.limit, 100);
        assert!(q.include_total);
    }

    #[test]
    fn bad_parameters_name_the_field() {
        for (key, value) in [
            ("limit", "0"),
            ("limit", "1001"),
            ("limit", "ten"),
            ("from", "yesterday"),
            ("cursor", "!!"),
            ("include_total", "yes"),
            ("colour", "red"),
            ("ip", "10.0.0.0/40"),
            ("not_result", "maybe"),
            ("after_seq", "-1"),
        ] {
            let err = parse(&[(key, value)]).unwrap_err();
            assert_eq!(err.field.as_deref(), Some(key), "{key}={value}");
            assert_eq!(err.status(), 400);
        }
    }

    #[test]
    fn every_criterion_parses_and_not_prefixes_exclude() {
        let q = parse(&[
            ("target_type", "secret"),
            ("target_id", "s1"),
            ("ip", "10.0.0.0/8"),
            ("result", "failure"),
            ("environment", "production"),
            ("not_actor", "api-key:ci"),
            ("not_result", "success"),
            ("q", "stripe"),
            ("after_seq", "42"),
        ])
        .unwrap();
        let f = &q.filter;
        assert_eq!(f.include.target_types, ["secret"]);
        assert_eq!(f.include.target_ids, ["s1"]);
        assert_eq!(f.include.ips[0].to_string(), "10.0.0.0/8");
        assert_eq!(f.include.results, [EventResult::Failure]);
        assert_eq!(f.include.environments, ["production"]);
        assert_eq!(f.exclude.actors, ["api-key:ci"]);
        assert_eq!(f.exclude.results, [EventResult::Success]);
        assert_eq!(f.q.as_deref(), Some("stripe"));
        assert_eq!(q.after_seq, Some(42));
    }

    #[test]
    fn a_filter_survives_its_url_pairs() {
        let q = parse(&[
            ("from", "2025-01-01"),
            ("to", "2025-01-31"),
            ("action", "user.*"),
            ("ip", "2001:db8::/32"),
            ("not_result", "success"),
            ("q", "stripe key"),
        ])
        .unwrap();
        let pairs = q.filter.to_pairs();
        let again = EventQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(again.unwrap().filter, q.filter);
    }

    #[test]
    fn defaults_to_fifty_rows_without_total() {
        let q = parse(&[]).unwrap();
        assert_eq!(q.limit, 50);
        assert!(!q.include_total);
        assert_eq!(q.filter, EventFilter::default());
    }
}
