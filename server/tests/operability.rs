//! What an operator's tooling reads: health, readiness, Prometheus metrics and request ids.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::in_process::App;
use serde_json::json;

#[tokio::test]
async fn health_and_readiness_answer_and_name_what_they_checked() {
    let app = App::start().await;
    let health = app
        .raw(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    assert_eq!((health.0, health.1.as_str()), (200, r#"{"status":"ok"}"#));
    let ready = app
        .raw(Request::get("/readyz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(ready.0, 200, "{}", ready.1);
    let ready: serde_json::Value = serde_json::from_str(&ready.1).unwrap();
    assert_eq!(ready["database"], true);
    assert_eq!(ready["schema_current"], true);
    assert_eq!(ready["own_events_pending"], 0);
    assert_eq!(ready["index_lag_events"], 0);
}

#[tokio::test]
async fn readiness_counts_the_events_no_signed_checkpoint_holds_yet() {
    let (app, key) = App::with_writer().await;
    let events: Vec<_> = (0..3).map(common::event).collect();
    let (status, body) = app.ingest(&key, &json!({ "events": events })).await;
    assert_eq!(status, 201, "{body}");
    assert!(unsigned_events(&app).await.as_u64().unwrap() >= 3);
    app.services.catch_up().await.unwrap();
    assert_eq!(
        unsigned_events(&app).await,
        0,
        "the checkpoint holds every event"
    );
}

/// What `/readyz` says of the events no signed checkpoint holds yet.
async fn unsigned_events(app: &App) -> serde_json::Value {
    let (_, body) = app
        .raw(Request::get("/readyz").body(Body::empty()).unwrap())
        .await;
    serde_json::from_str::<serde_json::Value>(&body).unwrap()["unsigned_events"].clone()
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_a_given_one_is_echoed() {
    let app = App::start().await;
    let response = app
        .response(
            Request::get("/api/v1/event-types")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let given = Request::get("/healthz")
        .header("x-request-id", "trace-me-42")
        .body(Body::empty())
        .unwrap();
    let response = app.response(given).await;
    assert_eq!(response.headers()["x-request-id"], "trace-me-42");
}
