//! Fuzz harness of the URL query decoder (`EventQuery::from_pairs`): any pairs give a valid
//! query or a 400 naming a field, never a panic; a query's filter survives its own URL pairs;
//! and an RFC 3339 `to` keeps the instant it names.

mod common;
#[path = "common/filters.rs"]
mod filters;

use app::model::{Cursor, EventQuery};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration};
use common::{long_text, text};
use filters::{date_text, filter, ip_text, result_text};
use proptest::prelude::*;
use proptest::sample::select;

/// Every parameter `from_pairs` knows, excluded criteria, and names it must refuse.
const KEYS: &[&str] = &[
    "from",
    "to",
    "q",
    "actor",
    "action",
    "event_type",
    "category",
    "target_type",
    "target_id",
    "ip",
    "result",
    "environment",
    "not_actor",
    "not_action",
    "not_event_type",
    "not_category",
    "not_target_type",
    "not_target_id",
    "not_ip",
    "not_result",
    "not_environment",
    "limit",
    "cursor",
    "include_total",
    "after_seq",
    "not_from",
    "not_q",
    "not_not_actor",
    "through_seq",
    "",
    "Actor",
];

/// A number as typed, around the edges of `u32` and `i64`.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..=1001).prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| format!("+{n}")),
        select(
            &[
                "4294967296",
                "9223372036854775808",
                "-0",
                "1_000",
                " 5",
                "1e3"
            ][..]
        )
        .prop_map(str::to_owned),
    ]
}

/// The last microsecond of the year 9999.
const MAX_MICROS: i64 = 253_402_300_799_999_999;

/// A cursor as a client could send it: one the server issued, or forged bytes.
fn cursor_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (prop_oneof![any::<i64>(), 0i64..=MAX_MICROS], text())
            .prop_map(|(micros, id)| URL_SAFE_NO_PAD.encode(format!("{micros}|{id}"))),
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(|b| URL_SAFE_NO_PAD.encode(b)),
        text(),
    ]
}

/// A value for `key`, suited to it more often than not.
fn value_for(key: &'static str) -> BoxedStrategy<String> {
    let suited = match key.trim_start_matches("not_") {
        "from" | "to" => date_text().boxed(),
        "ip" => ip_text().boxed(),
        "result" => result_text().boxed(),
        "limit" | "after_seq" | "through_seq" => number().boxed(),
        "include_total" => select(&["true", "false", "1", "0", "yes", "TRUE"][..])
            .prop_map(str::to_owned)
            .boxed(),
        "cursor" => cursor_text().boxed(),
        _ => text().boxed(),
    };
    prop_oneof![8 => suited, 1 => text(), 1 => long_text()].boxed()
}

/// Up to a few dozen pairs: enough to pass a field's count and the filter's size.
fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    let pair = select(KEYS).prop_flat_map(|key| (Just(key.to_owned()), value_for(key)));
    let repeated = (select(KEYS), 0usize..60).prop_flat_map(|(key, n)| {
        proptest::collection::vec(value_for(key), n)
            .prop_map(move |values| values.into_iter().map(|v| (key.to_owned(), v)).collect())
    });
    prop_oneof![
        3 => proptest::collection::vec(pair, 0..10),
        1 => repeated,
        1 => filter().prop_map(|f| f.to_pairs()),
    ]
}

/// A query string from arbitrary bytes, split as a form decoder would (without `%` decoding).
fn raw_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(any::<u8>(), 0..200).prop_map(|bytes| {
        String::from_utf8_lossy(&bytes)
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) => (k.to_owned(), v.to_owned()),
                None => (pair.to_owned(), String::new()),
            })
            .collect()
    })
}

fn from_pairs(pairs: &[(String, String)]) -> Result<EventQuery, app::model::ApiError> {
    EventQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// The property: a valid query whose filter survives its URL pairs, or a 400 naming a field.
fn decodes_or_names_the_field(pairs: &[(String, String)]) -> Result<(), TestCaseError> {
    match from_pairs(pairs) {
        Ok(query) => {
            prop_assert_eq!(query.validate(), Ok(()));
            let again = from_pairs(&query.filter.to_pairs());
            prop_assert_eq!(again.map(|q| q.filter), Ok(query.filter));
        }
        Err(error) => {
            prop_assert_eq!(error.status(), 400, "{:?}", error);
            prop_assert!(error.field.is_some(), "{:?}", error);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(common::config("fuzz_filter_query"))]

    #[test]
    fn any_pairs_decode_to_a_query_that_round_trips_or_to_a_400(pairs in pairs()) {
        decodes_or_names_the_field(&pairs)?;
    }

    #[test]
    fn any_query_string_decodes_or_is_refused(pairs in raw_pairs()) {
        decodes_or_names_the_field(&pairs)?;
    }

    #[test]
    fn an_rfc3339_to_includes_the_instant_it_names(to in date_text()) {
        let query = EventQuery::from_pairs([("to", to.as_str())]);
        if let (Ok(instant), Ok(query)) = (DateTime::parse_from_rfc3339(&to), query) {
            let until = query.filter.until;
            prop_assert_eq!(until, Some(instant.to_utc() + Duration::microseconds(1)));
        }
    }

    #[test]
    fn a_cursor_parameter_is_decoded_as_the_cursor_itself_is(text in cursor_text()) {
        let query = EventQuery::from_pairs([("cursor", text.as_str())]);
        prop_assert_eq!(query.map(|q| q.cursor), Cursor::decode(&text).map(Some).map_err(|e| e.with_field("cursor")));
    }
}
