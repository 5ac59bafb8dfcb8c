//! `GET /api/v1/audit-logs/stream?…filters…`: live tail as Server-Sent Events (`audit_event`
//! events whose id is the `seq`, so a reconnecting client resumes with `Last-Event-ID`). When the
//! caller's access ends, a last `error` event says why and the stream closes.

use super::openapi::{
    BadRequest, FilterParams, Forbidden, PaymentRequired, ServerError, StreamEvent, StreamParams,
    TooManyRequests, Unauthorized, UriTooLong,
};
use super::{AppState, HttpError};
use crate::service::Credential;
use app::model::{ApiError, AuditEvent, ErrorCode, ErrorEnvelope, EventQuery};
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

/// Seconds a caller refused for holding too many streams is asked to wait.
const RETRY_AFTER_SECONDS: u64 = 30;

/// Streams the matching events of the caller's organization as they arrive, while its access
/// lasts (the service checks it again before every poll).
#[utoipa::path(
    get,
    path = "/api/v1/audit-logs/stream",
    tag = "audit logs",
    params(FilterParams, StreamParams),
    responses(
        (status = 200, content_type = "text/event-stream", body = StreamEvent,
            description = "Server-Sent Events: `audit_event` (`id:` the `seq`, `data:` the event) \
                           as events arrive; a last `error` (`data:` the error envelope) when \
                           the caller's access ends"),
        BadRequest, Unauthorized, PaymentRequired, Forbidden, TooManyRequests, UriTooLong,
        ServerError,
    ),
    security(("api_key" = ["audit_logs:read"]), ("session" = ["audit_logs:read"]))
)]
pub async fn stream(
    State(state): State<AppState>,
    credential: Credential,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, HttpError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|_| ApiError::invalid("the query string is not valid"))?;
    let query = EventQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok());
    let Some(slot) = state.stream_slots.take(&credential) else {
        return Ok(too_many_streams());
    };
    let events = state
        .services
        .tail(credential, query.filter, resume.or(query.after_seq))
        .await?;
    // The tail ends when the server shuts down, so the graceful shutdown does not wait for it.
    let sse = events
        .take_until(super::shutdown::begun())
        .map(move |item| {
            let _held_until_the_stream_is_dropped = &slot;
            sse_event(item)
        });
    Ok(Sse::new(sse)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// An event as SSE: `audit_event` with the event, or `error` with the error that ends the stream.
fn sse_event(item: Result<AuditEvent, ApiError>) -> Result<Event, axum::Error> {
    match item {
        Ok(event) => Event::default()
            .event("audit_event")
            .id(event.seq.to_string())
            .json_data(&event),
        Err(error) => Event::default()
            .event("error")
            .json_data(ErrorEnvelope { error }),
    }
}

/// Most live streams one session or API key may hold open at once.
pub const MAX_STREAMS_PER_CALLER: usize = 5;

/// 429 with `Retry-After`: the caller already holds the most streams allowed.
fn too_many_streams() -> Response {
    let error = ApiError::new(
        ErrorCode::RateLimited,
        format!(
            "at most {MAX_STREAMS_PER_CALLER} live streams may be open at once per session or \
             API key: close one first"
        ),
    )
    .retry_after(RETRY_AFTER_SECONDS);
    HttpError(error).into_response()
}

#[cfg(test)]
mod tests {
    use super::super::{router, Deployment};
    use super::*;
    use crate::service::testing::TestServices;
    use app::model::Permission;
    use axum::body::Body;
    use axum::http::Request;
    use axum::Router;
    use std::path::Path;
    use std::time::Duration;
    use tower::ServiceExt;

    async fn open(app: &Router, secret: &str) -> Response {
        let request = Request::get("/api/v1/audit-logs/stream")
            .header("authorization", format!("Bearer {secret}"))
            .body(Body::empty())
            .unwrap();
        app.clone().oneshot(request).await.unwrap()
    }

    #[tokio::test]
    async fn a_sixth_stream_of_one_key_gets_429_with_retry_after_until_one_closes() {
        let t = TestServices::new().await;
        let app = router(
            t.services.clone(),
            Path::new("no-web-app"),
            Deployment::default(),
        );
        let (_, secret) = t.key(&[Permission::AuditLogsRead]).await;
        let mut open_streams = Vec::new();
        for _ in 0..MAX_STREAMS_PER_CALLER {
            let response = open(&app, &secret).await;
            assert_eq!(response.status(), 200);
            open_streams.push(response);
        }
        let refused = open(&app, &secret).await;
        assert_eq!(refused.status(), 429);
        assert_eq!(
            refused.headers()[axum::http::header::RETRY_AFTER],
            RETRY_AFTER_SECONDS.to_string().as_str()
        );
        let (_, other) = t.key(&[Permission::AuditLogsRead]).await;
        assert_eq!(open(&app, &other).await.status(), 200, "another key");
        open_streams.pop();
        assert_eq!(open(&app, &secret).await.status(), 200, "a place was freed");
    }

    #[tokio::test]
    async fn a_stream_whose_key_is_deleted_ends_with_an_error_event() {
        let t = TestServices::new().await;
        let app = router(
            t.services.clone(),
            Path::new("no-web-app"),
            Deployment::default(),
        );
        let (key, secret) = t.key(&[Permission::AuditLogsRead]).await;
        let response = open(&app, &secret).await;
        assert_eq!(response.status(), 200);
        let identity = &t.services.stores().identity;
        let mut tx = identity.begin().await.unwrap();
        assert!(tx.delete_api_key(t.org.id, key.id).await.unwrap());
        tx.commit().await.unwrap();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX);
        let body = tokio::time::timeout(Duration::from_secs(10), body)
            .await
            .expect("the stream ends")
            .unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(
            text.starts_with("event: error\ndata: {\"error\":{\"code\":\"unauthorized\""),
            "{text}"
        );
        assert!(text.ends_with("\n\n"), "{text}");
    }
}
