//! Runs the server functions with the services and the caller's session in their context.

use super::caller::session_token;
use super::AppState;
use app::api::context::{Backend, RequestContext, Session};
use axum::body::Body;
use axum::extract::State;
use axum::http::Request;
use axum::response::IntoResponse;
use std::sync::Arc;

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
