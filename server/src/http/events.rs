//! `POST /api/v1/events`: one event, or `{"events": [...]}` up to 1,000, atomically.

use super::caller::Caller;
use super::{AppState, HttpError};
use app::model::{ApiError, AuditEvent, ErrorCode, EventSource, NewEvent};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use serde_json::Value;

/// Largest accepted request body.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The body-size limit for the API.
pub fn body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MAX_BODY_BYTES)
}

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

/// Parses a request body: a single event or `{"events": [...]}`.
fn parse_body(body: &[u8]) -> Result<Vec<NewEvent>, ApiError> {
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

/// Who hands the events in: the API key, recorded in each event.
fn source(caller: &Caller) -> EventSource {
    match caller {
        Caller::Key { key, .. } => EventSource::ApiKey {
            id: format!("key_{}", key.id),
            name: key.name.clone(),
        },
        // Roles never hold `events:write`, so the service refuses members before this counts.
        Caller::Member(viewer) => EventSource::ApiKey {
            id: format!("user_{}", viewer.user_id),
            name: viewer.email.clone(),
        },
    }
}

/// The answer to an ingest: ids and events in input order.
#[derive(Serialize)]
pub struct Ingested {
    ids: Vec<String>,
    events: Vec<AuditEvent>,
}

/// Stores the posted events and answers `201 {"ids": [...], "events": [...]}` in input order,
/// only after they are committed.
pub async fn ingest(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Ingested>), HttpError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(ErrorCode::PayloadTooLarge, "request body exceeds 1 MiB")
        } else {
            ApiError::invalid(rejection.body_text())
        }
    })?;
    let batch = parse_body(&body)?;
    let events = state
        .services
        .ingest(caller.access(), source(&caller), batch)
        .await?;
    let ids = events.iter().map(|e| e.id.clone()).collect();
    Ok((StatusCode::CREATED, Json(Ingested { ids, events })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_event_and_a_batch_both_parse() {
        let one = br#"{"action":"a.b","actor":{"type":"system","id":"s"}}"#;
        assert_eq!(parse_body(one).unwrap().len(), 1);
        let two = br#"{"events":[{"action":"a","actor":{"type":"system","id":"s"}},
                                 {"action":"b","actor":{"type":"system","id":"s"}}]}"#;
        assert_eq!(parse_body(two).unwrap().len(), 2);
    }

    #[test]
    fn a_bad_event_in_a_batch_names_its_index_and_field() {
        let body = br#"{"events":[{"action":"a","actor":{"type":"system","id":"s"}},
                                  {"action":"b","actor":{"type":"robot","id":"s"}}]}"#;
        let error = parse_body(body).unwrap_err();
        assert_eq!(error.index, Some(1));
        assert_eq!(error.field.as_deref(), Some("actor.type"));
        assert_eq!(error.status(), 400);
    }

    #[test]
    fn non_json_and_non_objects_are_refused() {
        for body in [&b"not json"[..], b"[1,2]", b"\"x\"", br#"{"events": 3}"#] {
            assert_eq!(parse_body(body).unwrap_err().status(), 400);
        }
    }
}
