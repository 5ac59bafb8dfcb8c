//! The SPA's server functions over plain HTTP: sign-in sets an HttpOnly session cookie, the
//! cookie unlocks the log, sign-out ends it, and the role decides what the viewer may read.

mod common;

use common::{event, status_and_json, TestServer};
use reqwest::header::COOKIE;
use serde_json::json;

async fn list(server: &TestServer, cookie: Option<&str>) -> (u16, serde_json::Value) {
    let mut req = server
        .http
        .post(server.url("/api/audit_logs/list"))
        // The ingested events' actor: sign-ins add Auditrail's own events to the log too.
        .json(&json!({"query": {"filter": {"actors": ["alice@acme.com"]}, "limit": 25, "include_total": true}}));
    if let Some(cookie) = cookie {
        req = req.header(COOKIE, cookie);
    }
    status_and_json(req.send().await.unwrap()).await
}

#[tokio::test]
async fn a_session_cookie_unlocks_the_log_until_sign_out() {
    let server = TestServer::start();
    server.org("acme", "pro");
    server.user("acme", "admin@acme.com", "admin", "correct-horse");
    let key = server.key("acme", "events:write");
    assert_eq!(server.ingest(&key, &event(1)).await.0, 201);

    let (status, body) = list(&server, None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );

    let (status, body) = server.sign_in("admin@acme.com", "wrong").await.unwrap_err();
    assert_eq!(status, 401);
    assert_eq!(body["error"]["message"], "Invalid email or password");
    let (status, _) = server
        .sign_in("nobody@acme.com", "wrong")
        .await
        .unwrap_err();
    assert_eq!(
        status, 401,
        "unknown emails answer exactly like wrong passwords"
    );

    let cookie = server
        .sign_in("admin@acme.com", "correct-horse")
        .await
        .unwrap();
    let (status, page) = list(&server, Some(&cookie)).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 1);
    let id = page["data"][0]["id"].as_str().unwrap();

    let res = server
        .http
        .post(server.url("/api/audit_logs/get"))
        .header(COOKIE, &cookie)
        .json(&json!({"id": id}))
        .send()
        .await
        .unwrap();
    let (status, one) = status_and_json(res).await;
    assert_eq!((status, one["id"].as_str()), (200, Some(id)));

    let res = server
        .http
        .post(server.url("/api/session/sign_out"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let (status, _) = list(&server, Some(&cookie)).await;
    assert_eq!(status, 401, "the old cookie still worked after sign-out");
}

#[tokio::test]
async fn roles_without_audit_log_access_are_refused() {
    let server = TestServer::start();
    server.org("acme", "pro");
    server.user("acme", "finance@acme.com", "finance", "correct-horse");
    server.user(
        "acme",
        "manager@acme.com",
        "account_manager",
        "correct-horse",
    );
    for email in ["finance@acme.com", "manager@acme.com"] {
        let cookie = server.sign_in(email, "correct-horse").await.unwrap();
        let (status, body) = list(&server, Some(&cookie)).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("forbidden")),
            "{email}"
        );
    }
}

#[tokio::test]
async fn the_activity_histogram_counts_matching_events_and_failures_per_bucket() {
    let server = TestServer::start();
    server.org("acme", "pro");
    server.user("acme", "admin@acme.com", "admin", "correct-horse");
    let key = server.key("acme", "events:write");
    let now = chrono::Utc::now();
    let at = |hours: i64| (now - chrono::Duration::hours(hours)).to_rfc3339();
    let batch = json!({"events": [
        {"action": "auth.login.failure", "result": "failure", "occurred_at": at(2), "actor": {"type": "user", "id": "u"}},
        {"action": "auth.login.success", "occurred_at": at(2), "actor": {"type": "user", "id": "u"}},
        {"action": "auth.login.success", "occurred_at": at(30), "actor": {"type": "user", "id": "u"}},
        {"action": "SECRET_READ", "occurred_at": at(24 * 40), "actor": {"type": "user", "id": "u"}}
    ]});
    assert_eq!(server.ingest(&key, &batch).await.0, 201);
    let cookie = server
        .sign_in("admin@acme.com", "correct-horse")
        .await
        .unwrap();
    let activity = |filter: serde_json::Value| {
        let (server, cookie) = (&server, cookie.clone());
        async move {
            let res = server
                .http
                .post(server.url("/api/audit_logs/activity"))
                .header(COOKIE, cookie)
                .json(&json!({ "filter": filter }))
                .send()
                .await
                .unwrap();
            status_and_json(res).await
        }
    };
    // The posted events only: the sign-in records events of its own.
    let (status, chart) = activity(json!({"actors": ["u"]})).await;
    assert_eq!(status, 200, "{chart}");
    assert_eq!(
        chart["bucket_seconds"],
        12 * 3600,
        "30 days in 12-hour bars"
    );
    let buckets = chart["buckets"].as_array().unwrap();
    assert!(
        (60..=62).contains(&buckets.len()),
        "{} buckets",
        buckets.len()
    );
    let sum = |field: &str| {
        buckets
            .iter()
            .map(|b| b[field].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(
        (sum("total"), sum("failures")),
        (3, 1),
        "the 40-day-old event is outside the default 30 days"
    );

    let (_, narrowed) = activity(json!({"categories": ["auth"], "results": ["failure"]})).await;
    let buckets = narrowed["buckets"].as_array().unwrap();
    assert_eq!(
        buckets
            .iter()
            .map(|b| b["total"].as_u64().unwrap())
            .sum::<u64>(),
        1
    );
}

#[tokio::test]
async fn saved_views_belong_to_their_member_and_must_parse() {
    let server = TestServer::start();
    server.org("acme", "pro");
    server.user("acme", "admin@acme.com", "admin", "correct-horse");
    server.user("acme", "other@acme.com", "admin", "correct-horse");
    let admin = server
        .sign_in("admin@acme.com", "correct-horse")
        .await
        .unwrap();
    let other = server
        .sign_in("other@acme.com", "correct-horse")
        .await
        .unwrap();
    let call = |path: &'static str, cookie: String, body: serde_json::Value| {
        let server = &server;
        async move {
            let res = server
                .http
                .post(server.url(path))
                .header(COOKIE, cookie)
                .json(&body)
                .send()
                .await
                .unwrap();
            status_and_json(res).await
        }
    };
    let (status, saved) = call(
        "/api/saved_views/save",
        admin.clone(),
        json!({"name": "failures", "search": "result:failure"}),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    let (status, again) = call(
        "/api/saved_views/save",
        admin.clone(),
        json!({"name": "failures", "search": "x"}),
    )
    .await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (409, Some("conflict"))
    );
    let (status, bad) = call(
        "/api/saved_views/save",
        admin.clone(),
        json!({"name": "bad", "search": "ip:nope"}),
    )
    .await;
    assert_eq!(
        (status, bad["error"]["field"].as_str()),
        (400, Some("search"))
    );

    let (_, mine) = call("/api/saved_views/list", admin.clone(), json!({})).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let (_, theirs) = call("/api/saved_views/list", other.clone(), json!({})).await;
    assert_eq!(theirs, json!([]), "views are per member");
    let (status, _) = call("/api/saved_views/delete", other, json!({"id": saved["id"]})).await;
    assert_eq!(status, 404, "another member cannot delete it");
    let (status, _) = call(
        "/api/saved_views/delete",
        admin.clone(),
        json!({"id": saved["id"]}),
    )
    .await;
    assert_eq!(status, 200);
}
