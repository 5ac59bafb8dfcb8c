//! What operators watch: `/healthz` (the process is up), `/readyz` (the database answers with
//! the current schema), `/metrics` (Prometheus text), and a request id and a span on every
//! API request, its latency and status counted by declared route.

use super::AppState;
use crate::prometheus::{self, HTTP_DURATION, HTTP_REQUESTS};
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::time::Instant;
use tracing::Instrument;

/// The header that carries a request's id, echoed on its response.
pub const REQUEST_ID: &str = "x-request-id";

/// `GET /healthz`: the process is up.
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// `GET /readyz`: 200 when the database answers with the current schema, else 503.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let readiness = state.services.readiness().await;
    let status = if readiness.ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(readiness)).into_response()
}

/// `GET /metrics`: every metric in the Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> Response {
    state.services.update_gauges().await;
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4")],
        prometheus::handle().render(),
    )
        .into_response()
}

/// Runs an API request inside a span named by its request id and declared route, then counts
/// it by method, route and status and records its latency.
pub async fn observe(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let route = matched.map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let method = request.method().to_string();
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let span = tracing::info_span!("request", request_id = %id, %method, %route);
    let started = Instant::now();
    let response = next.run(request).instrument(span.clone()).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    span.in_scope(|| tracing::info!(status, ms = seconds * 1000.0, "answered"));
    metrics::counter!(HTTP_REQUESTS, "method" => method.clone(), "route" => route.clone(), "status" => status.to_string())
        .increment(1);
    metrics::histogram!(HTTP_DURATION, "method" => method, "route" => route).record(seconds);
    response
}
