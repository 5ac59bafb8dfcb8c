//! Errors as HTTP responses: the status of the [`ApiError`] and `{"error": {...}}`.

use app::model::{ApiError, ErrorEnvelope};
use axum::http::header::RETRY_AFTER;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::any::Any;

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

/// A handler's panic as its client sees it: 500 with the JSON error. The panic's message goes
/// to the log, inside the request's span (so with its request id); the process serves on.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a request handler panicked");
    HttpError(ApiError::internal()).into_response()
}

/// Any `/api/v1` path that names no route.
pub async fn unknown_route() -> HttpError {
    HttpError(ApiError::not_found("route"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;
    use tower_http::catch_panic::CatchPanicLayer;

    #[tokio::test]
    async fn a_panicking_handler_answers_500_json_and_the_service_keeps_serving() {
        let app = Router::new()
            .route("/boom", get(|| async { panic!("boom") as &str }))
            .route("/fine", get(|| async { "fine" }))
            .route_layer(CatchPanicLayer::custom(panic_response));
        let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
        let answer = app.clone().oneshot(get("/boom")).await.unwrap();
        assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(answer.into_body(), 1024)
            .await
            .unwrap();
        let envelope: ErrorEnvelope = serde_json::from_slice(&body).unwrap();
        assert_eq!(envelope.error, ApiError::internal());
        let answer = app.oneshot(get("/fine")).await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
    }
}
