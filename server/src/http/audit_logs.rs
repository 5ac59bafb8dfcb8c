//! `GET /api/v1/audit-logs`, `GET /api/v1/audit-logs/{id}`, `GET /api/v1/audit-logs/verify` and
//! `GET /api/v1/event-types`.

use super::caller::Caller;
use super::{AppState, HttpError};
use app::catalog::{EventTypeInfo, ENTRIES};
use app::model::{ApiError, AuditEvent, ChainVerification, EventPage, EventQuery, Permission};
use axum::extract::{Path, RawQuery, State};
use axum::Json;

/// A page of the caller's organization's events matching the query parameters.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<EventPage>, HttpError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|_| ApiError::invalid("the query string is not valid"))?;
    let query = EventQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    Ok(Json(
        state.services.list_events(caller.access(), query).await?,
    ))
}

/// One event of the caller's organization.
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AuditEvent>, HttpError> {
    Ok(Json(state.services.event(caller.access(), &id).await?))
}

/// Verifies the caller's organization's whole hash chain.
pub async fn verify(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ChainVerification>, HttpError> {
    Ok(Json(
        state
            .services
            .verify_chain(caller.access(), &|_, _| {})
            .await?,
    ))
}

/// The built-in event catalogue.
pub async fn event_types(caller: Caller) -> Result<Json<Vec<EventTypeInfo>>, HttpError> {
    caller.access().require(Permission::AuditLogsRead)?;
    Ok(Json(ENTRIES.iter().map(EventTypeInfo::from).collect()))
}
