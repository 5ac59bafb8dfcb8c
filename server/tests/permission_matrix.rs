//! Every role × every server function and REST read route, against the real server: a role
//! holding the permission gets past the check (its answer is a success, or a 400/404 about the
//! deliberately harmless input), a role without it gets 403, a caller without a session 401.

mod common;

use common::TestServer;
use reqwest::header::COOKIE;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse";

/// What a call needs: all of these permissions, or (for listing roles) any of `any_of`.
enum Need {
    Nothing,
    All(&'static [&'static str]),
    Any(&'static [&'static str]),
}

impl Need {
    fn met_by(&self, held: &[&str]) -> bool {
        match self {
            Need::Nothing => true,
            Need::All(all) => all.iter().all(|p| held.contains(p)),
            Need::Any(any) => any.iter().any(|p| held.contains(p)),
        }
    }
}

/// A server function (name and JSON body) or a REST path read with the session cookie.
enum Call {
    Function(&'static str, Value),
    Rest(&'static str),
}

const READ: Need = Need::All(&["audit_logs:read"]);
const MEMBERS: Need = Need::All(&["members:manage"]);
const ROLES: Need = Need::All(&["roles:manage"]);
const KEYS: Need = Need::All(&["api_keys:manage"]);
const SETTINGS: Need = Need::All(&["settings:manage"]);
const STREAMS: Need = Need::All(&["webhooks:manage"]);
/// Creating a stream sends the log out: it also needs the export permission.
const STREAM_OUT: Need = Need::All(&["webhooks:manage", "audit_logs:export"]);

fn calls() -> Vec<(Call, Need)> {
    use Call::{Function as F, Rest as R};
    let missing = 999_999;
    vec![
        (F("session/viewer", json!({})), Need::Nothing),
        (
            F(
                "account/change_password",
                json!({"current": "wrong", "new_password": "irrelevant-1"}),
            ),
            Need::Nothing,
        ),
        (
            F(
                "audit_logs/list",
                json!({"query": {"filter": {}, "limit": 5}}),
            ),
            READ,
        ),
        (F("audit_logs/activity", json!({"filter": {}})), READ),
        (F("audit_logs/actors", json!({"text": "acme"})), READ),
        (F("audit_logs/get", json!({"id": "no-such-event"})), READ),
        (
            F("audit_logs/inclusion", json!({"id": "no-such-event"})),
            READ,
        ),
        (F("saved_views/list", json!({})), READ),
        (
            F("saved_views/save", json!({"name": "", "search": ""})),
            READ,
        ),
        (F("saved_views/delete", json!({"id": missing})), READ),
        (F("members/list", json!({})), MEMBERS),
        (F("members/invitations", json!({})), MEMBERS),
        (
            F(
                "members/invite",
                json!({"email": "not-an-email", "role_id": 1}),
            ),
            MEMBERS,
        ),
        (
            F("members/withdraw_invitation", json!({"id": missing})),
            MEMBERS,
        ),
        (
            F(
                "members/change_role",
                json!({"user_id": missing, "role_id": 1}),
            ),
            MEMBERS,
        ),
        (F("members/remove", json!({"user_id": missing})), MEMBERS),
        (
            F("roles/list", json!({})),
            Need::Any(&["members:manage", "roles:manage"]),
        ),
        (
            F("roles/create", json!({"name": "", "permissions": []})),
            ROLES,
        ),
        (
            F(
                "roles/update",
                json!({"id": missing, "name": "x", "permissions": []}),
            ),
            ROLES,
        ),
        (F("roles/delete", json!({"id": missing})), ROLES),
        (F("api_keys/list", json!({})), KEYS),
        (
            F("api_keys/create", json!({"name": "", "scopes": []})),
            KEYS,
        ),
        (
            F("api_keys/rename", json!({"id": missing, "name": "x"})),
            KEYS,
        ),
        (F("api_keys/rotate", json!({"id": missing})), KEYS),
        (F("api_keys/delete", json!({"id": missing})), KEYS),
        (F("settings/retention", json!({})), SETTINGS),
        (
            F(
                "settings/set_retention",
                json!({"update": {"retention_days": 0}}),
            ),
            SETTINGS,
        ),
        (F("streams/list", json!({})), STREAMS),
        (
            F(
                "streams/create",
                json!({"new": {"name": "", "destination": {"kind": "webhook", "url": "x"}}}),
            ),
            STREAM_OUT,
        ),
        (
            F("streams/update", json!({"id": missing, "update": {}})),
            STREAMS,
        ),
        (
            F(
                "streams/update",
                json!({"id": missing, "update": {"filter": ""}}),
            ),
            STREAM_OUT,
        ),
        (F("streams/delete", json!({"id": missing})), STREAMS),
        (F("streams/test", json!({"id": missing})), STREAMS),
        (F("streams/rotate_secret", json!({"id": missing})), STREAMS),
        (F("streams/deliveries", json!({"id": missing})), STREAMS),
        (R("/api/v1/streams"), STREAMS),
        (R("/api/v1/streams/999999"), STREAMS),
        (R("/api/v1/streams/999999/deliveries"), STREAMS),
        (R("/api/v1/audit-logs"), READ),
        (R("/api/v1/audit-logs/no-such-event"), READ),
        (R("/api/v1/event-types"), READ),
        (R("/api/v1/audit-logs/no-such-event/proof"), READ),
        (R("/api/v1/checkpoints"), READ),
        (R("/api/v1/checkpoints/key"), READ),
        (R("/api/v1/checkpoints/consistency?from=1&to=1"), READ),
        (R("/api/v1/audit-logs/stream"), READ),
        (R("/api/v1/settings/retention"), SETTINGS),
        (
            R("/api/v1/audit-logs/export?format=csv"),
            Need::All(&["audit_logs:read", "audit_logs:export"]),
        ),
    ]
}

/// The call's status (the body is not read: the stream never ends).
async fn status(server: &TestServer, cookie: Option<&str>, call: &Call) -> u16 {
    match call {
        Call::Function(name, body) => server.call(cookie, name, body.clone()).await.0,
        Call::Rest(path) => {
            let mut req = server.http.get(server.url(path));
            if let Some(cookie) = cookie {
                req = req.header(COOKIE, cookie);
            }
            req.send().await.expect("GET").status().as_u16()
        }
    }
}

fn label(call: &Call) -> &str {
    match call {
        Call::Function(name, _) | Call::Rest(name) => name,
    }
}

#[tokio::test]
async fn every_role_gets_exactly_what_its_permissions_allow() {
    let server = TestServer::start();
    server.org("acme", "pro");
    server.user("acme", "admin@acme.com", "admin", PASSWORD);
    let admin = server.session("admin@acme.com", PASSWORD).await;
    for (name, permissions) in [
        ("Auditor", json!(["audit_logs:read"])),
        ("Streamer", json!(["webhooks:manage"])),
        ("Nothing", json!([])),
    ] {
        let (status, body) = server
            .call(
                Some(&admin),
                "roles/create",
                json!({"name": name, "permissions": permissions}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let all = [
        "audit_logs:read",
        "audit_logs:export",
        "members:manage",
        "roles:manage",
        "api_keys:manage",
        "settings:manage",
        "webhooks:manage",
    ];
    let roles: [(&str, &[&str]); 6] = [
        ("admin", &all),
        ("account_manager", &["members:manage"]),
        ("finance", &[]),
        ("Auditor", &["audit_logs:read"]),
        ("Streamer", &["webhooks:manage"]),
        ("Nothing", &[]),
    ];
    let mut failures = vec![];
    for (role, held) in roles {
        let email = format!("{}@acme.com", role.to_lowercase());
        if role != "admin" {
            server.user("acme", &email, role, PASSWORD);
        }
        let cookie = server.session(&email, PASSWORD).await;
        for (call, need) in calls() {
            let got = status(&server, Some(&cookie), &call).await;
            let allowed = need.met_by(held);
            let ok = if allowed {
                matches!(got, 200 | 400 | 404)
            } else {
                got == 403
            };
            if !ok {
                failures.push(format!(
                    "{role} → {}: got {got}, expected {}",
                    label(&call),
                    if allowed { "allowed" } else { "403" }
                ));
            }
        }
    }
    for (call, need) in calls() {
        let got = status(&server, None, &call).await;
        let expected = if matches!(need, Need::Nothing) && label(&call) == "session/viewer" {
            200
        } else {
            401
        };
        if got != expected {
            failures.push(format!(
                "signed out → {}: got {got}, expected {expected}",
                label(&call)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn a_free_plan_admin_manages_the_organization_but_reads_no_logs() {
    let server = TestServer::start();
    server.org("tiny", "free");
    server.user("tiny", "admin@tiny.io", "admin", PASSWORD);
    let admin = server.session("admin@tiny.io", PASSWORD).await;
    let (status, body) = server
        .call(
            Some(&admin),
            "audit_logs/list",
            json!({"query": {"filter": {}}}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (402, Some("Audit logs require a paid plan"))
    );
    let res = server
        .http
        .get(server.url("/api/v1/audit-logs"))
        .header(COOKIE, &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 402);
    assert_eq!(
        server.call(Some(&admin), "members/list", json!({})).await.0,
        200
    );
    assert_eq!(
        server
            .call(Some(&admin), "api_keys/list", json!({}))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn api_keys_are_limited_to_their_scopes_and_cannot_call_server_functions() {
    let server = TestServer::start();
    server.org("acme", "pro");
    let writer = server.key("acme", "events:write");
    let reader = server.key("acme", "audit_logs:read");
    assert_eq!(server.ingest(&writer, &common::event(1)).await.0, 201);
    assert_eq!(server.get(&writer, "/api/v1/audit-logs").await.0, 403);
    assert_eq!(server.ingest(&reader, &common::event(2)).await.0, 403);
    assert_eq!(server.get(&reader, "/api/v1/audit-logs").await.0, 200);
    assert_eq!(
        server
            .get(&reader, "/api/v1/audit-logs/export?format=csv")
            .await
            .0,
        403
    );
    // Server functions take sessions only: a bearer key is no session.
    let res = server
        .http
        .post(server.url("/api/members/list"))
        .bearer_auth(&reader)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
}
