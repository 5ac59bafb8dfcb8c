//! `GET /api/v1/audit-logs/stream?…filters…`: live tail as Server-Sent Events (`audit_event`
//! events whose id is the `seq`, so a reconnecting client resumes with `Last-Event-ID`).

use super::caller::Caller;
use super::{AppState, HttpError};
use app::model::{ApiError, EventQuery, Permission};
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};

/// Streams the caller's organization's matching events as they arrive.
pub async fn stream(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Sse<impl Stream<Item = Result<Event, ApiError>>>, HttpError> {
    caller.access().require(Permission::AuditLogsRead)?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|_| ApiError::invalid("the query string is not valid"))?;
    let query = EventQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok());
    let events = state
        .services
        .tail(
            caller.access().org_id,
            query.filter,
            resume.or(query.after_seq),
        )
        .await?;
    let sse = events.map(|event| {
        let event = event?;
        Event::default()
            .event("audit_event")
            .id(event.seq.to_string())
            .json_data(&event)
            .map_err(|_| ApiError::internal())
    });
    Ok(Sse::new(sse).keep_alive(KeepAlive::default()))
}
