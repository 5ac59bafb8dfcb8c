//! The export's CSV: its columns, RFC 4180 cells that a spreadsheet never runs as formulas, and
//! an event's row, from a decoded event or straight from the log's stored JSON (borrowing its
//! strings, so a whole-log export allocates next to nothing per row).

use super::json_text;
use crate::store::{StoreError, StoreResult};
use app::model::{ActorType, AuditEvent, EventResult};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use std::borrow::Cow;

/// The CSV columns, in order. Stable: scripts depend on it.
pub const CSV_COLUMNS: [&str; 20] = [
    "id",
    "seq",
    "occurred_at",
    "action",
    "category",
    "actor_type",
    "actor_id",
    "actor_email",
    "actor_name",
    "targets",
    "ip",
    "user_agent",
    "location",
    "environment",
    "result",
    "message",
    "details",
    "changes",
    "prev_hash",
    "hash",
];

/// Writes one CSV cell: a cell that a spreadsheet would run as a formula (it starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`; quoting per RFC 4180.
fn push_csv_cell(out: &mut Vec<u8>, value: &str) {
    let neutralise = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = neutralise
        || value
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
    if !quote {
        out.extend_from_slice(value.as_bytes());
        return;
    }
    out.push(b'"');
    if neutralise {
        out.push(b'\'');
    }
    for (i, part) in value.split('"').enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\"\"");
        }
        out.extend_from_slice(part.as_bytes());
    }
    out.push(b'"');
}

/// Writes one row of cells.
pub(super) fn push_csv_row<'a>(out: &mut Vec<u8>, cells: impl IntoIterator<Item = &'a str>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_csv_cell(out, cell);
    }
    out.extend_from_slice(b"\r\n");
}

/// An event's cells: borrowed from a decoded event, or from an event's stored JSON (where
/// targets, details and changes are their JSON text as stored, the text a decoded event
/// re-encodes to).
#[derive(Deserialize)]
pub(super) struct CsvEvent<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    seq: i64,
    occurred_at: DateTime<Utc>,
    #[serde(borrow)]
    action: Cow<'a, str>,
    #[serde(borrow)]
    category: Cow<'a, str>,
    #[serde(borrow)]
    actor: CsvActor<'a>,
    #[serde(borrow, deserialize_with = "json_as_stored")]
    targets: Cow<'a, str>,
    #[serde(borrow)]
    context: CsvContext<'a>,
    result: EventResult,
    #[serde(borrow)]
    message: Cow<'a, str>,
    #[serde(borrow, deserialize_with = "json_as_stored")]
    details: Cow<'a, str>,
    #[serde(borrow, deserialize_with = "json_as_stored")]
    changes: Cow<'a, str>,
    #[serde(borrow)]
    prev_hash: Cow<'a, str>,
    #[serde(borrow)]
    hash: Cow<'a, str>,
}

#[derive(Deserialize)]
struct CsvActor<'a> {
    #[serde(rename = "type")]
    kind: ActorType,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow, default)]
    email: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct CsvContext<'a> {
    #[serde(borrow, default)]
    ip: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    user_agent: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    location: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    environment: Option<Cow<'a, str>>,
}

/// A JSON value's text exactly as stored.
fn json_as_stored<'de, D: Deserializer<'de>>(json: D) -> Result<Cow<'de, str>, D::Error> {
    let raw: &'de RawValue = Deserialize::deserialize(json)?;
    Ok(Cow::Borrowed(raw.get()))
}

impl<'a> CsvEvent<'a> {
    /// The cells of an event's stored JSON.
    pub(super) fn stored(data: &'a str) -> StoreResult<Self> {
        serde_json::from_str(data).map_err(|e| StoreError::Corrupt(format!("event: {e}")))
    }
}

impl<'a> From<&'a AuditEvent> for CsvEvent<'a> {
    fn from(e: &'a AuditEvent) -> Self {
        let text = |value: &'a Option<String>| value.as_deref().map(Cow::Borrowed);
        Self {
            id: Cow::Borrowed(&e.id),
            seq: e.seq,
            occurred_at: e.occurred_at,
            action: Cow::Borrowed(&e.action),
            category: Cow::Borrowed(&e.category),
            actor: CsvActor {
                kind: e.actor.kind,
                id: Cow::Borrowed(&e.actor.id),
                email: text(&e.actor.email),
                name: text(&e.actor.name),
            },
            targets: Cow::Owned(json_text(&e.targets)),
            context: CsvContext {
                ip: text(&e.context.ip),
                user_agent: text(&e.context.user_agent),
                location: text(&e.context.location),
                environment: text(&e.context.environment),
            },
            result: e.result,
            message: Cow::Borrowed(&e.message),
            details: Cow::Owned(json_text(&e.details)),
            changes: Cow::Owned(json_text(&e.changes)),
            prev_hash: Cow::Borrowed(&e.prev_hash),
            hash: Cow::Borrowed(&e.hash),
        }
    }
}

/// Writes an event's row, its cells in [`CSV_COLUMNS`]' order.
pub(super) fn push_csv_event(out: &mut Vec<u8>, e: &CsvEvent) {
    fn text<'a>(value: &'a Option<Cow<str>>) -> &'a str {
        value.as_deref().unwrap_or_default()
    }
    let (actor, context) = (&e.actor, &e.context);
    let seq = e.seq.to_string();
    let occurred_at = e.occurred_at.to_rfc3339_opts(SecondsFormat::Micros, true);
    let cells: [&str; 20] = [
        &e.id,
        &seq,
        &occurred_at,
        &e.action,
        &e.category,
        actor.kind.as_str(),
        &actor.id,
        text(&actor.email),
        text(&actor.name),
        &e.targets,
        text(&context.ip),
        text(&context.user_agent),
        text(&context.location),
        text(&context.environment),
        e.result.as_str(),
        &e.message,
        &e.details,
        &e.changes,
        &e.prev_hash,
        &e.hash,
    ];
    push_csv_row(out, cells);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(value: &str) -> String {
        let mut out = Vec::new();
        push_csv_cell(&mut out, value);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn formula_cells_are_neutralised_and_quoted() {
        assert_eq!(
            cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(cell("+1"), "\"'+1\"");
        assert_eq!(cell("-2+3"), "\"'-2+3\"");
        assert_eq!(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(cell("\tcmd"), "\"'\tcmd\"");
        assert_eq!(cell("\rcmd"), "\"'\rcmd\"");
    }

    #[test]
    fn plain_cells_are_quoted_only_when_rfc_4180_needs_it() {
        assert_eq!(cell("alice@acme.com"), "alice@acme.com");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell(""), "");
    }
}
