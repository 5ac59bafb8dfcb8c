//! The organization's settings over REST: `GET` and `PUT /api/v1/settings/retention`
//! (`settings:manage`, which only members hold: from the web app's pages, with their session).

use super::caller::Caller;
use super::client::client_info;
use super::{AppState, HttpError};
use app::model::{ApiError, ErrorCode, RetentionSettings, RetentionUpdate};
use axum::extract::{Request, State};
use axum::Json;

/// Largest settings body read.
const MAX_BODY: usize = 16 * 1024;

/// The retention, legal hold and latest purge.
pub async fn retention(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<RetentionSettings>, HttpError> {
    Ok(Json(state.services.retention(caller.access()).await?))
}

/// Changes the retention and, when given, the legal hold: `{"retention_days": 30,
/// "legal_hold": true}`; answers the settings as they now stand.
pub async fn update_retention(
    State(state): State<AppState>,
    caller: Caller,
    request: Request,
) -> Result<Json<RetentionSettings>, HttpError> {
    let client = client_info(request.headers(), request.extensions(), state.trust_proxy);
    let body = axum::body::to_bytes(request.into_body(), MAX_BODY)
        .await
        .map_err(|_| {
            ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("request body exceeds {MAX_BODY} bytes"),
            )
        })?;
    let update: RetentionUpdate = serde_json::from_slice(&body)
        .map_err(|e| ApiError::invalid(format!("the body is not a retention update: {e}")))?;
    let settings = state
        .services
        .set_retention(caller.access(), caller.actor(), &client, update)
        .await?;
    Ok(Json(settings))
}
