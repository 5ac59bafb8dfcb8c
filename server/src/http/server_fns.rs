//! Runs the server functions with the services, the caller's session, address and device in
//! their context; refuses cross-site calls.

use super::client::{client_info, cookie, same_origin};
use super::{AppState, HttpError};
use crate::service::{DEVICE_COOKIE, SESSION_COOKIE};
use app::api::context::{Backend, RequestContext, Session};
use app::model::{ApiError, ErrorCode};
use axum::body::Body;
use axum::extract::State;
use axum::http::Request;
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
    leptos_axum::handle_server_fns_with_context(provide, request)
        .await
        .into_response()
}
