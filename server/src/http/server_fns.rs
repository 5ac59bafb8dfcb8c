//! Runs the server functions with the services and the caller's session in their context.

use super::AppState;
use crate::service::SESSION_COOKIE;
use app::api::context::{Backend, RequestContext, Session};
use axum::body::Body;
use axum::extract::State;
use axum::http::header::COOKIE;
use axum::http::{HeaderMap, Request};
use axum::response::IntoResponse;
use std::sync::Arc;

/// The session token in the request's cookies, if any.
fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

/// Resolves the session, then hands the request to the server function it names.
pub async fn handle(State(state): State<AppState>, request: Request<Body>) -> impl IntoResponse {
    let mut session = None;
    if let Some(token) = session_token(request.headers()) {
        match state.services.session_viewer(&token).await {
            Ok(Some(viewer)) => session = Some(Session { token, viewer }),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "session lookup failed"),
        }
    }
    let backend: Arc<dyn Backend> = state.services.clone();
    let provide = move || {
        RequestContext {
            backend: backend.clone(),
            session: session.clone(),
        }
        .provide()
    };
    leptos_axum::handle_server_fns_with_context(provide, request).await
}
