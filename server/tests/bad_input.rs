//! Hostile input answers a clear 400 on either database, never a 500 or a dropped connection.

mod common;

use app::model::Permission;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::in_process::App;
use serde_json::json;

#[tokio::test]
async fn a_nul_character_in_a_filter_or_an_event_is_a_clear_400() {
    let app = App::start().await;
    let org = app.org("acme").await;
    let scopes = [
        Permission::EventsWrite,
        Permission::AuditLogsRead,
        Permission::AuditLogsExport,
    ];
    let (_, key) = app
        .services
        .create_api_key(&org, "probe", &scopes)
        .await
        .unwrap();
    for path in [
        "/api/v1/audit-logs?actor=%00",
        "/api/v1/audit-logs?environment=%00",
        "/api/v1/audit-logs?q=%00",
        "/api/v1/audit-logs/export?format=csv&environment=%00",
        "/api/v1/audit-logs/export?format=ndjson&actor=a%00b",
    ] {
        let (status, body) = app.get(&key, path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["error"]["code"], "invalid_request", "{path}");
    }
    let nul_event = json!({"action": "user.login", "actor": {"type": "user", "id": "u\u{0}"}});
    let (status, body) = app.ingest(&key, &nul_event).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["field"], "actor.id");
    let (status, body) = app.get(&key, "/api/v1/audit-logs?include_total=true").await;
    assert_eq!(
        (status, body["total"].as_u64()),
        (200, Some(0)),
        "nothing written"
    );
}

/// A cursor is opaque, but a client can forge one: a NUL in its id, or a time before any
/// database's range, must be refused as the cursor it is, not fail the query.
#[tokio::test]
async fn a_forged_cursor_is_a_clear_400() {
    let app = App::start().await;
    let org = app.org("acme").await;
    let key = app.key(&org, "probe", &[Permission::AuditLogsRead]).await;
    for plain in [
        "1735689600000000|u\0",
        "-8000000000000000000|0193f1a0-0000-7000-8000-000000000001",
        "-62135596800000001|x",
        "253402300800000000|x",
    ] {
        let cursor = URL_SAFE_NO_PAD.encode(plain);
        let (status, body) = app
            .get(&key, &format!("/api/v1/audit-logs?cursor={cursor}"))
            .await;
        assert_eq!(status, 400, "{plain:?}: {body}");
        assert_eq!(body["error"]["field"], "cursor", "{plain:?}");
    }
}
