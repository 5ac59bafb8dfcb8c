//! `GET /api/v1/audit-logs[/{id}]` and `/api/v1/event-types` against the real server:
//! credentials, plans, isolation, filters and keyset pagination under concurrent inserts.

mod common;

use common::{event, TestServer};
use serde_json::{json, Value};
use std::collections::HashSet;

/// Posts `n` events in batches, `occurred_at` one second apart going back from `start`.
async fn ingest_spread(
    server: &TestServer,
    key: &str,
    n: usize,
    start: chrono::DateTime<chrono::Utc>,
) {
    let events: Vec<Value> = (0..n)
        .map(|i| {
            let mut e = event(i);
            e["occurred_at"] = json!((start - chrono::Duration::seconds(i as i64)).to_rfc3339());
            e
        })
        .collect();
    for chunk in events.chunks(500) {
        let (status, body) = server.ingest(key, &json!({ "events": chunk })).await;
        assert_eq!(status, 201, "{body}");
    }
}

#[tokio::test]
async fn missing_wrong_or_underscoped_keys_get_401_and_403() {
    let server = TestServer::start();
    server.org("acme", "pro");
    let writer = server.key("acme", "events:write");
    let reader = server.key("acme", "audit_logs:read");

    let res = server
        .http
        .get(server.url("/api/v1/audit-logs"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let (status, body) = server.get("atr_not-a-real-key", "/api/v1/audit-logs").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let (status, body) = server.get(&writer, "/api/v1/audit-logs").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    let (status, _) = server.get(&writer, "/api/v1/event-types").await;
    assert_eq!(status, 403);
    let (status, body) = server.ingest(&reader, &event(1)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
}

#[tokio::test]
async fn a_free_plan_may_ingest_but_reading_needs_a_paid_plan() {
    let server = TestServer::start();
    server.org("tiny", "free");
    let key = server.key("tiny", "events:write,audit_logs:read");
    let (status, _) = server.ingest(&key, &event(1)).await;
    assert_eq!(status, 201);
    let (status, body) = server.get(&key, "/api/v1/audit-logs").await;
    assert_eq!(status, 402, "{body}");
    assert_eq!(body["error"]["code"], "payment_required");
}

#[tokio::test]
async fn organizations_never_see_each_others_events() {
    let server = TestServer::start();
    server.org("acme", "pro");
    server.org("globex", "pro");
    let acme = server.key("acme", "events:write,audit_logs:read");
    let globex = server.key("globex", "events:write,audit_logs:read");
    let (_, body) = server.ingest(&acme, &event(1)).await;
    let id = body["ids"][0].as_str().unwrap().to_owned();

    let (status, body) = server
        .get(&globex, &format!("/api/v1/audit-logs/{id}"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (_, body) = server
        .get(&globex, "/api/v1/audit-logs?include_total=true")
        .await;
    assert_eq!(body["total"], 0);
    let (_, body) = server.ingest(&globex, &event(2)).await;
    assert_eq!(
        body["events"][0]["seq"], 1,
        "each organization has its own sequence"
    );
}

#[tokio::test]
async fn filters_narrow_the_list_and_bad_parameters_are_refused() {
    let server = TestServer::start();
    server.org("acme", "pro");
    let key = server.key("acme", "events:write,audit_logs:read");
    let batch = json!({"events": [
        {"action": "auth.login.failure", "occurred_at": "2025-01-10T12:00:00Z", "result": "failure",
         "actor": {"type": "user", "id": "u_bob", "email": "bob@acme.com"}},
        {"action": "SECRET_READ", "occurred_at": "2025-01-15T12:00:00Z",
         "actor": {"type": "api_key", "id": "k_ci", "name": "ci-deploy"},
         "targets": [{"type": "secret", "id": "s1", "name": "DATABASE_URL"}]},
        {"action": "user.invited", "occurred_at": "2025-01-31T23:59:59Z",
         "actor": {"type": "user", "id": "u_alice", "email": "alice@acme.com"}},
        {"action": "user.invited", "occurred_at": "2025-02-01T00:00:00Z",
         "actor": {"type": "user", "id": "u_alice", "email": "alice@acme.com"}}
    ]});
    assert_eq!(server.ingest(&key, &batch).await.0, 201);

    let count = |query: &'static str| {
        let server = &server;
        let key = key.clone();
        async move {
            let (status, body) = server
                .get(
                    &key,
                    &format!("/api/v1/audit-logs?include_total=true&{query}"),
                )
                .await;
            assert_eq!(status, 200, "{query}: {body}");
            assert_eq!(
                body["data"].as_array().unwrap().len() as u64,
                body["total"].as_u64().unwrap()
            );
            body["total"].as_u64().unwrap()
        }
    };
    assert_eq!(count("action=user.invited").await, 2);
    assert_eq!(
        count("event_type=SECRET_READ&event_type=auth.login.failure").await,
        2
    );
    assert_eq!(count("category=auth").await, 1);
    assert_eq!(count("actor=api-key:ci-deploy").await, 1);
    assert_eq!(count("actor=BOB@acme.com").await, 1);
    assert_eq!(count("actor=u_alice").await, 2);
    assert_eq!(
        count("from=2025-01-15&to=2025-01-31").await,
        2,
        "a date `to` includes its whole day"
    );
    assert_eq!(
        count("to=2025-01-31T23:59:59Z").await,
        3,
        "an RFC 3339 `to` includes that instant"
    );
    assert_eq!(count("from=2025-02-01T00:00:00%2B00:00").await, 1);

    for bad in [
        "limit=0",
        "limit=1001",
        "from=last-tuesday",
        "cursor=garbage!",
        "colour=red",
        "include_total=maybe",
    ] {
        let (status, body) = server.get(&key, &format!("/api/v1/audit-logs?{bad}")).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body["error"]["field"].is_string(), "{bad}: {body}");
    }
}

#[tokio::test]
async fn keyset_pages_have_no_duplicates_or_gaps_while_events_are_inserted() {
    let server = TestServer::start();
    server.org("acme", "pro");
    let key = server.key("acme", "events:write,audit_logs:read");
    let now = chrono::Utc::now();
    ingest_spread(&server, &key, 400, now - chrono::Duration::hours(1)).await;
    let (_, first) = server.get(&key, "/api/v1/audit-logs?limit=1000").await;
    let original: Vec<String> = first["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(original.len(), 400);

    // Another client keeps inserting, both newer and older than the page being read.
    let writer = {
        let base = server.base.clone();
        let key = key.clone();
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            for round in 0..20i64 {
                let at = |offset: i64| (now - chrono::Duration::minutes(30 + offset)).to_rfc3339();
                let mut newer = event(1000);
                newer["occurred_at"] = json!(now.to_rfc3339());
                let mut older = event(2000);
                older["occurred_at"] = json!(at(60 + round));
                let res = http
                    .post(format!("{base}/api/v1/events"))
                    .bearer_auth(&key)
                    .json(&json!({"events": [newer, older]}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
            }
        })
    };

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/api/v1/audit-logs?limit=37".to_owned();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let (status, page) = server.get(&key, &path).await;
        assert_eq!(status, 200, "{page}");
        for e in page["data"].as_array().unwrap() {
            seen.push(e["id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => {
                assert_eq!(page["has_more"], true);
                cursor = Some(c.to_owned());
            }
            None => {
                assert_eq!(page["has_more"], false);
                break;
            }
        }
    }
    writer.await.unwrap();

    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a page repeated an event");
    for id in &original {
        assert!(unique.contains(id), "event {id} was skipped");
    }
}

#[tokio::test]
async fn event_types_lists_the_catalogue() {
    let server = TestServer::start();
    server.org("acme", "pro");
    let key = server.key("acme", "audit_logs:read");
    let (status, body) = server.get(&key, "/api/v1/event-types").await;
    assert_eq!(status, 200);
    let types = body.as_array().unwrap();
    assert!(types.len() >= 130, "only {} event types", types.len());
    assert!(types
        .iter()
        .any(|t| t["key"] == "SECRET_READ" && t["category"] == "secret"));
    let (status, body) = server.get(&key, "/api/v1/no-such-route").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}

#[tokio::test]
async fn investigation_filters_and_collector_polling_work_over_http() {
    let server = TestServer::start();
    server.org("acme", "pro");
    let key = server.key("acme", "events:write,audit_logs:read");
    let batch = json!({"events": [
        {"action": "SECRET_READ", "occurred_at": "2025-01-15T12:00:00Z",
         "actor": {"type": "api_key", "id": "k_ci", "name": "ci-deploy"},
         "targets": [{"type": "secret", "id": "sec_stripe", "name": "STRIPE_SECRET_KEY"}],
         "context": {"ip": "185.220.101.34", "environment": "production"}},
        {"action": "SECRET_SET", "occurred_at": "2025-01-16T12:00:00Z", "result": "failure",
         "actor": {"type": "user", "id": "u_bob", "email": "bob@acme.com"},
         "targets": [{"type": "secret", "id": "sec_db", "name": "DATABASE_URL"}],
         "context": {"ip": "10.8.0.5", "environment": "staging"}},
        {"action": "user.invited", "occurred_at": "2020-01-01T00:00:00Z",
         "actor": {"type": "user", "id": "u_alice", "email": "alice@acme.com"},
         "targets": [{"type": "user", "id": "u_carol", "name": "carol@acme.com"}],
         "context": {"ip": "2001:db8::7"}, "details": {"note": "Quarterly access review"}}
    ]});
    assert_eq!(server.ingest(&key, &batch).await.0, 201);
    let count = |query: &'static str| {
        let (server, key) = (&server, key.clone());
        async move {
            let (status, body) = server
                .get(
                    &key,
                    &format!("/api/v1/audit-logs?include_total=true&{query}"),
                )
                .await;
            assert_eq!(status, 200, "{query}: {body}");
            body["total"].as_u64().unwrap()
        }
    };
    assert_eq!(count("ip=10.0.0.0/8").await, 1);
    assert_eq!(count("ip=2001:db8::/32").await, 1);
    assert_eq!(count("ip=185.220.101.34").await, 1);
    assert_eq!(count("target_type=secret").await, 2);
    assert_eq!(count("target_id=sec_stripe").await, 1);
    assert_eq!(count("result=failure").await, 1);
    assert_eq!(count("environment=production").await, 1);
    assert_eq!(count("action=SECRET_*").await, 2);
    assert_eq!(
        count("not_environment=production").await,
        2,
        "events without an environment stay"
    );
    assert_eq!(
        count("q=quarterly").await,
        1,
        "free text searches details, case-insensitively"
    );
    assert_eq!(
        count("q=stripe_secret").await,
        1,
        "free text searches target names"
    );

    // Collector mode: seq order, whatever the occurred_at.
    let (_, page) = server
        .get(&key, "/api/v1/audit-logs?after_seq=1&limit=1")
        .await;
    assert_eq!(page["data"][0]["seq"], 2);
    assert_eq!(page["next_after_seq"], 2);
    assert_eq!(page["has_more"], true);
    let (_, page) = server.get(&key, "/api/v1/audit-logs?after_seq=2").await;
    assert_eq!(
        page["data"][0]["action"], "user.invited",
        "a late event with an old time is not skipped"
    );
    assert_eq!(page["next_after_seq"], 3);
}

#[tokio::test]
async fn the_live_stream_sends_matching_events_as_they_arrive() {
    let server = TestServer::start();
    server.org("acme", "pro");
    let key = server.key("acme", "events:write,audit_logs:read");
    server.ingest(&key, &event(0)).await;
    let mut res = server
        .http
        .get(server.url("/api/v1/audit-logs/stream?result=failure"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let mut failed = event(2);
    failed["result"] = json!("failure");
    let batch = json!({"events": [event(1), failed]});
    assert_eq!(server.ingest(&key, &batch).await.0, 201);

    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !text.contains("\n\n") {
        let chunk = tokio::time::timeout_at(deadline, res.chunk())
            .await
            .expect("an event within 10 s");
        text.push_str(&String::from_utf8_lossy(&chunk.unwrap().unwrap()));
    }
    assert!(text.contains("event: audit_event"), "{text}");
    assert!(
        text.contains("id: 3"),
        "only the failure (seq 3) matches: {text}"
    );
    let data = text.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
    let sent: Value = serde_json::from_str(data).unwrap();
    assert_eq!(sent["details"]["n"], 2);
}

/// GETs `path` with the given `Accept-Encoding`.
async fn get_accepting(
    server: &TestServer,
    key: &str,
    path: &str,
    encodings: &str,
) -> reqwest::Response {
    server
        .http
        .get(server.url(path))
        .bearer_auth(key)
        .header("accept-encoding", encodings)
        .send()
        .await
        .unwrap()
}

/// GETs `path` asking for gzip; answers the compressed length and the decompressed body, after
/// checking the answer was 200 and gzip-encoded (a body cut short fails to decompress).
async fn get_gzip(server: &TestServer, key: &str, path: &str) -> (usize, String) {
    use std::io::Read;
    let res = get_accepting(server, key, path, "gzip").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let compressed = res.bytes().await.unwrap();
    let mut body = String::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_string(&mut body)
        .expect("the whole body, compressed to its end");
    (compressed.len(), body)
}

#[tokio::test]
async fn answers_are_compressed_for_clients_that_ask_and_live_streams_are_not() {
    let server = TestServer::start();
    server.org("acme", "pro");
    let writer = server.key("acme", "events:write");
    let reader = server.key("acme", "audit_logs:read");
    ingest_spread(&server, &writer, 50, chrono::Utc::now()).await;
    let (_, plain) = server.get(&reader, "/api/v1/audit-logs?limit=50").await;

    let (compressed, json) = get_gzip(&server, &reader, "/api/v1/audit-logs?limit=50").await;
    assert!(
        compressed * 3 < json.len(),
        "{compressed} of {}",
        json.len()
    );
    assert_eq!(serde_json::from_str::<Value>(&json).unwrap(), plain);

    let exporter = server.key("acme", "audit_logs:read,audit_logs:export");
    let export = "/api/v1/audit-logs/export?format=ndjson";
    let (_, ndjson) = get_gzip(&server, &exporter, export).await;
    assert_eq!(ndjson.lines().count(), 50);

    let stream = get_accepting(&server, &reader, "/api/v1/audit-logs/stream", "gzip, br").await;
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    assert!(stream.headers().get("content-encoding").is_none());
}
