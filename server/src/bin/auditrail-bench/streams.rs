//! `auditrail-bench streams`: log stream delivery against local receivers. First each kind's
//! catch-up rate: `--events` events ingested while the stream waits paused, then the time until
//! the receiver holds them all once it resumes (batches of 500). Then the lag under a steady
//! ingest rate (a request every 100 ms, not waiting for the previous one) into a webhook stream: each event's arrival at the receiver minus the time the
//! server received it (one machine, one clock), as p50/p95/p99.

use super::server_process::{api_key, cli, quantile, ServerProcess};
use axum::body::Bytes;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;

#[derive(clap::Args)]
pub struct Args {
    /// The database URL of a fresh database (created if missing).
    #[arg(long)]
    database_url: String,
    /// Events each stream catches up on.
    #[arg(long, default_value_t = 100_000)]
    events: usize,
    /// Events per second of the steady ingest.
    #[arg(long, default_value_t = 5_000)]
    rate: usize,
    /// Seconds of steady ingest.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
}

const PASSWORD: &str = "bench-password-1";
const INGEST_BATCH: usize = 500;

/// What a receiver counted: events, and (webhook only) when each event arrived, with the time
/// the server received it.
#[derive(Default)]
struct Counted {
    events: AtomicUsize,
    arrivals: Mutex<Vec<Arrival>>,
}

/// A webhook event at the receiver: its id, when the server received it, when it arrived.
struct Arrival {
    id: String,
    received: DateTime<Utc>,
    at: DateTime<Utc>,
}

/// When each steady-ingest event's request was acknowledged, by event id.
type Acknowledged = Arc<Mutex<HashMap<String, DateTime<Utc>>>>;

pub async fn run(args: Args) {
    let url = args.database_url.as_str();
    cli(url, &["migrate"]);
    cli(
        url,
        &[
            "org",
            "create",
            "--slug",
            "bench",
            "--name",
            "Bench",
            "--plan",
            "enterprise",
        ],
    );
    let user = [
        "user",
        "create",
        "--org",
        "bench",
        "--email",
        "admin@bench.io",
        "--role",
        "admin",
    ];
    cli(url, &[&user[..], &["--password", PASSWORD]].concat());
    let key = api_key(url, "bench", "events:write");
    let server = ServerProcess::start_with(url, &["--allow-private-destinations"]);
    let http = reqwest::Client::new();
    let session = sign_in(&http, &server.base).await;

    let counted = Arc::new(Counted::default());
    let receiver = start_http_receiver(counted.clone()).await;
    let syslog = start_syslog_receiver(counted.clone()).await;
    let kinds = [
        (
            "webhook",
            json!({"kind": "webhook", "url": format!("{receiver}/hook")}),
            None,
        ),
        (
            "splunk_hec",
            json!({"kind": "splunk_hec", "url": receiver}),
            Some("hec-token"),
        ),
        (
            "datadog",
            json!({"kind": "datadog", "url": format!("{receiver}/api/v2/logs")}),
            Some("dd-key"),
        ),
        (
            "syslog",
            json!({"kind": "syslog", "host": "127.0.0.1", "port": syslog}),
            None,
        ),
    ];
    let mut streams = Vec::new();
    for (kind, destination, credential) in &kinds {
        let mut body = json!({"name": kind, "destination": destination});
        if let Some(credential) = credential {
            body["credential"] = json!(credential);
        }
        let created = call(
            &http,
            &server.base,
            &session,
            "POST",
            "/api/v1/streams",
            Some(body),
        )
        .await;
        let id = created["stream"]["id"].as_i64().expect("stream id");
        pause(&http, &server.base, &session, id, true).await;
        streams.push((*kind, id));
    }
    ingest(&http, &server.base, &key, args.events).await;

    println!("| sink | events | seconds | events/s |");
    println!("|---|---:|---:|---:|");
    for (kind, id) in &streams {
        let before = counted.events.load(Ordering::SeqCst);
        let target = before + args.events;
        let start = Instant::now();
        pause(&http, &server.base, &session, *id, false).await;
        while counted.events.load(Ordering::SeqCst) < target {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let seconds = start.elapsed().as_secs_f64();
        pause(&http, &server.base, &session, *id, true).await;
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        let delivered = counted.events.load(Ordering::SeqCst) - before;
        println!(
            "| {kind} | {delivered} | {seconds:.2} | {:.0} |",
            delivered as f64 / seconds
        );
    }

    // Steady ingest into a new webhook stream that starts at the head.
    for (_, id) in &streams {
        let path = format!("/api/v1/streams/{id}");
        call(&http, &server.base, &session, "DELETE", &path, None).await;
    }
    let hook = json!({"name": "steady", "destination": kinds[0].1});
    call(
        &http,
        &server.base,
        &session,
        "POST",
        "/api/v1/streams",
        Some(hook),
    )
    .await;
    counted.arrivals.lock().unwrap().clear();
    let acknowledged: Acknowledged = Arc::default();
    let before = counted.events.load(Ordering::SeqCst);
    let total = args.rate * args.seconds as usize;
    let per_tick = args.rate / 10;
    let start = Instant::now();
    let mut sent = 0;
    let mut requests = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    while sent < total {
        tick.tick().await;
        let (http, base, key) = (http.clone(), server.base.clone(), key.clone());
        let acknowledged = acknowledged.clone();
        requests.push(tokio::spawn(async move {
            for (id, at) in ingest(&http, &base, &key, per_tick).await {
                acknowledged.lock().unwrap().insert(id, at);
            }
        }));
        sent += per_tick;
    }
    for request in requests {
        request.await.expect("an ingest request");
    }
    let ingest_seconds = start.elapsed().as_secs_f64();
    while counted.events.load(Ordering::SeqCst) < before + sent {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let acknowledged = acknowledged.lock().unwrap();
    let arrivals = counted.arrivals.lock().unwrap();
    let ms = |d: chrono::Duration| d.num_microseconds().unwrap_or(0).max(0) as f64 / 1e3;
    let mut since_ack: Vec<f64> = arrivals
        .iter()
        .filter_map(|a| Some(ms(a.at - *acknowledged.get(&a.id)?)))
        .collect();
    let mut since_received: Vec<f64> = arrivals.iter().map(|a| ms(a.at - a.received)).collect();
    println!();
    println!(
        "steady ingest: {sent} events in {ingest_seconds:.1} s ({:.0} ev/s)",
        sent as f64 / ingest_seconds
    );
    for (what, delays) in [
        ("from the ingest's acknowledgement", &mut since_ack),
        (
            "from the server's receipt (received_at)",
            &mut since_received,
        ),
    ] {
        delays.sort_by(f64::total_cmp);
        println!(
            "webhook lag {what}, ms: p50 {:.0}, p95 {:.0}, p99 {:.0}, max {:.0} ({} events)",
            quantile(delays, 0.50),
            quantile(delays, 0.95),
            quantile(delays, 0.99),
            delays.last().copied().unwrap_or(0.0),
            delays.len(),
        );
    }
}

/// Signs the admin in; answers the session cookie.
async fn sign_in(http: &reqwest::Client, base: &str) -> String {
    let response = http
        .post(format!("{base}/api/session/sign_in"))
        .form(&[("email", "admin@bench.io"), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("auditrail_session="))
        .expect("a session cookie");
    cookie.split(';').next().unwrap().to_owned()
}

/// A REST call with the session; panics unless it succeeds.
async fn call(
    http: &reqwest::Client,
    base: &str,
    session: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Value {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
    let mut request = http
        .request(method, format!("{base}{path}"))
        .header("cookie", session);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("REST call");
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    assert!(status.is_success(), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn pause(http: &reqwest::Client, base: &str, session: &str, id: i64, paused: bool) {
    let path = format!("/api/v1/streams/{id}");
    call(
        http,
        base,
        session,
        "PATCH",
        &path,
        Some(json!({"paused": paused})),
    )
    .await;
}

/// Ingests `n` demo events in batches of [`INGEST_BATCH`]; answers each event's id and when its
/// request was acknowledged.
async fn ingest(
    http: &reqwest::Client,
    base: &str,
    key: &str,
    n: usize,
) -> Vec<(String, DateTime<Utc>)> {
    let mut generator = server::demo::EventGenerator::new(n);
    let mut acknowledged = Vec::new();
    while let Some(chunk) = generator.next_batch(INGEST_BATCH) {
        let response = http
            .post(format!("{base}/api/v1/events"))
            .bearer_auth(key)
            .json(&json!({ "events": chunk }))
            .send()
            .await
            .expect("ingest");
        assert!(
            response.status().is_success(),
            "ingest: {}",
            response.status()
        );
        let at = Utc::now();
        let answer: Value = response.json().await.expect("the ingest's answer");
        for id in answer["ids"].as_array().into_iter().flatten() {
            acknowledged.push((id.as_str().unwrap_or_default().to_owned(), at));
        }
    }
    acknowledged
}

/// An HTTP receiver counting the events of webhook, HEC and Datadog deliveries; answers its URL.
async fn start_http_receiver(counted: Arc<Counted>) -> String {
    let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
        let counted = counted.clone();
        async move {
            let now = Utc::now();
            let events = if headers.contains_key("webhook-id") {
                let body: Value = serde_json::from_slice(&body).expect("webhook JSON");
                let events = body["data"]["events"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let mut arrivals = counted.arrivals.lock().unwrap();
                for event in &events {
                    let received: DateTime<Utc> =
                        serde_json::from_value(event["received_at"].clone()).expect("received_at");
                    let id = event["id"].as_str().unwrap_or_default().to_owned();
                    arrivals.push(Arrival {
                        id,
                        received,
                        at: now,
                    });
                }
                events.len()
            } else if headers.contains_key("dd-api-key") {
                serde_json::from_slice::<Vec<Value>>(&body)
                    .expect("Datadog JSON")
                    .len()
            } else {
                body.split(|b| *b == b'\n')
                    .filter(|l| !l.is_empty())
                    .count()
            };
            counted.events.fetch_add(events, Ordering::SeqCst);
            axum::http::StatusCode::OK
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// A TCP receiver counting octet-counted syslog frames; answers its port.
async fn start_syslog_receiver(counted: Arc<Counted>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counted = counted.clone();
            tokio::spawn(async move {
                let mut data = Vec::new();
                let _ = socket.read_to_end(&mut data).await;
                let mut rest = &data[..];
                while let Some(space) = rest.iter().position(|b| *b == b' ') {
                    let length: usize = std::str::from_utf8(&rest[..space])
                        .ok()
                        .and_then(|n| n.parse().ok())
                        .expect("an octet count");
                    rest = &rest[space + 1 + length..];
                    counted.events.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
    });
    port
}
