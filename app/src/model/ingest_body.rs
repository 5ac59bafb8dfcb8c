//! The body of `POST /api/v1/events`, decoded into [`NewEvent`]s: one event, or
//! `{"events": [...]}`. Decoding only; [`NewEvent::validate`] checks each event's rules.

use super::error::{ApiError, ErrorCode};
use super::new_event::NewEvent;
use serde_json::Value;

/// Parses one posted event, naming the offending field on failure.
fn parse_event(value: Value, index: Option<usize>) -> Result<NewEvent, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        let error = ApiError::new(ErrorCode::ValidationFailed, e.inner().to_string());
        let error = if field == "." {
            error
        } else {
            error.with_field(field)
        };
        match index {
            Some(i) => error.at_index(i),
            None => error,
        }
    })
}

/// Parses an ingest request body: a single event or `{"events": [...]}`. Every failure is a
/// 400 naming the field (and, in a batch, the event's index).
pub fn parse_ingest_body(body: &[u8]) -> Result<Vec<NewEvent>, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid(format!("body is not valid JSON: {e}")))?;
    let Value::Object(mut object) = value else {
        return Err(ApiError::invalid(
            "body must be an event object or {\"events\": [...]}",
        ));
    };
    match object.remove("events") {
        Some(Value::Array(events)) if object.is_empty() => events
            .into_iter()
            .enumerate()
            .map(|(i, e)| parse_event(e, Some(i)))
            .collect(),
        Some(_) => Err(
            ApiError::invalid("events must be the only key and hold an array").with_field("events"),
        ),
        None => parse_event(Value::Object(object), None).map(|e| vec![e]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_event_and_a_batch_both_parse() {
        let one = br#"{"action":"a.b","actor":{"type":"system","id":"s"}}"#;
        assert_eq!(parse_ingest_body(one).unwrap().len(), 1);
        let two = br#"{"events":[{"action":"a","actor":{"type":"system","id":"s"}},
                                 {"action":"b","actor":{"type":"system","id":"s"}}]}"#;
        assert_eq!(parse_ingest_body(two).unwrap().len(), 2);
    }

    #[test]
    fn a_bad_event_in_a_batch_names_its_index_and_field() {
        let body = br#"{"events":[{"action":"a","actor":{"type":"system","id":"s"}},
                                  {"action":"b","actor":{"type":"robot","id":"s"}}]}"#;
        let error = parse_ingest_body(body).unwrap_err();
        assert_eq!(error.index, Some(1));
        assert_eq!(error.field.as_deref(), Some("actor.type"));
        assert_eq!(error.status(), 400);
    }

    #[test]
    fn non_json_and_non_objects_are_refused() {
        for body in [&b"not json"[..], b"[1,2]", b"\"x\"", br#"{"events": 3}"#] {
            assert_eq!(parse_ingest_body(body).unwrap_err().status(), 400);
        }
    }
}
