//! Log streams over REST, under `/api/v1/streams` (`webhooks:manage`, which only members hold:
//! from the web app's pages, with their session).

use super::caller::Caller;
use super::client::client_info;
use super::json_body::json_body;
use super::openapi::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, PaymentRequired, ServerError,
    Unauthorized,
};
use super::{AppState, HttpError};
use app::model::{
    ApiError, CreatedLogStream, Delivery, LogStream, LogStreamUpdate, NewLogStream, RotatedSecret,
};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::Json;

/// The organization's streams, by name.
#[utoipa::path(
    get,
    path = "/api/v1/streams",
    tag = "log streams",
    responses(
        (status = 200, description = "The streams, by name", body = Vec<LogStream>),
        Unauthorized, Forbidden, ServerError,
    ),
    security(("session" = ["webhooks:manage"]))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<LogStream>>, HttpError> {
    Ok(Json(state.services.log_streams(caller.access()).await?))
}

/// Creates a stream: `{"name", "destination": {"kind", …}, "filter"?, "credential"?}`; answers
/// 201 with the stream and, for a webhook, its signing secret (shown this once).
#[utoipa::path(
    post,
    path = "/api/v1/streams",
    tag = "log streams",
    request_body = NewLogStream,
    responses(
        (status = 201, description = "The stream, and a webhook's signing secret (shown once)", body = CreatedLogStream),
        BadRequest, Unauthorized, PaymentRequired, Forbidden, Conflict, PayloadTooLarge, ServerError,
    ),
    security(("session" = ["webhooks:manage"]))
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    request: Request,
) -> Result<(StatusCode, Json<CreatedLogStream>), HttpError> {
    let client = client_info(request.headers(), request.extensions(), state.trust_proxy);
    let new: NewLogStream = json_body(request.into_body(), "a new log stream").await?;
    let created = state
        .services
        .create_log_stream(caller.access(), caller.actor(), &client, new)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One stream.
#[utoipa::path(
    get,
    path = "/api/v1/streams/{id}",
    tag = "log streams",
    params(("id" = i64, Path, description = "The stream's id")),
    responses(
        (status = 200, description = "The stream", body = LogStream),
        Unauthorized, Forbidden, NotFound, ServerError,
    ),
    security(("session" = ["webhooks:manage"]))
)]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<LogStream>, HttpError> {
    let id = stream_id(&id)?;
    Ok(Json(state.services.log_stream(caller.access(), id).await?))
}

/// Changes what the body gives (`name`, `destination`, `filter`, `credential`, `paused`).
#[utoipa::path(
    patch,
    path = "/api/v1/streams/{id}",
    tag = "log streams",
    params(("id" = i64, Path, description = "The stream's id")),
    request_body = LogStreamUpdate,
    responses(
        (status = 200, description = "The stream as it now stands", body = LogStream),
        BadRequest, Unauthorized, PaymentRequired, Forbidden, NotFound, Conflict, PayloadTooLarge, ServerError,
    ),
    security(("session" = ["webhooks:manage"]))
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<LogStream>, HttpError> {
    let id = stream_id(&id)?;
    let client = client_info(request.headers(), request.extensions(), state.trust_proxy);
    let update: LogStreamUpdate = json_body(request.into_body(), "a log stream update").await?;
    let stream = state
        .services
        .update_log_stream(caller.access(), caller.actor(), &client, id, update)
        .await?;
    Ok(Json(stream))
}

/// Deletes a stream: 204.
#[utoipa::path(
    delete,
    path = "/api/v1/streams/{id}",
    tag = "log streams",
    params(("id" = i64, Path, description = "The stream's id")),
    responses(
        (status = 204, description = "Deleted"),
        Unauthorized, Forbidden, NotFound, ServerError,
    ),
    security(("session" = ["webhooks:manage"]))
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    request: Request,
) -> Result<StatusCode, HttpError> {
    let id = stream_id(&id)?;
    let client = client_info(request.headers(), request.extensions(), state.trust_proxy);
    state
        .services
        .delete_log_stream(caller.access(), caller.actor(), &client, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives a webhook stream a new signing secret (shown this once).
#[utoipa::path(
    post,
    path = "/api/v1/streams/{id}/rotate-secret",
    tag = "log streams",
    params(("id" = i64, Path, description = "The stream's id")),
    responses(
        (status = 200, description = "The new signing secret (shown once)", body = RotatedSecret),
        BadRequest, Unauthorized, Forbidden, NotFound, ServerError,
    ),
    security(("session" = ["webhooks:manage"]))
)]
pub async fn rotate_secret(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    request: Request,
) -> Result<Json<RotatedSecret>, HttpError> {
    let id = stream_id(&id)?;
    let client = client_info(request.headers(), request.extensions(), state.trust_proxy);
    let rotated = state
        .services
        .rotate_log_stream_secret(caller.access(), caller.actor(), &client, id)
        .await?;
    Ok(Json(rotated))
}

/// Sends a test event now; answers the attempt (200 whether or not the destination took it).
#[utoipa::path(
    post,
    path = "/api/v1/streams/{id}/test",
    tag = "log streams",
    params(("id" = i64, Path, description = "The stream's id")),
    responses(
        (status = 200, description = "The attempt, delivered or not", body = Delivery),
        Unauthorized, Forbidden, NotFound, ServerError,
    ),
    security(("session" = ["webhooks:manage"]))
)]
pub async fn test(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Delivery>, HttpError> {
    let id = stream_id(&id)?;
    let delivery = state
        .services
        .test_log_stream(caller.access(), caller.actor(), id)
        .await?;
    Ok(Json(delivery))
}

/// The stream's latest delivery attempts, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/streams/{id}/deliveries",
    tag = "log streams",
    params(("id" = i64, Path, description = "The stream's id")),
    responses(
        (status = 200, description = "The latest attempts, newest first", body = Vec<Delivery>),
        Unauthorized, Forbidden, NotFound, ServerError,
    ),
    security(("session" = ["webhooks:manage"]))
)]
pub async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<Delivery>>, HttpError> {
    let id = stream_id(&id)?;
    Ok(Json(
        state
            .services
            .log_stream_deliveries(caller.access(), id)
            .await?,
    ))
}

/// A stream id from the path: anything but a positive number names no stream.
fn stream_id(text: &str) -> Result<i64, ApiError> {
    text.parse()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::not_found("log stream"))
}
