//! Prometheus metrics move with what the server does. One test alone in its binary: the metrics
//! recorder is the process's, and `cargo test` runs a binary's tests side by side in one.

mod common;

use common::in_process::App;
use serde_json::json;

#[tokio::test]
async fn metrics_parse_and_their_counters_move_with_ingest() {
    let (app, key) = App::with_writer().await;
    let ingested = "auditrail_events_ingested_total";
    let requests = "auditrail_http_requests_total";
    let created = [("route", "/api/v1/events"), ("status", "201")];
    let chain_events = "auditrail_chain_events";
    let before = (
        app.metric(ingested, &[]).await,
        app.metric(requests, &created).await,
        app.metric(chain_events, &[]).await,
    );
    let batch = json!({"events": [
        {"action": "user.login", "actor": {"type": "user", "id": "u1"}},
        {"action": "user.login", "actor": {"type": "user", "id": "u2"}},
        {"action": "user.login", "actor": {"type": "user", "id": "u3"}, "idempotency_key": "k"},
    ]});
    assert_eq!(app.ingest(&key, &batch).await.0, 201);
    let retry = json!({"action": "user.login", "actor": {"type": "user", "id": "u3"}, "idempotency_key": "k"});
    assert_eq!(app.ingest(&key, &retry).await.0, 201);
    let after = (
        app.metric(ingested, &[]).await,
        app.metric(requests, &created).await,
        app.metric(chain_events, &[]).await,
    );
    // The only test of this binary (the recorder is the process's): three new events, the
    // retry not counted.
    assert_eq!(after.0 - before.0, 3.0, "{before:?} → {after:?}");
    assert_eq!(after.1 - before.1, 2.0, "{before:?} → {after:?}");
    // The chains' gauge holds them too (and any self-audit event linked meanwhile).
    assert!(after.2 - before.2 >= 3.0, "{before:?} → {after:?}");
    assert!(app.metric("auditrail_chains", &[]).await >= 1.0);
}
