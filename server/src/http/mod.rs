//! The HTTP surface: the `/api/v1` REST adapters, the server functions, and the SPA's files.

mod assets;
mod audit_logs;
mod caller;
mod checkpoints;
mod client;
mod error;
mod events;
mod export;
mod json_body;
mod listener;
mod log_streams;
mod observability;
mod openapi;
mod security_headers;
mod server_fns;
mod settings;
mod shutdown;
mod stream;

use crate::service::slots::Slots;
use crate::service::{Credential, Services};
use axum::http::HeaderName;
use axum::routing::{get, post};
use axum::Router;
use security_headers::SecurityHeaders;
use std::path::Path;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

pub use error::HttpError;
pub use listener::{serve, Timeouts};

/// How the server is reached, as far as HTTP answers depend on it.
#[derive(Clone, Copy, Debug)]
pub struct Deployment {
    /// Whether `X-Forwarded-For` names the client (the server runs behind a proxy).
    pub trust_proxy: bool,
    /// Whether browsers reach the server over HTTPS only (`--secure-cookies`): answers then ask
    /// them never to use plain HTTP for it (HSTS).
    pub https_only: bool,
    /// Whether `/metrics` is served here (not on a `--metrics-bind` address of its own).
    pub metrics_here: bool,
}

impl Default for Deployment {
    /// Direct (no proxy), plain HTTP, metrics on the main address.
    fn default() -> Self {
        Self {
            trust_proxy: false,
            https_only: false,
            metrics_here: true,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    /// Whether `X-Forwarded-For` names the client (the server runs behind a proxy).
    pub trust_proxy: bool,
    /// The live streams each caller holds open.
    pub stream_slots: Arc<Slots<Credential>>,
}

/// The whole application: REST API, server functions, and the SPA's files (see [`assets`]), every
/// answer with the security headers.
pub fn router(services: Arc<Services>, assets_dir: &Path, deployment: Deployment) -> Router {
    // Installed before the first request, so every metric from now on is kept.
    crate::prometheus::handle();
    let security_headers = SecurityHeaders::for_assets(assets_dir, deployment.https_only);
    Router::new()
        .route("/api/v1/events", post(events::ingest))
        .route("/api/v1/audit-logs", get(audit_logs::list))
        .route("/api/v1/audit-logs/export", get(export::export))
        .route("/api/v1/audit-logs/stream", get(stream::stream))
        .route("/api/v1/audit-logs/verify", get(audit_logs::verify))
        .route("/api/v1/audit-logs/{id}", get(audit_logs::get_one))
        .route("/api/v1/audit-logs/{id}/proof", get(checkpoints::inclusion))
        .route("/api/v1/checkpoints", get(checkpoints::list))
        .route("/api/v1/checkpoints/key", get(checkpoints::key))
        .route(
            "/api/v1/checkpoints/consistency",
            get(checkpoints::consistency),
        )
        .route("/api/v1/event-types", get(audit_logs::event_types))
        .route(
            "/api/v1/settings/retention",
            get(settings::retention).put(settings::update_retention),
        )
        .route(
            "/api/v1/streams",
            get(log_streams::list).post(log_streams::create),
        )
        .route(
            "/api/v1/streams/{id}",
            get(log_streams::get_one)
                .patch(log_streams::update)
                .delete(log_streams::delete),
        )
        .route("/api/v1/streams/{id}/test", post(log_streams::test))
        .route(
            "/api/v1/streams/{id}/rotate-secret",
            post(log_streams::rotate_secret),
        )
        .route(
            "/api/v1/streams/{id}/deliveries",
            get(log_streams::deliveries),
        )
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/{*rest}", axum::routing::any(error::unknown_route))
        .route(
            "/api/{*server_fn}",
            get(server_fns::handle).post(server_fns::handle),
        )
        .merge(operator_routes(deployment.metrics_here))
        .route_layer(CatchPanicLayer::custom(error::panic_response))
        .route_layer(axum::middleware::from_fn(observability::observe))
        .route_layer(compression())
        .layer(events::body_limit())
        .with_state(AppState {
            services,
            trust_proxy: deployment.trust_proxy,
            stream_slots: Arc::new(Slots::new(stream::MAX_STREAMS_PER_CALLER)),
        })
        .fallback_service(assets::router(assets_dir))
        .layer(axum::middleware::map_response_with_state(
            security_headers,
            security_headers::add,
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID_HEADER))
        .layer(SetRequestIdLayer::new(REQUEST_ID_HEADER, MakeRequestUuid))
}

/// Answers compressed (brotli or gzip) for clients that ask with `Accept-Encoding`, as browsers
/// do: a page of the list shrinks from ~20 KB to a few. Live streams (`text/event-stream`) and
/// small answers are left as they are (the layer's default predicate). A fast level: the CPU is
/// the audit log's, not the squeezing's. The SPA's files come precompressed (see [`assets`]).
fn compression() -> CompressionLayer {
    CompressionLayer::new().quality(CompressionLevel::Precise(4))
}

/// `/healthz` and `/readyz`, and `/metrics` unless it is served on its own address.
fn operator_routes(with_metrics: bool) -> Router<AppState> {
    let routes = Router::new()
        .route("/healthz", get(observability::healthz))
        .route("/readyz", get(observability::readyz));
    if with_metrics {
        routes.route("/metrics", get(observability::metrics))
    } else {
        routes
    }
}

/// The operator's own address (`--metrics-bind`): health, readiness and metrics only.
pub fn operator_router(services: Arc<Services>) -> Router {
    operator_routes(true).with_state(AppState {
        services,
        trust_proxy: false,
        stream_slots: Arc::new(Slots::new(stream::MAX_STREAMS_PER_CALLER)),
    })
}

/// The request id header, as `tower-http` wants it.
const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static(observability::REQUEST_ID);
