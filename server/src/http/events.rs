//! `POST /api/v1/events`: one event, or `{"events": [...]}` up to 1,000, atomically.

use super::caller::Caller;
use super::openapi::{
    BadRequest, Conflict, Forbidden, IngestBody, PayloadTooLarge, ServerError, TooManyRequests,
    Unauthorized,
};
use super::{AppState, HttpError};
use app::model::{parse_ingest_body, ApiError, AuditEvent, ErrorCode, EventSource};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;

/// Largest accepted request body.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The body-size limit for the API.
pub fn body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MAX_BODY_BYTES)
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
#[derive(Serialize, utoipa::ToSchema)]
pub struct Ingested {
    ids: Vec<String>,
    events: Vec<AuditEvent>,
}

/// Stores the posted events and answers `201 {"ids": [...], "events": [...]}` in input order,
/// only after they are committed.
#[utoipa::path(
    post,
    path = "/api/v1/events",
    tag = "events",
    request_body(content = IngestBody, description = "One event, or `{\"events\": [...]}`"),
    responses(
        (status = 201, description = "Stored, in input order", body = Ingested),
        BadRequest, Unauthorized, Forbidden, Conflict, PayloadTooLarge, TooManyRequests,
        ServerError,
    ),
    security(("api_key" = ["events:write"]))
)]
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
    let batch = parse_ingest_body(&body)?;
    let events = state
        .services
        .ingest(caller.access(), source(&caller), batch)
        .await?;
    let ids = events.iter().map(|e| e.id.clone()).collect();
    Ok((StatusCode::CREATED, Json(Ingested { ids, events })))
}
