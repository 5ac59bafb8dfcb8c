//! The search box syntax, parsed into the typed [`EventFilter`]:
//! `actor:alice@acme.com action:user.* category:api_key -result:success ip:10.0.0.0/8
//! after:2025-01-01 before:2025-02-01 "free text"`.
//!
//! Terms are `key:value` (a leading `-` excludes), quoted or bare words (free text). Values may
//! be quoted (`actor:"Bob Smith"`). A bad query is an error naming the column and the reason;
//! so is one that breaks a filter's bounds ([`EventFilter::validate`]).
//! [`EventFilter::to_search`] writes a filter back in the same syntax.

use super::error::ApiError;
use super::filter::{parse_from, Criteria, EventFilter, EventQuery};
use chrono::{DateTime, NaiveTime, SecondsFormat, Utc};
use std::fmt;

/// Longest search text, in bytes: room for every valid filter written by
/// [`EventFilter::to_search`]. Such a filter's JSON is at most 8 KiB
/// ([`MAX_FILTER_BYTES`](crate::model::MAX_FILTER_BYTES)) with at most 50 values in each of
/// its 16 lists ([`MAX_FILTER_VALUES`](crate::model::MAX_FILTER_VALUES)); a term costs at most
/// 10 bytes more than its value in JSON (sign, key, colon, quotes and space against quotes and
/// comma), so its search is at most 8 KiB + 800 × 10 bytes.
pub const MAX_SEARCH_LEN: usize = 32 * 1024;

/// Why a search does not parse, and where (1-based column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchError {
    pub column: usize,
    pub message: String,
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

/// The keys the syntax knows, with the URL parameter each one sets.
const KEYS: [(&str, &str); 13] = [
    ("actor", "actor"),
    ("action", "action"),
    ("event", "action"),
    ("category", "category"),
    ("type", "target_type"),
    ("target_type", "target_type"),
    ("target", "target_id"),
    ("target_id", "target_id"),
    ("ip", "ip"),
    ("result", "result"),
    ("env", "environment"),
    ("environment", "environment"),
    ("after", "from"),
];

/// One term of a search: where it starts, whether it is negated, its key and value.
struct Term {
    column: usize,
    negated: bool,
    key: Option<String>,
    value: String,
}

/// Reads a possibly quoted value starting at `chars[i]`; answers it and the index after it.
fn read_value(chars: &[char], mut i: usize, column: usize) -> Result<(String, usize), SearchError> {
    let mut value = String::new();
    if chars.get(i) == Some(&'"') {
        i += 1;
        while let Some(&c) = chars.get(i) {
            if c == '"' {
                return Ok((value, i + 1));
            }
            value.push(c);
            i += 1;
        }
        return Err(SearchError {
            column,
            message: "the quote is never closed".into(),
        });
    }
    while let Some(&c) = chars.get(i) {
        if c.is_whitespace() {
            break;
        }
        value.push(c);
        i += 1;
    }
    Ok((value, i))
}

fn terms(text: &str) -> Result<Vec<Term>, SearchError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let column = i + 1;
        let negated = chars[i] == '-';
        let start = if negated { i + 1 } else { i };
        let key_end = chars[start..]
            .iter()
            .position(|c| *c == ':' || *c == '"' || c.is_whitespace())
            .map_or(chars.len(), |p| start + p);
        let (key, value_start) = if chars.get(key_end) == Some(&':') {
            (
                Some(chars[start..key_end].iter().collect::<String>()),
                key_end + 1,
            )
        } else {
            (None, start)
        };
        let (value, next) = read_value(&chars, value_start, column)?;
        if value.is_empty() {
            return Err(SearchError {
                column,
                message: match &key {
                    Some(k) => format!("'{k}:' needs a value"),
                    None if negated => "a lone '-' excludes nothing".into(),
                    None => "empty quotes search for nothing".into(),
                },
            });
        }
        out.push(Term {
            column,
            negated,
            key,
            value,
        });
        i = next;
    }
    Ok(out)
}

/// Parses a search into a filter, checking the filter's bounds term by term.
pub fn parse_search(text: &str) -> Result<EventFilter, SearchError> {
    if text.len() > MAX_SEARCH_LEN {
        return Err(SearchError {
            column: 1,
            message: format!("a search must be at most {} KiB", MAX_SEARCH_LEN / 1024),
        });
    }
    let mut pairs: Vec<(String, String, usize)> = Vec::new();
    let mut free_text: Vec<String> = Vec::new();
    let mut free_text_column = None;
    for term in terms(text)? {
        let fail = |message: String| SearchError {
            column: term.column,
            message,
        };
        match term.key.as_deref() {
            None if term.negated => return Err(fail("free text cannot be excluded".into())),
            None => {
                free_text_column.get_or_insert(term.column);
                free_text.push(term.value);
            }
            Some(key) => {
                let param = match key {
                    "before" => "to_exclusive",
                    _ => KEYS
                        .iter()
                        .find(|(k, _)| *k == key)
                        .map(|(_, p)| *p)
                        .ok_or_else(|| {
                            fail(format!(
                                "unknown key '{key}': use actor, action, category, type, target, \
                                 ip, result, env, after or before"
                            ))
                        })?,
                };
                if term.negated && matches!(param, "from" | "to_exclusive") {
                    return Err(fail(format!("'{key}:' cannot be excluded")));
                }
                let param = if term.negated {
                    format!("not_{param}")
                } else {
                    param.to_owned()
                };
                pairs.push((param, term.value, term.column));
            }
        }
    }
    let at = |column: usize| {
        move |e: ApiError| SearchError {
            column,
            message: e.message,
        }
    };
    let mut filter = EventFilter::default();
    for (param, value, column) in &pairs {
        // `before:` is exclusive: written like `after:`, checked as an end.
        if param == "to_exclusive" {
            filter.until = Some(parse_from(value).map_err(at(*column))?);
        } else {
            let one = EventQuery::from_pairs([(param.as_str(), value.as_str())]);
            merge(&mut filter, one.map_err(at(*column))?.filter);
        }
        filter.validate().map_err(at(*column))?;
    }
    if let Some(column) = free_text_column {
        // Blank free text searches for nothing, as a blank `q` parameter does.
        filter.q = Some(free_text.join(" ")).filter(|q| !q.trim().is_empty());
        filter.validate().map_err(at(column))?;
    }
    Ok(filter)
}

fn extend(into: &mut Criteria, from: Criteria) {
    into.actors.extend(from.actors);
    into.actions.extend(from.actions);
    into.categories.extend(from.categories);
    into.target_types.extend(from.target_types);
    into.target_ids.extend(from.target_ids);
    into.ips.extend(from.ips);
    into.results.extend(from.results);
    into.environments.extend(from.environments);
}

fn merge(into: &mut EventFilter, one: EventFilter) {
    into.from = one.from.or(into.from);
    extend(&mut into.include, one.include);
    extend(&mut into.exclude, one.exclude);
}

/// The search key written for each URL parameter of [`EventFilter::to_pairs`]: the short
/// alias where the syntax has one.
fn search_key(param: &str) -> &str {
    match param {
        "target_type" => "type",
        "target_id" => "target",
        "environment" => "env",
        other => other,
    }
}

/// A value as one term: bare when it can be, else in double quotes. (The syntax has no escape,
/// so a value holding both a double quote and whitespace cannot be written; the parser never
/// produces one.)
fn quote(value: &str) -> String {
    if value.is_empty() || value.starts_with('"') || value.contains(char::is_whitespace) {
        format!("\"{value}\"")
    } else {
        value.to_owned()
    }
}

/// A bound as `after:`/`before:` read it: the date alone when it is midnight UTC.
fn instant(t: DateTime<Utc>) -> String {
    if t.time() == NaiveTime::MIN {
        t.date_naive().to_string()
    } else {
        t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }
}

/// Free text without a double quote as one term: bare when the parser reads it back as free
/// text, else quoted.
fn plain_term(text: &str) -> String {
    if text.starts_with('-') || text.contains(':') || text.contains(char::is_whitespace) {
        format!("\"{text}\"")
    } else {
        text.to_owned()
    }
}

/// Free text as terms that [`parse_search`] joins back into it, with a space between each.
/// Without a double quote: one quoted term, spacing kept. With one: a term holding a quote can
/// only be bare, and holds no whitespace, so each piece between spaces that holds a quote is
/// written bare, and the pieces between those are joined back into terms of their own.
fn free_text(q: &str) -> String {
    if !q.contains('"') {
        return format!("\"{q}\"");
    }
    let mut terms: Vec<String> = Vec::new();
    let mut plain: Vec<&str> = Vec::new();
    let flush = |plain: &mut Vec<&str>, terms: &mut Vec<String>| {
        let text = plain.join(" ");
        if !text.is_empty() {
            terms.push(plain_term(&text));
        }
        plain.clear();
    };
    for piece in q.split(' ') {
        if piece.contains('"') {
            flush(&mut plain, &mut terms);
            terms.push(piece.to_owned());
        } else {
            plain.push(piece);
        }
    }
    flush(&mut plain, &mut terms);
    terms.join(" ")
}

impl EventFilter {
    /// The filter in the search syntax, which [`parse_search`] reads back to the same filter:
    /// criteria (`-key:value` for excluded ones), then `after:`/`before:`, then free text.
    /// `through_seq` has no syntax and is left out.
    pub fn to_search(&self) -> String {
        let mut terms: Vec<String> = self
            .to_pairs()
            .into_iter()
            .filter_map(|(param, value)| {
                let (sign, param) = match param.strip_prefix("not_") {
                    Some(p) => ("-", p),
                    None => ("", param.as_str()),
                };
                (!matches!(param, "from" | "to" | "q"))
                    .then(|| format!("{sign}{}:{}", search_key(param), quote(&value)))
            })
            .collect();
        terms.extend(self.from.map(|t| format!("after:{}", instant(t))));
        terms.extend(self.until.map(|t| format!("before:{}", instant(t))));
        if let Some(q) = self.q.as_deref().filter(|q| !q.trim().is_empty()) {
            terms.push(free_text(q));
        }
        terms.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EventResult, IpRange};
    use chrono::TimeZone;

    #[test]
    fn parses_the_documented_example() {
        let f = parse_search(
            r#"actor:alice@acme.com action:user.* category:api_key -result:success ip:10.0.0.0/8 after:2025-01-01 before:2025-02-01 "free text""#,
        )
        .unwrap();
        assert_eq!(f.include.actors, ["alice@acme.com"]);
        assert_eq!(f.include.actions, ["user.*"]);
        assert_eq!(f.include.categories, ["api_key"]);
        assert_eq!(f.exclude.results, [EventResult::Success]);
        assert_eq!(f.include.ips[0].to_string(), "10.0.0.0/8");
        assert_eq!(f.from.unwrap().to_rfc3339(), "2025-01-01T00:00:00+00:00");
        assert_eq!(f.until.unwrap().to_rfc3339(), "2025-02-01T00:00:00+00:00");
        assert_eq!(f.q.as_deref(), Some("free text"));
    }

    #[test]
    fn quoted_values_bare_words_and_aliases() {
        let f =
            parse_search(r#"actor:"Bob Smith" env:production type:secret target:s1 leaked key"#)
                .unwrap();
        assert_eq!(f.include.actors, ["Bob Smith"]);
        assert_eq!(f.include.environments, ["production"]);
        assert_eq!(f.include.target_types, ["secret"]);
        assert_eq!(f.include.target_ids, ["s1"]);
        assert_eq!(f.q.as_deref(), Some("leaked key"));
        assert_eq!(parse_search("   ").unwrap(), EventFilter::default());
    }

    #[test]
    fn bad_queries_say_where_and_why() {
        let cases = [
            ("actr:bob", 1, "unknown key 'actr'"),
            ("result:success ip:10.0.0.0/40", 16, "prefix length"),
            (r#"q "unclosed"#, 3, "never closed"),
            ("result:maybe", 1, "success or failure"),
            ("after:yesterday", 1, "YYYY-MM-DD"),
            ("-after:2025-01-01", 1, "cannot be excluded"),
            ("-\"text\"", 1, "cannot be excluded"),
            ("actor:", 1, "needs a value"),
            ("x \"\"", 3, "empty quotes"),
            ("-", 1, "a lone '-'"),
        ];
        for (query, column, reason) in cases {
            let e = parse_search(query).unwrap_err();
            assert_eq!(e.column, column, "{query}: {e}");
            assert!(e.message.contains(reason), "{query}: {e}");
        }
    }

    fn round_trip(filter: &EventFilter) {
        let text = filter.to_search();
        assert_eq!(parse_search(&text).as_ref(), Ok(filter), "{text}");
    }

    #[test]
    fn a_formatted_filter_parses_back_to_itself() {
        let ip = |s| IpRange::parse(s).unwrap();
        let mut every = EventFilter {
            from: Some(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()),
            until: Some(Utc.with_ymd_and_hms(2025, 2, 1, 13, 45, 10).unwrap()),
            q: Some("leaked  key".into()),
            ..EventFilter::default()
        };
        every.include.actors = vec!["alice@acme.com".into(), "Bob Smith".into()];
        every.include.actions = vec!["user.*".into(), "SECRET_READ".into()];
        every.include.categories = vec!["api_key".into()];
        every.include.target_types = vec!["secret".into()];
        every.include.target_ids = vec!["s:1".into()];
        every.include.ips = vec![ip("10.0.0.0/8"), ip("2001:db8::/32"), ip("::1")];
        every.include.results = vec![EventResult::Failure];
        every.include.environments = vec!["production".into()];
        every.exclude.actors = vec!["api-key:ci".into()];
        every.exclude.results = vec![EventResult::Success];
        every.exclude.ips = vec![ip("2001:db8:85a3::8a2e:370:7334")];
        let mut precise = EventFilter {
            from: Some(Utc.timestamp_opt(1_700_000_000, 123_456_789).unwrap()),
            q: Some("-starts:with a dash".into()),
            ..EventFilter::default()
        };
        precise.include.actors = vec!["-dash".into(), "quote\"inside".into()];
        for filter in [EventFilter::default(), every, precise] {
            round_trip(&filter);
        }
        let words = EventFilter {
            q: Some(r#"6"5 screen"#.into()),
            ..EventFilter::default()
        };
        assert_eq!(words.to_search(), r#"6"5 screen"#);
    }

    /// Found by `tests/fuzz_search.rs`: blank free text, and free text whose spacing, or whose
    /// pieces that look like keys or exclusions, sit beside a double quote, were written back
    /// as a search that parsed to another filter, or to none.
    #[test]
    fn free_text_that_is_blank_or_beside_a_double_quote_survives_a_round_trip() {
        assert_eq!(parse_search("\" \" ").unwrap().q, None);
        for search in [
            "-action:\" \" \" \"\u{1}\"",
            "6\"5 \" screen\"",
            "\"k:v\" a\"b",
            "\"-x\" a\"b",
            "\"a  b\" c\"d",
            "a\"b \" \" c\"d",
        ] {
            let filter = parse_search(search).unwrap_or_else(|e| panic!("{search}: {e}"));
            round_trip(&filter);
        }
    }

    #[test]
    fn uses_the_short_keys_and_dates_where_it_can() {
        let mut f = parse_search("target_type:secret target_id:s1 environment:prod").unwrap();
        f.from = Some(Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap());
        assert_eq!(
            f.to_search(),
            "type:secret target:s1 env:prod after:2025-03-01"
        );
    }

    /// Filters drawn from a fixed pseudo-random sequence survive formatting and parsing.
    #[test]
    fn generated_filters_survive_a_round_trip() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        const PIECES: [&str; 9] = ["a", "B", " ", "-", ":", "*", "@acme.com", "é", "/"];
        const IPS: [&str; 4] = ["10.8.0.5", "203.0.113.0/24", "2001:db8::/48", "::/0"];
        for _ in 0..500 {
            let text = |next: &mut dyn FnMut(usize) -> usize| -> String {
                let s: String = (0..1 + next(6))
                    .map(|_| PIECES[next(PIECES.len())])
                    .collect();
                if s.trim().is_empty() {
                    "x".into()
                } else {
                    s
                }
            };
            let mut f = EventFilter::default();
            for criteria in [&mut f.include, &mut f.exclude] {
                for _ in 0..next(3) {
                    match next(7) {
                        0 => criteria.actors.push(text(&mut next)),
                        1 => criteria.actions.push(text(&mut next)),
                        2 => criteria.categories.push(text(&mut next)),
                        3 => criteria.target_ids.push(text(&mut next)),
                        4 => criteria.environments.push(text(&mut next)),
                        5 => criteria
                            .ips
                            .push(IpRange::parse(IPS[next(IPS.len())]).unwrap()),
                        _ => criteria.results.push(EventResult::Failure),
                    }
                }
            }
            let day = |d: usize| {
                Utc.with_ymd_and_hms(2025, 1, 1 + d as u32, 0, 0, 0)
                    .unwrap()
            };
            f.from = (next(2) == 0).then(|| day(next(10)));
            f.until =
                (next(2) == 0).then(|| day(next(10)) + chrono::Duration::seconds(next(3) as i64));
            f.q = (next(2) == 0).then(|| text(&mut next));
            round_trip(&f);
        }
    }
}
