//! Fuzz harness of the page cursor (`Cursor::decode`, `Cursor::encode`): any text, and any
//! bytes in the cursor's own base64, decode to a cursor that survives its encoding or to a 400,
//! never a panic; and every cursor the server can issue decodes to itself.

mod common;

use app::model::{Cursor, MAX_FILTER_YEAR, MIN_FILTER_YEAR};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Datelike};
use common::{long_text, text};
use proptest::prelude::*;

/// The last microsecond of the year 9999.
const MAX_MICROS: i64 = 253_402_300_799_999_999;

/// The microseconds part as written: any `i64`, plausible ones, and numbers that are not.
fn micros_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (0..=MAX_MICROS).prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| format!("+{n}")),
        text(),
    ]
}

/// The plain text inside a cursor: `micros|id`, or bytes that are not text at all.
fn payload() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => (micros_text(), prop_oneof![4 => text(), 1 => long_text()])
            .prop_map(|(micros, id)| format!("{micros}|{id}").into_bytes()),
        1 => proptest::collection::vec(any::<u8>(), 0..80),
    ]
}

/// A cursor text as a client could send it.
fn cursor_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => payload().prop_map(|p| URL_SAFE_NO_PAD.encode(p)),
        1 => text(),
        1 => "[A-Za-z0-9_=+/-]{0,40}",
    ]
}

/// A cursor the server could issue: an event's time (1970 to 9999) and its id.
fn issued() -> impl Strategy<Value = Cursor> {
    let id = prop_oneof![
        "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
        // Mapped rather than filtered: a filter's rejects add up over a long fuzz run.
        text().prop_map(|id| format!("e{}", id.replace('\0', ""))),
    ];
    (0..=MAX_MICROS, id).prop_filter_map("a representable time", |(micros, id)| {
        DateTime::from_timestamp_micros(micros).map(|occurred_at| Cursor { occurred_at, id })
    })
}

proptest! {
    #![proptest_config(common::config("fuzz_cursor"))]

    #[test]
    fn any_cursor_text_decodes_to_a_cursor_that_round_trips_or_to_a_400(text in cursor_text()) {
        match Cursor::decode(&text) {
            Ok(cursor) => {
                // What every database can take: an id with no NUL, a time in the years events
                // fall in (PostgreSQL refuses both others, which answered a 500).
                prop_assert!(!cursor.id.is_empty() && !cursor.id.contains('\0'), "{:?}", cursor);
                let year = cursor.occurred_at.year();
                prop_assert!((MIN_FILTER_YEAR..=MAX_FILTER_YEAR).contains(&year), "{:?}", cursor);
                prop_assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor));
            }
            Err(error) => prop_assert_eq!(error.status(), 400),
        }
    }

    #[test]
    fn an_issued_cursor_decodes_to_itself(cursor in issued()) {
        let text = cursor.encode();
        prop_assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        prop_assert_eq!(Cursor::decode(&text), Ok(cursor.clone()));
        let json = serde_json::to_string(&cursor).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(serde_json::from_str::<Cursor>(&json).ok(), Some(cursor));
    }

    #[test]
    fn a_cursor_in_json_is_decoded_or_refused(text in cursor_text()) {
        let json = serde_json::Value::String(text.clone()).to_string();
        let decoded = serde_json::from_str::<Cursor>(&json);
        prop_assert_eq!(decoded.ok(), Cursor::decode(&text).ok());
    }
}
