//! `GET /api/v1/audit-logs/export` and `auditrail export` against the real server: each format
//! round-trips to the list API's events, CSV is injection-safe, exports are audited, and only
//! callers holding the export permission get one.

mod common;

use app::model::Permission;
use axum::body::Body;
use axum::http::Request;
use common::in_process::App;
use common::{event, status_and_json, TestServer};
use serde_json::{json, Value};

/// Every event the list API answers for a query, following cursors.
async fn list_all(server: &TestServer, key: &str, query: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = server
            .get(
                key,
                &format!("/api/v1/audit-logs?limit=1000&{query}{cursor}"),
            )
            .await;
        assert_eq!(status, 200, "{page}");
        all.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return all,
        }
    }
}

async fn export(
    server: &TestServer,
    key: &str,
    query: &str,
) -> (u16, String, reqwest::header::HeaderMap) {
    let res = server
        .http
        .get(server.url(&format!("/api/v1/audit-logs/export?{query}")))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, res.text().await.unwrap(), headers)
}

/// Parses RFC 4180 CSV (quoted cells, doubled quotes, CRLF rows).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = vec![];
    let mut row = vec![];
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    rows
}

#[tokio::test]
async fn every_format_round_trips_to_the_list_apis_events() {
    let server = TestServer::start();
    server.org("acme", "pro");
    let key = server.key("acme", "events:write,audit_logs:read,audit_logs:export");
    for chunk in (0..2300).collect::<Vec<_>>().chunks(1000) {
        let batch: Vec<Value> = chunk.iter().map(|&i| event(i)).collect();
        assert_eq!(
            server.ingest(&key, &json!({ "events": batch })).await.0,
            201
        );
    }
    let filter = "action=user.invited";
    let mut expected = list_all(&server, &key, filter).await;
    assert_eq!(expected.len(), 2300);
    // The list is newest first; an export is in the order the events were recorded.
    expected.sort_by_key(|e| e["seq"].as_i64());

    let (status, body, headers) = export(&server, &key, &format!("format=json&{filter}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["content-type"], "application/json");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"auditrail-acme-start-"),
        "{disposition}"
    );
    let json: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(json, expected);

    let (status, body, _) = export(&server, &key, &format!("format=ndjson&{filter}")).await;
    assert_eq!(status, 200);
    let lines: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, expected);

    let (status, body, headers) = export(&server, &key, &format!("format=csv&{filter}")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let rows = parse_csv(&body);
    assert_eq!(
        rows[0],
        server::service::CSV_COLUMNS.map(String::from).to_vec()
    );
    assert_eq!(rows.len() - 1, expected.len());
    for (row, event) in rows[1..].iter().zip(&expected) {
        assert_eq!(row[0], event["id"].as_str().unwrap());
        assert_eq!(row[1], event["seq"].to_string());
        assert_eq!(row[3], "user.invited");
        assert_eq!(row[7], "alice@acme.com");
        assert_eq!(
            serde_json::from_str::<Value>(&row[9]).unwrap(),
            event["targets"]
        );
        assert_eq!(row[15], event["message"].as_str().unwrap());
        assert_eq!(
            serde_json::from_str::<Value>(&row[16]).unwrap(),
            event["details"]
        );
        assert_eq!(row[19], event["hash"].as_str().unwrap());
    }
}

/// An export of the whole log reads the log itself, so it holds every event, also those the
/// indexer has not reached (no indexer runs in-process), in `seq` order and in chunks.
#[tokio::test]
async fn a_whole_log_export_holds_every_event_indexed_or_not() {
    let app = App::start().await;
    let org = app.org("acme").await;
    let scopes = [
        Permission::EventsWrite,
        Permission::AuditLogsRead,
        Permission::AuditLogsExport,
    ];
    let key = app.key(&org, "exporter", &scopes).await;
    for first in (0..4500).step_by(500) {
        let batch: Vec<Value> = (first..first + 500).map(event).collect();
        let (status, body) = app.ingest(&key, &json!({ "events": batch })).await;
        assert_eq!(status, 201, "{body}");
    }
    let behind = app.services.index_behind().await.unwrap();
    assert_eq!(behind[0].events(), 4500, "the index holds none of them");

    let (status, body) = app.get(&key, "/api/v1/audit-logs/export?format=json").await;
    assert_eq!(status, 200, "{body}");
    let exported = body.as_array().unwrap();
    let seqs: Vec<i64> = exported
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=4500).collect::<Vec<_>>());
    let (status, page) = app
        .get(&key, "/api/v1/audit-logs?after_seq=1990&limit=20")
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["data"].as_array().unwrap(), &exported[1990..2010]);

    let request = Request::get("/api/v1/audit-logs/export?format=csv")
        .header("authorization", format!("Bearer {key}"))
        .body(Body::empty())
        .unwrap();
    let (status, csv) = app.raw(request).await;
    assert_eq!(status, 200);
    let rows = parse_csv(&csv);
    // The header, the 4,500 events and the first export's own record.
    assert_eq!(rows.len(), 1 + 4500 + 1);
    assert_eq!(rows[4501][3], "export.created");
}

#[tokio::test]
async fn csv_cells_that_a_spreadsheet_would_run_are_neutralised() {
    let server = TestServer::start();
    server.org("acme", "pro");
    let key = server.key("acme", "events:write,audit_logs:read,audit_logs:export");
    let evil = json!({"action": "user.invited",
        "actor": {"type": "user", "id": "-2+3", "email": "=HYPERLINK(\"http://evil\")", "name": "@SUM(A1)"},
        "context": {"user_agent": "+cmd|' /C calc'!A0", "location": "\tTab", "environment": "a,b \"q\""}});
    assert_eq!(server.ingest(&key, &evil).await.0, 201);
    let (_, body, _) = export(&server, &key, "format=csv&action=user.invited").await;
    let row = &parse_csv(&body)[1];
    assert_eq!(row[6], "'-2+3");
    assert_eq!(row[7], "'=HYPERLINK(\"http://evil\")");
    assert_eq!(row[8], "'@SUM(A1)");
    assert_eq!(row[11], "'+cmd|' /C calc'!A0");
    assert_eq!(row[12], "'\tTab");
    assert_eq!(row[13], "a,b \"q\"", "plain cells keep their exact text");
}

#[tokio::test]
async fn each_export_is_recorded_with_actor_format_filter_and_row_count() {
    let server = TestServer::start();
    server.org("acme", "pro");
    let key = server.key("acme", "events:write,audit_logs:read,audit_logs:export");
    for i in 0..3 {
        server.ingest(&key, &event(i)).await;
    }
    let (status, body, _) = export(&server, &key, "format=ndjson&action=user.invited").await;
    assert_eq!(status, 200);
    assert_eq!(body.lines().count(), 3);
    let (_, page) = server
        .get(&key, "/api/v1/audit-logs?action=export.created")
        .await;
    let audit = &page["data"][0];
    assert_eq!(audit["actor"]["type"], "api_key");
    assert_eq!(audit["actor"]["name"], "test-key");
    assert_eq!(audit["details"]["format"], "ndjson");
    assert_eq!(audit["details"]["rows"], 3);
    assert_eq!(audit["details"]["complete"], true);
    assert_eq!(audit["result"], "success");
    assert_eq!(
        audit["details"]["filter"]["actions"],
        json!(["user.invited"])
    );
}

#[tokio::test]
async fn exports_need_the_export_permission_and_a_format() {
    let server = TestServer::start();
    server.cli(&["seed", "--events", "10"]);
    let reader = server.key("acme", "audit_logs:read");
    let exporter = server.key("acme", "audit_logs:read,audit_logs:export");

    let (status, body, _) = export(&server, &reader, "format=csv").await;
    assert_eq!(status, 403, "{body}");
    for (query, field) in [
        ("", "format"),
        ("format=xlsx", "format"),
        ("format=csv&limit=5", "limit"),
        ("format=csv&from=soon", "from"),
    ] {
        let (status, body, _) = export(&server, &exporter, query).await;
        assert_eq!(status, 400, "{query}: {body}");
        let error: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["error"]["field"], field, "{query}");
    }

    // Members: the admin role holds audit_logs:export, the Security Auditor only reads.
    for (email, expected) in [("admin@acme.com", 200), ("auditor@acme.com", 403)] {
        let res = server
            .http
            .post(server.url("/api/session/sign_in"))
            .form(&[("email", email), ("password", "demo-password")])
            .send()
            .await
            .unwrap();
        let cookie = res.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let res = server
            .http
            .get(server.url("/api/v1/audit-logs/export?format=csv"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), expected, "{email}");
    }
}

#[tokio::test]
async fn a_large_export_through_the_cli_completes_and_parses() {
    let server = TestServer::start();
    server.cli(&["seed", "--events", "200000"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("all.ndjson");
    server.cli(&[
        "export",
        "--org",
        "acme",
        "--format",
        "ndjson",
        "-o",
        file.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&file).unwrap();
    let mut count = 0;
    let mut last = 0;
    for line in text.lines() {
        let e: Value = serde_json::from_str(line).unwrap();
        let seq = e["seq"].as_i64().unwrap();
        assert_eq!(
            seq,
            last + 1,
            "rows are in seq order, without gaps or repeats"
        );
        last = seq;
        count += 1;
    }
    assert_eq!(count, 200_000);
    let key = server.key("acme", "audit_logs:read");
    let (_, page) = server
        .get(&key, "/api/v1/audit-logs?action=export.created")
        .await;
    assert_eq!(page["data"][0]["actor"]["type"], "system");
    assert_eq!(page["data"][0]["details"]["rows"], 200_000);
    let _ = status_and_json; // shared helper, used by other test files
}

#[tokio::test]
async fn an_export_the_client_abandons_is_recorded_as_a_failure_with_the_rows_sent() {
    let server = TestServer::start();
    server.org("acme", "pro");
    let key = server.key("acme", "events:write,audit_logs:read,audit_logs:export");
    for round in 0..20 {
        let batch: Vec<Value> = (0..1000).map(|i| event(round * 1000 + i)).collect();
        assert_eq!(
            server.ingest(&key, &json!({ "events": batch })).await.0,
            201
        );
    }
    let mut res = server
        .http
        .get(server.url("/api/v1/audit-logs/export?format=ndjson"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert!(
        res.chunk().await.unwrap().is_some(),
        "the first bytes arrive"
    );
    drop(res);

    let mut audit = Value::Null;
    for _ in 0..50 {
        let (_, page) = server
            .get(&key, "/api/v1/audit-logs?action=export.created")
            .await;
        audit = page["data"][0].clone();
        if !audit.is_null() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(audit["result"], "failure", "{audit}");
    assert_eq!(audit["details"]["complete"], false);
    assert!(audit["details"]["rows"].as_u64().unwrap() < 20_000);
}
