//! `GET /api/v1/audit-logs`, `GET /api/v1/audit-logs/{id}`, `GET /api/v1/audit-logs/verify` and
//! `GET /api/v1/event-types`.

use super::caller::Caller;
use super::openapi::{
    BadRequest, FilterParams, Forbidden, NotFound, PageParams, PaymentRequired, ServerError,
    TooManyRequests, Unauthorized, UriTooLong,
};
use super::{AppState, HttpError};
use app::catalog::{EventTypeInfo, ENTRIES};
use app::model::{ApiError, AuditEvent, ChainVerification, EventPage, EventQuery, Permission};
use axum::extract::{Path, RawQuery, State};
use axum::Json;

/// A page of the caller's organization's events matching the query parameters.
#[utoipa::path(
    get,
    path = "/api/v1/audit-logs",
    tag = "audit logs",
    params(FilterParams, PageParams),
    responses(
        (status = 200, description = "Newest first (in `seq` order with `after_seq`)", body = EventPage),
        BadRequest, Unauthorized, PaymentRequired, Forbidden, UriTooLong, ServerError,
    ),
    security(("api_key" = ["audit_logs:read"]), ("session" = ["audit_logs:read"]))
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/audit-logs/{id}",
    tag = "audit logs",
    params(("id" = String, Path, description = "The event's id")),
    responses(
        (status = 200, description = "The event", body = AuditEvent),
        Unauthorized, PaymentRequired, Forbidden, NotFound, ServerError,
    ),
    security(("api_key" = ["audit_logs:read"]), ("session" = ["audit_logs:read"]))
)]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AuditEvent>, HttpError> {
    Ok(Json(state.services.event(caller.access(), &id).await?))
}

/// Verifies the caller's organization's whole hash chain.
#[utoipa::path(
    get,
    path = "/api/v1/audit-logs/verify",
    tag = "audit logs",
    responses(
        (status = 200, description = "Whether the chain holds, and where it breaks", body = ChainVerification),
        Unauthorized, PaymentRequired, Forbidden, TooManyRequests, ServerError,
    ),
    security(("api_key" = ["audit_logs:read"]), ("session" = ["audit_logs:read"]))
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/event-types",
    tag = "audit logs",
    responses(
        (status = 200, description = "Every known event key", body = [EventTypeInfo]),
        Unauthorized, PaymentRequired, Forbidden, ServerError,
    ),
    security(("api_key" = ["audit_logs:read"]), ("session" = ["audit_logs:read"]))
)]
pub async fn event_types(caller: Caller) -> Result<Json<Vec<EventTypeInfo>>, HttpError> {
    caller.access().require(Permission::AuditLogsRead)?;
    Ok(Json(ENTRIES.iter().map(EventTypeInfo::from).collect()))
}
