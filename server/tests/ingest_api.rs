//! `POST /api/v1/events` against the real server: batches, validation, idempotency, chain.

mod common;

use common::{event, TestServer};
use serde_json::{json, Value};

async fn total(server: &TestServer, key: &str) -> u64 {
    let (status, body) = server
        .get(key, "/api/v1/audit-logs?include_total=true&limit=1")
        .await;
    assert_eq!(status, 200, "{body}");
    body["total"].as_u64().expect("total")
}

#[tokio::test]
async fn ingests_one_event_and_answers_it_committed_with_message_and_chain() {
    let server = TestServer::start();
    server.org("acme", "pro");
    let key = server.key("acme", "events:write,audit_logs:read");

    let (status, body) = server.ingest(&key, &event(1)).await;
    assert_eq!(status, 201, "{body}");
    let stored = &body["events"][0];
    assert_eq!(body["ids"][0], stored["id"]);
    assert_eq!(stored["seq"], 1);
    assert_eq!(stored["category"], "user");
    assert_eq!(
        stored["message"],
        "user1@acme.com was invited by alice@acme.com"
    );
    assert_eq!(stored["prev_hash"], "0".repeat(64));
    assert_eq!(stored["hash"].as_str().unwrap().len(), 64);

    let id = stored["id"].as_str().unwrap();
    let (status, fetched) = server.get(&key, &format!("/api/v1/audit-logs/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(&fetched, stored);
}

#[tokio::test]
async fn a_batch_keeps_input_order_and_links_each_event_to_the_previous() {
    let server = TestServer::start();
    server.org("acme", "pro");
    let key = server.key("acme", "events:write");
    let batch: Vec<Value> = (0..20).map(event).collect();
    let (status, body) = server.ingest(&key, &json!({ "events": batch })).await;
    assert_eq!(status, 201, "{body}");
    let events = body["events"].as_array().unwrap();
    assert_eq!(events.len(), 20);
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["details"]["n"], i);
        assert_eq!(e["seq"], i + 1);
        if i > 0 {
            assert_eq!(e["prev_hash"], events[i - 1]["hash"]);
        }
    }
}

#[tokio::test]
async fn rejects_every_bad_input_with_a_json_error_and_writes_nothing() {
    let server = TestServer::start();
    server.org("acme", "pro");
    let key = server.key("acme", "events:write,audit_logs:read");
    let future = (chrono::Utc::now() + chrono::Duration::minutes(10)).to_rfc3339();
    let mut bad_action = event(1);
    bad_action["action"] = json!("user invited");
    let mut unknown_field = event(1);
    unknown_field["colour"] = json!("red");
    let mut bad_actor = event(1);
    bad_actor["actor"]["type"] = json!("robot");
    let mut no_actor = event(1);
    no_actor.as_object_mut().unwrap().remove("actor");
    let mut in_future = event(1);
    in_future["occurred_at"] = json!(future);
    let mut huge_details = event(1);
    huge_details["details"] = json!({"blob": "x".repeat(17 * 1024)});
    let mut bad_ip = event(1);
    bad_ip["context"]["ip"] = json!("999.1.1.1");
    let mut bad_result = event(1);
    bad_result["result"] = json!("maybe");
    let too_many: Vec<Value> = (0..1001).map(event).collect();

    // (what, body, the field the error must name)
    let cases: Vec<(&str, Value, Option<&str>)> = vec![
        ("invalid action", bad_action, Some("action")),
        ("unknown field", unknown_field, None),
        ("bad actor type", bad_actor, Some("actor.type")),
        ("missing actor", no_actor, None),
        ("future occurred_at", in_future, Some("occurred_at")),
        ("details over 16 KiB", huge_details, Some("details")),
        ("bad ip", bad_ip, Some("context.ip")),
        ("bad result", bad_result, Some("result")),
        ("empty batch", json!({"events": []}), Some("events")),
        ("1001 events", json!({"events": too_many}), Some("events")),
        ("events not an array", json!({"events": {}}), Some("events")),
        ("not an object", json!([1, 2]), None),
        (
            "one bad event in a batch",
            json!({"events": [event(1), event(2), {"action": "", "actor": {"type": "user", "id": "u"}}]}),
            Some("action"),
        ),
    ];
    for (name, body, field) in cases {
        let (got, answer) = server.ingest(&key, &body).await;
        assert_eq!(got, 400, "{name}: {answer}");
        let error = &answer["error"];
        assert!(
            error["code"].is_string() && error["message"].is_string(),
            "{name}: {answer}"
        );
        if let Some(field) = field {
            assert_eq!(error["field"], field, "{name}: {answer}");
        }
        if name == "one bad event in a batch" {
            assert_eq!(error["index"], 2, "{answer}");
        }
    }

    let res = server
        .http
        .post(server.url("/api/v1/events"))
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, answer) = common::status_and_json(res).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (400, Some("invalid_request"))
    );

    let blob = "x".repeat(1024 * 1024 + 10);
    let res = server
        .http
        .post(server.url("/api/v1/events"))
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body(blob)
        .send()
        .await
        .unwrap();
    let (status, answer) = common::status_and_json(res).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (413, Some("payload_too_large"))
    );

    assert_eq!(
        total(&server, &key).await,
        0,
        "a rejected request wrote something"
    );
}

#[tokio::test]
async fn an_idempotent_retry_returns_the_original_and_different_content_conflicts() {
    let server = TestServer::start();
    server.org("acme", "pro");
    let key = server.key("acme", "events:write,audit_logs:read");
    let mut first = event(1);
    first["idempotency_key"] = json!("invite-42");

    let (status, original) = server.ingest(&key, &first).await;
    assert_eq!(status, 201);
    let (status, retry) = server.ingest(&key, &first).await;
    assert_eq!(status, 201);
    assert_eq!(retry["events"][0], original["events"][0]);

    let mut changed = first.clone();
    changed["details"]["n"] = json!(2);
    let batch = json!({"events": [event(5), changed]});
    let (status, answer) = server.ingest(&key, &batch).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error"]["index"], 1);
    assert_eq!(answer["error"]["field"], "idempotency_key");

    let twice_in_one_batch = json!({"events": [
        {"action": "a.b", "actor": {"type": "system", "id": "s"}, "idempotency_key": "k"},
        {"action": "a.b", "actor": {"type": "system", "id": "s"}, "idempotency_key": "k"}
    ]});
    let (status, answer) = server.ingest(&key, &twice_in_one_batch).await;
    assert_eq!(status, 201);
    assert_eq!(answer["events"][0], answer["events"][1]);

    assert_eq!(
        total(&server, &key).await,
        2,
        "retries and the conflicting batch wrote nothing new"
    );
}

#[tokio::test]
async fn unknown_actions_are_accepted_with_a_generic_sentence_and_prefix_category() {
    let server = TestServer::start();
    server.org("acme", "pro");
    let key = server.key("acme", "events:write");
    let body = json!({"action": "deploy.finished", "actor": {"type": "api_key", "id": "k1", "name": "ci"},
                      "targets": [{"type": "service", "id": "s1", "name": "billing"}]});
    let (status, answer) = server.ingest(&key, &body).await;
    assert_eq!(status, 201);
    assert_eq!(answer["events"][0]["category"], "deploy");
    assert_eq!(
        answer["events"][0]["message"],
        "api-key:ci performed deploy.finished on billing"
    );

    let given =
        json!({"action": "x", "category": "custom", "actor": {"type": "system", "id": "s"}});
    let (_, answer) = server.ingest(&key, &given).await;
    assert_eq!(answer["events"][0]["category"], "custom");
}

#[tokio::test]
async fn ingest_waits_with_429_while_the_index_is_too_far_behind_and_resumes_once_it_caught_up() {
    let (app, key) = common::in_process::App::with_writer().await;
    app.services.stores().backlog.limit_to(30);
    let batch = |from: usize| json!({ "events": (from..from + 20).map(event).collect::<Vec<_>>() });
    let (status, body) = app.ingest(&key, &batch(0)).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = app.ingest(&key, &batch(20)).await;
    assert_eq!(status, 201, "under the limit when it started: {body}");

    let head = body["events"][19]["seq"].clone();
    let (status, body) = app.ingest(&key, &batch(40)).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["code"], "rate_limited");
    assert_eq!(body["error"]["retry_after"], 1);

    app.services.catch_up().await.expect("catch up");
    let (status, body) = app.ingest(&key, &batch(40)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["events"][0]["seq"],
        head.as_i64().unwrap() + 1,
        "nothing of the refused batch was stored"
    );
}
