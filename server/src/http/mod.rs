//! The HTTP surface: the `/api/v1` REST adapters, the server functions, and the SPA's files.

mod assets;
mod audit_logs;
mod caller;
mod client;
mod error;
mod events;
mod export;
mod security_headers;
mod server_fns;
mod stream;
mod stream_slots;

use crate::service::Services;
use axum::routing::{get, post};
use axum::Router;
use security_headers::SecurityHeaders;
use std::path::Path;
use std::sync::Arc;
use stream_slots::StreamSlots;

pub use error::HttpError;

/// How the server is reached, as far as HTTP answers depend on it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Deployment {
    /// Whether `X-Forwarded-For` names the client (the server runs behind a proxy).
    pub trust_proxy: bool,
    /// Whether browsers reach the server over HTTPS only (`--secure-cookies`): answers then ask
    /// them never to use plain HTTP for it (HSTS).
    pub https_only: bool,
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    /// Whether `X-Forwarded-For` names the client (the server runs behind a proxy).
    pub trust_proxy: bool,
    /// The live streams each caller holds open.
    pub stream_slots: Arc<StreamSlots>,
}

/// The whole application: REST API, server functions, and the SPA's files (see [`assets`]), every
/// answer with the security headers.
pub fn router(services: Arc<Services>, assets_dir: &Path, deployment: Deployment) -> Router {
    let security_headers = SecurityHeaders::for_assets(assets_dir, deployment.https_only);
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
            trust_proxy: deployment.trust_proxy,
            stream_slots: Arc::default(),
        })
        .fallback_service(assets::router(assets_dir))
        .layer(axum::middleware::map_response_with_state(
            security_headers,
            security_headers::add,
        ))
}
