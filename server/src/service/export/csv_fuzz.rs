//! Fuzz harness of the export's CSV writer: whatever the cells hold, the output reads back as
//! CSV with one row per event and the same number of fields in each, every cell as written,
//! and no cell a spreadsheet would run as a formula (one starting with `=`, `+`, `-`, `@`, a
//! tab or a carriage return comes back behind a `'`).
//!
//! The cases come from `PROPTEST_CASES` (256 when unset; `scripts/fuzz.sh` raises it);
//! failures are kept in `server/proptest-regressions/service/export/csv_fuzz.txt`.

use super::{push_csv_event, push_csv_row, CsvEvent, CSV_COLUMNS};
use app::model::{
    Actor, ActorType, AuditEvent, Change, EventContext, EventResult, EventSource, Target,
};
use chrono::DateTime;
use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;
use proptest::sample::select;

/// What a spreadsheet takes as the start of a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Cell text: formula starters, CSV's own separators and quotes, line breaks, NUL, and
/// anything else.
fn text() -> impl Strategy<Value = String> {
    let pieces = &[
        "=", "+", "-", "@", "\t", "\r", "\n", "\r\n", "\"", "\"\"", ",", ";", "'", " ", "\0",
        "\u{feff}", "\u{85}", "\u{2028}", "a", "é", "1", "=1+1", "@SUM(A1)", "-2+3",
    ][..];
    let piece = prop_oneof![
        4 => select(pieces).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
        1 => "\\PC{0,6}",
    ];
    vec(piece, 0..6).prop_map(|pieces| pieces.concat())
}

/// A cell as it must read back: behind a `'` when it starts like a formula.
fn neutralised(cell: &str) -> String {
    if cell.starts_with(FORMULA_STARTS) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// The CSV read back as rows of fields, any count per row.
fn read_back(bytes: &[u8]) -> Result<Vec<Vec<String>>, TestCaseError> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .map(|record| {
            let record = record.map_err(|e| TestCaseError::fail(e.to_string()))?;
            Ok(record.iter().map(str::to_owned).collect())
        })
        .collect()
}

fn optional_text() -> impl Strategy<Value = Option<String>> {
    of(text())
}

/// An event with text from [`text`] in every field the CSV writes.
fn event() -> impl Strategy<Value = AuditEvent> {
    let actor = (
        select(&[ActorType::User, ActorType::ApiKey, ActorType::System][..]),
        text(),
        optional_text(),
        optional_text(),
    )
        .prop_map(|(kind, id, email, name)| Actor {
            kind,
            id,
            email,
            name,
        });
    let targets = vec(
        (text(), text(), optional_text()).prop_map(|(kind, id, name)| Target { kind, id, name }),
        0..3,
    );
    let context = (
        optional_text(),
        optional_text(),
        optional_text(),
        optional_text(),
    )
        .prop_map(|(ip, user_agent, location, environment)| EventContext {
            ip,
            user_agent,
            location,
            environment,
            ..EventContext::default()
        });
    let details = vec((text(), text()), 0..3).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::from(v)))
            .collect()
    });
    let changes = vec(
        (text(), text()).prop_map(|(field, after)| Change {
            field,
            before: serde_json::Value::Null,
            after: after.into(),
        }),
        0..2,
    );
    let ids = (text(), 0i64..i64::MAX, text(), text(), text(), text());
    let when =
        (0i64..253_402_300_799_999_999).prop_filter_map("a time", DateTime::from_timestamp_micros);
    (ids, when, actor, targets, context, details, changes).prop_map(
        |(
            (id, seq, action, category, message, hash),
            at,
            actor,
            targets,
            context,
            details,
            changes,
        )| {
            AuditEvent {
                id,
                seq,
                action,
                category,
                occurred_at: at,
                received_at: at,
                actor,
                targets,
                context,
                result: EventResult::Failure,
                details,
                changes,
                message,
                idempotency_key: None,
                source: Some(EventSource::Auditrail),
                prev_hash: hash.clone(),
                hash,
            }
        },
    )
}

proptest! {
    #[test]
    fn any_cells_read_back_as_written_with_formulas_neutralised(
        rows in vec(vec(text(), CSV_COLUMNS.len()), 1..5)
    ) {
        // The header first, as in an export (a reader takes a BOM that opens a file for one).
        let mut out = Vec::new();
        push_csv_row(&mut out, CSV_COLUMNS);
        for row in &rows {
            push_csv_row(&mut out, row.iter().map(String::as_str));
        }
        let read = read_back(&out)?;
        prop_assert_eq!(read.len(), rows.len() + 1);
        let expected: Vec<Vec<String>> = rows
            .iter()
            .map(|row| row.iter().map(|cell| neutralised(cell)).collect())
            .collect();
        prop_assert_eq!(&read[1..], &expected[..]);
    }

    #[test]
    fn any_events_export_as_one_row_each_with_every_column(events in vec(event(), 0..4)) {
        let mut out = Vec::new();
        push_csv_row(&mut out, CSV_COLUMNS);
        for event in &events {
            push_csv_event(&mut out, &CsvEvent::from(event));
        }
        let read = read_back(&out)?;
        prop_assert_eq!(read.len(), events.len() + 1);
        prop_assert_eq!(&read[0], &CSV_COLUMNS);
        for (row, event) in read[1..].iter().zip(&events) {
            prop_assert_eq!(row.len(), CSV_COLUMNS.len());
            prop_assert!(
                row.iter().all(|cell| !cell.starts_with(FORMULA_STARTS)),
                "{:?}",
                row
            );
            prop_assert_eq!(&row[6], &neutralised(&event.actor.id));
            prop_assert_eq!(&row[15], &neutralised(&event.message));
        }
    }

    #[test]
    fn an_events_stored_json_gives_the_row_of_the_decoded_event(event in event()) {
        let stored = serde_json::to_string(&event).unwrap();
        let (mut from_stored, mut from_event) = (Vec::new(), Vec::new());
        push_csv_event(&mut from_stored, &CsvEvent::stored(&stored).unwrap());
        push_csv_event(&mut from_event, &CsvEvent::from(&event));
        prop_assert_eq!(
            String::from_utf8(from_stored).unwrap(),
            String::from_utf8(from_event).unwrap()
        );
    }
}
