//! Runs the server functions with the services, the caller's session, address and device in
//! their context; refuses cross-site calls.

use super::client::{client_info, cookie, same_origin};
use super::{AppState, HttpError};
use crate::service::{DEVICE_COOKIE, SESSION_COOKIE};
use app::api::backend::{Backend, Session};
use app::api::context::RequestContext;
use app::model::{ApiError, ErrorCode, ErrorEnvelope};
use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Checks the origin, resolves the session, then hands the request to the server function it
/// names.
pub async fn handle(State(state): State<AppState>, request: Request<Body>) -> Response {
    let headers = request.headers();
    if !same_origin(headers) {
        let error = ApiError::new(ErrorCode::Forbidden, "cross-site requests are not allowed");
        return HttpError(error).into_response();
    }
    let mut session = None;
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        match state.services.session_viewer(&token).await {
            Ok(Some(viewer)) => session = Some(Session { token, viewer }),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "session lookup failed"),
        }
    }
    let client = client_info(headers, request.extensions(), state.trust_proxy);
    let device = cookie(headers, DEVICE_COOKIE);
    let backend: Arc<dyn Backend> = state.services.clone();
    let provide = move || {
        RequestContext {
            backend: backend.clone(),
            session: session.clone(),
            client: client.clone(),
            device: device.clone(),
        }
        .provide()
    };
    let response = leptos_axum::handle_server_fns_with_context(provide, request)
        .await
        .into_response();
    with_error_status(response).await
}

/// Largest error body read back to find its status.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Errors raised before a server function's body runs (an argument that does not parse) leave
/// the framework's 500; give them the status of their error code instead.
async fn with_error_status(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return HttpError(ApiError::internal()).into_response();
    };
    if let Ok(envelope) = serde_json::from_slice::<ErrorEnvelope>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(envelope.error.status()) {
            parts.status = status;
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
