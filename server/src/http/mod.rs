//! The HTTP surface: the `/api/v1` REST adapters, the server functions, and the SPA's files.

mod audit_logs;
mod caller;
mod client;
mod error;
mod events;
mod export;
mod server_fns;
mod stream;

use crate::service::Services;
use axum::routing::{get, post};
use axum::Router;
use std::path::Path;
use std::sync::Arc;
use tower_http::services::{ServeDir, ServeFile};

pub use error::HttpError;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    /// Whether `X-Forwarded-For` names the client (the server runs behind a proxy).
    pub trust_proxy: bool,
}

/// The whole application: REST API, server functions, and the SPA (with `index.html` answering
/// every unknown path so client-side routes survive a reload).
pub fn router(services: Arc<Services>, assets_dir: &Path, trust_proxy: bool) -> Router {
    let spa = ServeDir::new(assets_dir).fallback(ServeFile::new(assets_dir.join("index.html")));
    Router::new()
        .route("/api/v1/events", post(events::ingest))
        .route("/api/v1/audit-logs", get(audit_logs::list))
        .route("/api/v1/audit-logs/export", get(export::export))
        .route("/api/v1/audit-logs/stream", get(stream::stream))
        .route("/api/v1/audit-logs/{id}", get(audit_logs::get_one))
        .route("/api/v1/event-types", get(audit_logs::event_types))
        .route("/api/v1/{*rest}", axum::routing::any(error::unknown_route))
        .route(
            "/api/{*server_fn}",
            get(server_fns::handle).post(server_fns::handle),
        )
        .layer(events::body_limit())
        .with_state(AppState {
            services,
            trust_proxy,
        })
        .fallback_service(spa)
}
