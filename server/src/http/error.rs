//! Errors as HTTP responses: the status of the [`ApiError`] and `{"error": {...}}`.

use app::model::{ApiError, ErrorEnvelope};
use axum::http::header::RETRY_AFTER;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// An [`ApiError`] on its way out as an HTTP response.
#[derive(Debug)]
pub struct HttpError(pub ApiError);

impl From<ApiError> for HttpError {
    fn from(error: ApiError) -> Self {
        Self(error)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.0.retry_after.map(|s| [(RETRY_AFTER, s.to_string())]);
        (status, retry_after, Json(ErrorEnvelope { error: self.0 })).into_response()
    }
}

/// Any `/api/v1` path that names no route.
pub async fn unknown_route() -> HttpError {
    HttpError(ApiError::not_found("route"))
}
