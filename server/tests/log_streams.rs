//! Log streams against real receivers started by the tests: a webhook endpoint checking the
//! Standard Webhooks signature, Splunk HEC and Datadog endpoints checking their formats, and
//! Debian's rsyslog over TCP. Delivery is complete and in `seq` order through a receiver outage
//! and a server killed mid-delivery; destinations on internal addresses are refused unless the
//! operator allows them.

mod common;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use common::receiver::{HttpReceiver, Received, Rsyslog};
use common::{event, status_and_json, TestServer};
use hmac::{Hmac, Mac};
use reqwest::header::COOKIE;
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct-horse";

/// A server that may reach local receivers, with `acme`, its admin's session and an ingest key.
async fn server() -> (TestServer, String, String) {
    let server = TestServer::start_with(&["--allow-private-destinations"]);
    server.org("acme", "pro");
    server.user("acme", "admin@acme.com", "admin", PASSWORD);
    let session = server.session("admin@acme.com", PASSWORD).await;
    let key = server.key("acme", "events:write,audit_logs:read");
    (server, session, key)
}

/// A REST call with the session cookie; answers status and JSON body (`null` when empty).
async fn rest(
    server: &TestServer,
    session: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = server
        .http
        .request(method, server.url(path))
        .header(COOKIE, session);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("REST call");
    if response.status() == reqwest::StatusCode::NO_CONTENT {
        return (204, Value::Null);
    }
    status_and_json(response).await
}

/// Creates a stream; answers its id and the full answer.
async fn create(server: &TestServer, session: &str, body: Value) -> (i64, Value) {
    let (status, created) = rest(
        server,
        session,
        reqwest::Method::POST,
        "/api/v1/streams",
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    (created["stream"]["id"].as_i64().unwrap(), created)
}

/// Ingests `n` events in batches of `batch`.
async fn ingest(server: &TestServer, key: &str, n: usize, batch: usize) {
    for start in (0..n).step_by(batch) {
        let events: Vec<Value> = (start..n.min(start + batch)).map(event).collect();
        let (status, body) = server.ingest(key, &json!({"events": events})).await;
        assert_eq!(status, 201, "{body}");
    }
}

/// The organization's latest `seq`.
async fn head(server: &TestServer, key: &str) -> i64 {
    let (status, page) = server.get(key, "/api/v1/audit-logs?limit=1").await;
    assert_eq!(status, 200, "{page}");
    page["data"][0]["seq"].as_i64().unwrap()
}

/// Waits until `done` holds, polling; panics with `what` after a minute.
async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The events of every webhook delivery, in the order received.
fn webhook_events(requests: &[Received]) -> Vec<Value> {
    requests
        .iter()
        .flat_map(|r| {
            let body: Value = serde_json::from_slice(&r.body).expect("JSON body");
            body["data"]["events"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

/// The size of the largest signed checkpoint a webhook received.
fn webhook_checkpoint(requests: &[Received]) -> Option<Value> {
    requests
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).expect("JSON body"))
        .filter(|body| body["type"] == "audit_log.checkpoint")
        .map(|body| body["data"]["checkpoint"].clone())
        .max_by_key(|c| c["tree_size"].as_i64())
}

/// The `seq`s received, first occurrences only (a retried batch may come twice), after
/// checking that a repeat is only ever a whole batch received again.
fn distinct_seqs(events: &[Value]) -> Vec<i64> {
    let mut seen = BTreeMap::new();
    let mut order = Vec::new();
    for event in events {
        let seq = event["seq"].as_i64().unwrap();
        if seen.insert(seq, event["id"].clone()).is_none() {
            order.push(seq);
        } else {
            assert_eq!(seen[&seq], event["id"], "seq {seq} came with two ids");
        }
    }
    order
}

/// Checks the Standard Webhooks signature with the secret alone.
fn assert_signed(request: &Received, secret: &str) {
    let header = |name: &str| request.headers[name].to_str().unwrap().to_owned();
    let (id, timestamp) = (header("webhook-id"), header("webhook-timestamp"));
    let age = chrono::Utc::now().timestamp() - timestamp.parse::<i64>().unwrap();
    assert!(
        (0..300).contains(&age),
        "timestamp {timestamp} is {age} s old"
    );
    let key = BASE64
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(&request.body);
    let expected = format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()));
    let signatures = header("webhook-signature");
    assert!(
        signatures.split(' ').any(|s| s == expected),
        "{signatures} lacks {expected}"
    );
}

async fn stream_state(server: &TestServer, session: &str, id: i64) -> Value {
    let path = format!("/api/v1/streams/{id}");
    let (status, stream) = rest(server, session, reqwest::Method::GET, &path, None).await;
    assert_eq!(status, 200, "{stream}");
    stream
}

#[tokio::test]
async fn a_webhook_gets_every_event_once_in_order_through_an_outage_and_a_crash() {
    let (mut server, session, key) = server().await;
    let receiver = HttpReceiver::start(204).await;
    let start = head(&server, &key).await.max(0);
    let (id, created) = create(
        &server,
        &session,
        json!({"name": "SIEM", "destination": {"kind": "webhook", "url": format!("{}/hook", receiver.url)}}),
    )
    .await;
    let secret = created["signing_secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{created}");

    ingest(&server, &key, 1_200, 400).await;
    let until = head(&server, &key).await;
    wait_for("the first 1,200 events", async || {
        distinct_seqs(&webhook_events(&receiver.requests()))
            .last()
            .is_some_and(|s| *s >= until)
    })
    .await;

    // The receiver goes down: the stream keeps trying, is marked failing, and recovers.
    receiver.set_down(true);
    ingest(&server, &key, 300, 300).await;
    wait_for("the stream to be marked failing", async || {
        stream_state(&server, &session, id).await["state"] == "failing"
    })
    .await;
    let failing = stream_state(&server, &session, id).await;
    assert!(failing["lag_events"].as_i64().unwrap() >= 300, "{failing}");
    assert!(
        failing["last_error"].as_str().unwrap().contains("503"),
        "{failing}"
    );
    receiver.set_down(false);
    wait_for("the stream to recover", async || {
        stream_state(&server, &session, id).await["state"] == "active"
    })
    .await;

    // Killed mid-delivery, the server resumes from the stream's cursor.
    ingest(&server, &key, 3_000, 1_000).await;
    server.kill_and_restart();
    ingest(&server, &key, 100, 100).await;
    let until = head(&server, &key).await;
    wait_for("every event after the restart", async || {
        distinct_seqs(&webhook_events(&receiver.requests()))
            .last()
            .is_some_and(|s| *s >= until)
    })
    .await;

    let requests = receiver.requests();
    for request in &requests {
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("POST", "/hook")
        );
        assert_signed(request, &secret);
    }
    let seqs = distinct_seqs(&webhook_events(&requests));
    let expected: Vec<i64> = (start + 1..=until).collect();
    assert_eq!(seqs, expected, "every event, once, in seq order");

    // The signed checkpoint of everything delivered follows the events.
    wait_for("the checkpoint of every event", async || {
        webhook_checkpoint(&receiver.requests())
            .is_some_and(|c| c["tree_size"].as_i64() >= Some(until))
    })
    .await;
    let checkpoint = webhook_checkpoint(&receiver.requests()).unwrap();
    let (_, listed) = server.get(&key, "/api/v1/checkpoints").await;
    let history = listed["history"].as_array().unwrap();
    assert!(
        history.contains(&checkpoint),
        "{checkpoint} is not one of the server's"
    );

    // The stream's own story is in the log.
    for action in [
        "log_stream.created",
        "log_stream.failing",
        "log_stream.recovered",
    ] {
        let (status, page) = server
            .get(&key, &format!("/api/v1/audit-logs?action={action}"))
            .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(
            page["data"].as_array().unwrap().len(),
            1,
            "{action}: {page}"
        );
    }
    let deliveries = format!("/api/v1/streams/{id}/deliveries");
    let (_, log) = rest(&server, &session, reqwest::Method::GET, &deliveries, None).await;
    let log = log.as_array().unwrap();
    assert!(!log.is_empty() && log.len() <= 50, "{}", log.len());
    assert!(log.iter().any(|d| d["ok"] == false && d["status"] == 503));
}

/// Every HEC event object received (one per line).
fn splunk_objects(requests: &[Received]) -> Vec<Value> {
    requests
        .iter()
        .flat_map(|r| {
            r.body
                .split(|b| *b == b'\n')
                .filter(|l| !l.is_empty())
                .map(|l| serde_json::from_slice(l).expect("a JSON object per line"))
                .collect::<Vec<Value>>()
        })
        .collect()
}

/// Every Datadog log received.
fn datadog_logs(requests: &[Received]) -> Vec<Value> {
    requests
        .iter()
        .flat_map(|r| serde_json::from_slice::<Vec<Value>>(&r.body).expect("a JSON array"))
        .collect()
}

#[tokio::test]
async fn splunk_and_datadog_receive_their_own_formats_with_their_credentials() {
    let (server, session, key) = server().await;
    let splunk = HttpReceiver::start(200).await;
    let datadog = HttpReceiver::start(202).await;
    let (splunk_id, _) = create(
        &server,
        &session,
        json!({"name": "Splunk", "credential": "hec-token-1234",
               "destination": {"kind": "splunk_hec", "url": splunk.url, "index": "audit"},
               "filter": "action:user.invited"}),
    )
    .await;
    create(
        &server,
        &session,
        json!({"name": "Datadog", "credential": "dd-key-5678",
               "destination": {"kind": "datadog", "url": format!("{}/api/v2/logs", datadog.url),
                               "service": "acme-app", "tags": "env:prod"},
               "filter": "action:user.invited"}),
    )
    .await;
    ingest(&server, &key, 25, 25).await;
    wait_for("both destinations", async || {
        let hec = splunk_objects(&splunk.requests())
            .iter()
            .filter(|o| o["sourcetype"] == "auditrail:audit_event")
            .count();
        let dd = datadog_logs(&datadog.requests())
            .iter()
            .filter(|log| log.get("auditrail").is_some())
            .count();
        hec >= 25 && dd >= 25
    })
    .await;

    for request in splunk.requests() {
        assert_eq!(request.path, "/services/collector/event");
        assert_eq!(request.headers["authorization"], "Splunk hec-token-1234");
    }
    let mut seqs = Vec::new();
    for object in splunk_objects(&splunk.requests()) {
        assert!(object["time"].as_f64().unwrap() > 1.7e9, "{object}");
        assert_eq!(object["index"], "audit");
        match object["sourcetype"].as_str().unwrap() {
            "auditrail:audit_event" => {
                assert_eq!(object["event"]["action"], "user.invited");
                seqs.push(object["event"]["seq"].as_i64().unwrap());
            }
            "auditrail:checkpoint" => {
                assert!(object["event"]["signed_note"].is_string(), "{object}")
            }
            other => panic!("unexpected sourcetype {other}"),
        }
    }
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]) && seqs.len() == 25,
        "{seqs:?}"
    );

    for request in datadog.requests() {
        assert_eq!(request.path, "/api/v2/logs");
        assert_eq!(request.headers["dd-api-key"], "dd-key-5678");
        assert_eq!(request.headers["content-type"], "application/json");
    }
    let logs: Vec<Value> = datadog_logs(&datadog.requests())
        .into_iter()
        .filter(|log| log.get("auditrail").is_some())
        .collect();
    assert_eq!(logs.len(), 25);
    for log in &logs {
        assert_eq!(log["ddsource"], "auditrail");
        assert_eq!(log["service"], "acme-app");
        assert_eq!(log["ddtags"], "org:acme,env:prod");
        assert!(log["message"]
            .as_str()
            .unwrap()
            .starts_with("user.invited by "));
        assert_eq!(log["auditrail"]["action"], "user.invited");
    }

    for kind in ["splunk_hec", "datadog"] {
        let delivered = server
            .metric("auditrail_stream_events_delivered_total", &[("kind", kind)])
            .await;
        assert!(delivered >= 25.0, "{kind}: {delivered}");
    }

    // Credentials never come back: only their last four characters.
    let (_, listed) = rest(
        &server,
        &session,
        reqwest::Method::GET,
        "/api/v1/streams",
        None,
    )
    .await;
    let text = listed.to_string();
    assert!(
        !text.contains("hec-token-1234") && !text.contains("dd-key-5678"),
        "{text}"
    );
    let splunk_view = stream_state(&server, &session, splunk_id).await;
    assert_eq!(splunk_view["credential_last4"], "1234");
}

#[tokio::test]
async fn syslog_messages_reach_rsyslog_framed_with_their_structured_data() {
    let rsyslog = Rsyslog::start();
    let (server, session, key) = server().await;
    create(
        &server,
        &session,
        json!({"name": "Collector", "filter": "action:user.*",
               "destination": {"kind": "syslog", "host": "127.0.0.1", "port": rsyslog.port}}),
    )
    .await;
    let mut events: Vec<Value> = (0..40).map(event).collect();
    for failed in events.iter_mut().skip(30) {
        failed["result"] = json!("failure");
    }
    let (status, body) = server.ingest(&key, &json!({"events": events})).await;
    assert_eq!(status, 201, "{body}");
    let last_seq = body["events"][39]["seq"].as_i64().unwrap();
    // Each message is a line; a checkpoint's message (its signed note) spans several.
    let events_and_checkpoint = async || {
        let lines = rsyslog.lines();
        let events = lines
            .iter()
            .filter(|l| l.contains("|user.invited|"))
            .count();
        let checkpoint = lines.iter().any(|line| {
            line.strip_prefix(
                "10|5|auditrail|checkpoint|[auditrail@32473 org=\"acme\" tree_size=\"",
            )
            .and_then(|rest| rest.split('"').next())
            .and_then(|size| size.parse::<i64>().ok())
            .is_some_and(|size| size >= last_seq)
        });
        events >= 40 && checkpoint
    };
    wait_for(
        "rsyslog to write 40 events and a checkpoint",
        events_and_checkpoint,
    )
    .await;

    let all = rsyslog.lines();
    let lines: Vec<&String> = all
        .iter()
        .filter(|l| l.contains("|user.invited|"))
        .collect();
    assert_eq!(lines.len(), 40, "{lines:#?}");
    for (n, line) in lines.iter().enumerate() {
        let fields: Vec<&str> = line.splitn(6, '|').collect();
        let severity = if n >= 30 { "4" } else { "5" };
        assert_eq!(
            fields[..4],
            ["10", severity, "auditrail", "user.invited"],
            "{line}"
        );
        assert!(
            fields[4].starts_with("[auditrail@32473 org=\"acme\" seq=\"")
                && fields[4].contains("actor=\"alice@acme.com\""),
            "{line}"
        );
        let event: Value = serde_json::from_str(fields[5]).expect("the event's JSON");
        assert_eq!(event["details"]["n"], n, "in order: {line}");
    }
}

#[tokio::test]
async fn management_is_self_audited_and_secrets_rotate_with_an_overlap() {
    let (server, session, key) = server().await;
    let receiver = HttpReceiver::start(204).await;
    let url = format!("{}/hook", receiver.url);
    let (id, created) = create(
        &server,
        &session,
        json!({"name": "Hook", "destination": {"kind": "webhook", "url": url}}),
    )
    .await;
    let old_secret = created["signing_secret"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/streams/{id}");
    let patch = |body: Value| rest(&server, &session, reqwest::Method::PATCH, &path, Some(body));
    assert_eq!(patch(json!({"paused": true})).await.1["state"], "paused");
    assert_eq!(patch(json!({"paused": false})).await.1["state"], "active");
    let (status, renamed) = patch(json!({"name": "Hook 2", "filter": "result:failure"})).await;
    assert_eq!(
        (status, renamed["filter"].as_str()),
        (200, Some("result:failure"))
    );
    let (status, bad) = patch(json!({"filter": "ip:999.1.1.1"})).await;
    assert_eq!(
        (status, bad["error"]["field"].as_str()),
        (400, Some("filter")),
        "{bad}"
    );

    let rotate = format!("{path}/rotate-secret");
    let (status, rotated) = rest(&server, &session, reqwest::Method::POST, &rotate, None).await;
    assert_eq!(status, 200, "{rotated}");
    let new_secret = rotated["signing_secret"].as_str().unwrap();
    let test = format!("{path}/test");
    let (status, delivery) = rest(&server, &session, reqwest::Method::POST, &test, None).await;
    assert_eq!(
        (
            status,
            delivery["ok"].as_bool(),
            delivery["status"].as_u64()
        ),
        (200, Some(true), Some(204)),
        "{delivery}"
    );
    // The stream may also have delivered a signed checkpoint meanwhile: pick the test event.
    let tested = receiver
        .requests()
        .into_iter()
        .rfind(|request| {
            serde_json::from_slice::<Value>(&request.body).unwrap()["type"] == "audit_log.test"
        })
        .expect("the test event reached the receiver");
    assert_signed(&tested, new_secret);
    assert_signed(&tested, &old_secret);

    let (status, _) = rest(&server, &session, reqwest::Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    let (status, _) = rest(&server, &session, reqwest::Method::GET, &path, None).await;
    assert_eq!(status, 404);
    for action in [
        "log_stream.created",
        "log_stream.paused",
        "log_stream.resumed",
        "log_stream.updated",
        "log_stream.secret_rotated",
        "log_stream.deleted",
    ] {
        let (_, page) = server
            .get(&key, &format!("/api/v1/audit-logs?action={action}"))
            .await;
        let found = page["data"].as_array().unwrap();
        assert_eq!(found.len(), 1, "{action}: {page}");
        assert_eq!(found[0]["actor"]["email"], "admin@acme.com");
        assert!(
            !found[0].to_string().contains("whsec_"),
            "{action} holds a secret"
        );
    }
}

#[tokio::test]
async fn streams_of_another_organization_are_not_found() {
    let (server, session, _) = server().await;
    server.org("globex", "pro");
    server.user("globex", "admin@globex.com", "admin", PASSWORD);
    let other = server.session("admin@globex.com", PASSWORD).await;
    let receiver = HttpReceiver::start(204).await;
    let (id, _) = create(
        &server,
        &session,
        json!({"name": "Hook", "destination": {"kind": "webhook", "url": receiver.url}}),
    )
    .await;
    let path = format!("/api/v1/streams/{id}");
    for (method, path) in [
        (reqwest::Method::GET, path.clone()),
        (reqwest::Method::DELETE, path.clone()),
        (reqwest::Method::POST, format!("{path}/test")),
        (reqwest::Method::GET, format!("{path}/deliveries")),
    ] {
        let (status, body) = rest(&server, &other, method, &path, None).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let (_, listed) = rest(
        &server,
        &other,
        reqwest::Method::GET,
        "/api/v1/streams",
        None,
    )
    .await;
    assert_eq!(listed, json!([]));
}

#[tokio::test]
async fn internal_destinations_are_refused_unless_the_operator_allows_them() {
    let strict = TestServer::start();
    strict.org("acme", "pro");
    strict.user("acme", "admin@acme.com", "admin", PASSWORD);
    let session = strict.session("admin@acme.com", PASSWORD).await;
    let (lenient, lenient_session, _) = server().await;
    for (url, allowed_when_lenient) in [
        ("https://127.0.0.1/hook", true),
        ("https://10.0.0.1/hook", true),
        ("http://127.0.0.1:9/hook", true),
        ("https://169.254.169.254/latest/meta-data/", false),
        ("https://[::ffff:169.254.169.254]/", false),
    ] {
        let body = json!({"name": url, "destination": {"kind": "webhook", "url": url}});
        let (status, refused) = rest(
            &strict,
            &session,
            reqwest::Method::POST,
            "/api/v1/streams",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 400, "{url}: {refused}");
        assert_eq!(refused["error"]["field"], "destination", "{refused}");
        let (status, answer) = rest(
            &lenient,
            &lenient_session,
            reqwest::Method::POST,
            "/api/v1/streams",
            Some(body),
        )
        .await;
        assert_eq!(status == 201, allowed_when_lenient, "{url}: {answer}");
    }
    let (status, refused) = rest(
        &strict,
        &session,
        reqwest::Method::POST,
        "/api/v1/streams",
        Some(json!({"name": "s", "destination": {"kind": "syslog", "host": "10.0.0.1", "port": 514}})),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("private address"));
}
