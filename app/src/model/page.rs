//! A page of events and the opaque keyset cursor that continues it.

use super::error::ApiError;
use super::event::AuditEvent;
use super::filter_bounds::MAX_FILTER_YEAR;
use super::new_event::MIN_EVENT_YEAR;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

/// Rows per page when the caller does not say.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// Most rows one page may hold.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// The position after the last row of a page: newest-first order is (`occurred_at`, `id`)
/// descending, so the next page holds the rows strictly below this pair.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Cursor {
    pub occurred_at: DateTime<Utc>,
    pub id: String,
}

impl Cursor {
    /// The cursor that continues after `event`.
    pub fn after(event: &AuditEvent) -> Self {
        Self {
            occurred_at: event.occurred_at,
            id: event.id.clone(),
        }
    }

    /// The opaque text form handed to clients.
    pub fn encode(&self) -> String {
        let plain = format!("{}|{}", self.occurred_at.timestamp_micros(), self.id);
        URL_SAFE_NO_PAD.encode(plain)
    }

    /// Parses a cursor previously returned by [`Cursor::encode`].
    pub fn decode(text: &str) -> Result<Self, ApiError> {
        let invalid = || ApiError::invalid("cursor is not one this server issued");
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
        let plain = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (micros, id) = plain.split_once('|').ok_or_else(invalid)?;
        // Issued cursors hold an event's time and id: any other year, or a NUL, is forged, and
        // PostgreSQL would refuse it in the query (years before 4713 BC, NUL in text).
        let occurred_at = micros
            .parse::<i64>()
            .ok()
            .and_then(DateTime::from_timestamp_micros)
            .filter(|t| (MIN_EVENT_YEAR..=MAX_FILTER_YEAR).contains(&t.year()))
            .ok_or_else(invalid)?;
        if id.is_empty() || id.contains('\0') {
            return Err(invalid());
        }
        Ok(Self {
            occurred_at,
            id: id.to_owned(),
        })
    }
}

impl From<Cursor> for String {
    fn from(c: Cursor) -> Self {
        c.encode()
    }
}

impl TryFrom<String> for Cursor {
    type Error = ApiError;

    fn try_from(text: String) -> Result<Self, ApiError> {
        Cursor::decode(&text)
    }
}

/// One page of events, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EventPage {
    pub data: Vec<AuditEvent>,
    /// Continue with this cursor; `None` on the last page.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub next_cursor: Option<Cursor>,
    pub has_more: bool,
    /// In collector mode (`after_seq`): the `after_seq` to poll with next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_after_seq: Option<i64>,
    /// Every matching event, when the request asked for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_through_its_opaque_text() {
        let c = Cursor {
            occurred_at: DateTime::from_timestamp_micros(1_735_689_600_123_456).unwrap(),
            id: "0193f1a0-0000-7000-8000-000000000001".into(),
        };
        let text = c.encode();
        assert!(text
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_'));
        assert_eq!(Cursor::decode(&text).unwrap(), c);
    }

    #[test]
    fn cursor_rejects_tampered_or_foreign_text() {
        for bad in [
            "",
            "!!",
            "bm90aGluZw",
            &URL_SAFE_NO_PAD.encode("abc|x"),
            &URL_SAFE_NO_PAD.encode("5|"),
        ] {
            assert!(Cursor::decode(bad).is_err(), "{bad}");
        }
    }

    /// Found by `tests/fuzz_cursor.rs`: each of these answered a 500 on PostgreSQL (NUL in a
    /// text parameter; a time before 4713 BC), or named a year no event has.
    #[test]
    fn cursor_rejects_a_nul_in_its_id_and_times_no_event_has() {
        for plain in [
            "1735689600000000|u\0",
            "-8000000000000000000|x",
            "-1|x",
            "+253402300800000000| ",
        ] {
            let text = URL_SAFE_NO_PAD.encode(plain);
            assert_eq!(
                Cursor::decode(&text).unwrap_err().status(),
                400,
                "{plain:?}"
            );
        }
    }
}
