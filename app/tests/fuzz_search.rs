//! Fuzz harness of the search syntax (`parse_search`, `EventFilter::to_search`): any text
//! parses to a valid filter or to an error naming a column inside it, never a panic; and every
//! filter the parser gives is written back as a search that parses to that same filter.

mod common;
#[path = "common/filters.rs"]
mod filters;

use app::model::{parse_search, MAX_SEARCH_LEN};
use common::{long_text, text};
use filters::{date_text, filter, ip_text, result_text, word};
use proptest::prelude::*;
use proptest::sample::select;

/// Every key the syntax knows, including the one it reserves for ends.
const KEYS: &[&str] = &[
    "actor",
    "action",
    "event",
    "category",
    "type",
    "target_type",
    "target",
    "target_id",
    "ip",
    "result",
    "env",
    "environment",
    "after",
    "before",
];

/// Keys it does not know: a URL parameter's name, an empty key, the wrong case.
const UNKNOWN_KEYS: &[&str] = &["q", "from", "", "Actor"];

/// A value as it could follow `key:`, suited to the key more often than not.
fn value_for(key: &'static str) -> BoxedStrategy<String> {
    let suited = match key {
        "ip" => ip_text().boxed(),
        "result" => result_text().boxed(),
        "after" | "before" | "from" => date_text().boxed(),
        _ => word().boxed(),
    };
    prop_oneof![6 => suited, 1 => text()].boxed()
}

/// One term: `-`? `key:`? then a bare or quoted value; or free text.
fn term() -> impl Strategy<Value = String> {
    let key = prop_oneof![12 => select(KEYS), 1 => select(UNKNOWN_KEYS)];
    let keyed = (proptest::bool::weighted(0.25), key)
        .prop_flat_map(|(negated, key)| (Just(negated), Just(key), value_for(key), any::<bool>()))
        .prop_map(|(negated, key, value, quoted)| {
            let sign = if negated { "-" } else { "" };
            if quoted {
                format!("{sign}{key}:\"{value}\"")
            } else {
                format!("{sign}{key}:{value}")
            }
        });
    let free = (word(), any::<bool>()).prop_map(|(value, quoted)| {
        if quoted {
            format!("\"{value}\"")
        } else {
            value
        }
    });
    prop_oneof![3 => keyed, 1 => free]
}

/// Terms between runs of whitespace, ASCII or not.
fn terms() -> impl Strategy<Value = String> {
    let space = select(&[" ", " ", " ", "  ", "\t", "\n", "\u{3000}", "\u{a0}", ""][..]);
    proptest::collection::vec((term(), space), 0..12).prop_map(|terms| {
        terms
            .into_iter()
            .flat_map(|(term, space)| [term, space.to_owned()])
            .collect()
    })
}

/// A search: anything, something too long, a plausible query, or a filter's own writing.
fn search() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => text(),
        1 => long_text(),
        6 => terms(),
        2 => filter().prop_map(|f| f.to_search()),
    ]
}

/// The property: a valid filter that survives its writing, or an error inside the text.
fn parses_or_explains(text: &str) -> Result<(), TestCaseError> {
    match parse_search(text) {
        Ok(filter) => {
            prop_assert_eq!(filter.validate(), Ok(()));
            let written = filter.to_search();
            prop_assert!(written.len() <= MAX_SEARCH_LEN, "{} bytes", written.len());
            prop_assert_eq!(
                parse_search(&written),
                Ok(filter),
                "written back as {:?}",
                written
            );
        }
        Err(error) => {
            prop_assert!(!error.message.is_empty());
            let columns = text.chars().count().max(1);
            prop_assert!(
                (1..=columns).contains(&error.column),
                "column {} of {}: {}",
                error.column,
                columns,
                error
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(common::config("fuzz_search"))]

    #[test]
    fn any_search_parses_to_a_filter_that_round_trips_or_to_an_error(text in search()) {
        parses_or_explains(&text)?;
    }

    #[test]
    fn any_filter_writes_a_search_that_parses_without_panicking(filter in filter()) {
        parses_or_explains(&filter.to_search())?;
    }
}
