//! The organization's settings over REST: `GET` and `PUT /api/v1/settings/retention`
//! (`settings:manage`, which only members hold: from the web app's pages, with their session).

use super::caller::Caller;
use super::client::client_info;
use super::json_body::json_body;
use super::openapi::{BadRequest, Conflict, Forbidden, PayloadTooLarge, ServerError, Unauthorized};
use super::{AppState, HttpError};
use app::model::{RetentionSettings, RetentionUpdate};
use axum::extract::{Request, State};
use axum::Json;

/// The retention, legal hold and latest purge.
#[utoipa::path(
    get,
    path = "/api/v1/settings/retention",
    tag = "settings",
    responses(
        (status = 200, description = "The retention settings", body = RetentionSettings),
        Unauthorized, Forbidden, ServerError,
    ),
    security(("session" = ["settings:manage"]))
)]
pub async fn retention(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<RetentionSettings>, HttpError> {
    Ok(Json(state.services.retention(caller.access()).await?))
}

/// Changes the retention and, when given, the legal hold: `{"retention_days": 30,
/// "legal_hold": true}`; answers the settings as they now stand.
#[utoipa::path(
    put,
    path = "/api/v1/settings/retention",
    tag = "settings",
    request_body = RetentionUpdate,
    responses(
        (status = 200, description = "The settings as they now stand", body = RetentionSettings),
        BadRequest, Unauthorized, Forbidden, Conflict, PayloadTooLarge, ServerError,
    ),
    security(("session" = ["settings:manage"]))
)]
pub async fn update_retention(
    State(state): State<AppState>,
    caller: Caller,
    request: Request,
) -> Result<Json<RetentionSettings>, HttpError> {
    let client = client_info(request.headers(), request.extensions(), state.trust_proxy);
    let update: RetentionUpdate = json_body(request.into_body(), "a retention update").await?;
    let settings = state
        .services
        .set_retention(caller.access(), caller.actor(), &client, update)
        .await?;
    Ok(Json(settings))
}
