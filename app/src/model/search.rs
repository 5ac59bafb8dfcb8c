//! The search box syntax, parsed into the typed [`EventFilter`]:
//! `actor:alice@acme.com action:user.* category:api_key -result:success ip:10.0.0.0/8
//! after:2025-01-01 before:2025-02-01 "free text"`.
//!
//! Terms are `key:value` (a leading `-` excludes), quoted or bare words (free text). Values may
//! be quoted (`actor:"Bob Smith"`). A bad query is an error naming the column and the reason.

use super::filter::{Criteria, EventFilter, EventQuery};
use std::fmt;

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
                    None => "a lone '-' excludes nothing".into(),
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

/// Parses a search into a filter.
pub fn parse_search(text: &str) -> Result<EventFilter, SearchError> {
    let mut pairs: Vec<(String, String, usize)> = Vec::new();
    let mut free_text: Vec<String> = Vec::new();
    for term in terms(text)? {
        let fail = |message: String| SearchError {
            column: term.column,
            message,
        };
        match term.key.as_deref() {
            None if term.negated => return Err(fail("free text cannot be excluded".into())),
            None => free_text.push(term.value),
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
    let mut filter = EventFilter::default();
    for (param, value, column) in &pairs {
        // `before:` is exclusive: the same bound as `from` on the other side.
        let parsed = if param == "to_exclusive" {
            EventQuery::from_pairs([("from", value.as_str())]).map(|q| filter.until = q.filter.from)
        } else {
            EventQuery::from_pairs([(param.as_str(), value.as_str())])
                .map(|q| merge(&mut filter, q.filter))
        };
        parsed.map_err(|e| SearchError {
            column: *column,
            message: e.message,
        })?;
    }
    if !free_text.is_empty() {
        filter.q = Some(free_text.join(" "));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EventResult;

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
        ];
        for (query, column, reason) in cases {
            let e = parse_search(query).unwrap_err();
            assert_eq!(e.column, column, "{query}: {e}");
            assert!(e.message.contains(reason), "{query}: {e}");
        }
    }
}
