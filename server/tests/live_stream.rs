//! The live stream against the real server: it lasts only as long as the caller's access, ending
//! with an `error` event once the key is rotated or deleted or the member removed.

mod common;

use common::{event, TestServer};
use reqwest::header::COOKIE;
use serde_json::{json, Value};
use std::time::Duration;

const PASSWORD: &str = "correct-horse";

/// The SSE text of `res` up to the end of its next event (a blank line), within 10 seconds.
async fn next_event(res: &mut reqwest::Response) -> String {
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !text.contains("\n\n") {
        let chunk = tokio::time::timeout_at(deadline, res.chunk())
            .await
            .expect("an event within 10 s")
            .expect("read the stream")
            .expect("the stream is still open");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    text
}

/// The stream's last event, which must be an error, and the proof that the stream then closed.
async fn ending_error(mut res: reqwest::Response) -> Value {
    let text = next_event(&mut res).await;
    assert!(text.starts_with("event: error\n"), "{text}");
    let data = text.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
    let closed = tokio::time::timeout(Duration::from_secs(10), res.chunk()).await;
    assert!(
        matches!(closed, Ok(Ok(None))),
        "the stream closes after the error"
    );
    serde_json::from_str::<Value>(data).unwrap()["error"].clone()
}

async fn open_with_key(server: &TestServer, secret: &str) -> reqwest::Response {
    let res = server
        .http
        .get(server.url("/api/v1/audit-logs/stream"))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res
}

#[tokio::test]
async fn a_stream_ends_when_its_key_is_rotated_and_the_new_one_when_deleted() {
    let server = TestServer::start();
    server.org("acme", "pro");
    server.user("acme", "admin@acme.com", "admin", PASSWORD);
    let admin = server.session("admin@acme.com", PASSWORD).await;
    let (status, created) = server
        .call(
            Some(&admin),
            "api_keys/create",
            json!({"name": "ci", "scopes": ["events:write", "audit_logs:read"]}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let id = created["key"]["id"].clone();
    let secret = created["secret"].as_str().unwrap().to_owned();

    let mut stream = open_with_key(&server, &secret).await;
    assert_eq!(server.ingest(&secret, &event(1)).await.0, 201);
    assert!(next_event(&mut stream)
        .await
        .starts_with("event: audit_event\n"));
    let (status, rotated) = server
        .call(Some(&admin), "api_keys/rotate", json!({"id": id}))
        .await;
    assert_eq!(status, 200, "{rotated}");
    assert_eq!(ending_error(stream).await["code"], "unauthorized");

    let stream = open_with_key(&server, rotated["secret"].as_str().unwrap()).await;
    let (status, _) = server
        .call(Some(&admin), "api_keys/delete", json!({"id": id}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(ending_error(stream).await["code"], "unauthorized");
}

#[tokio::test]
async fn a_members_stream_ends_when_they_are_removed() {
    let server = TestServer::start();
    server.org("acme", "pro");
    server.user("acme", "admin@acme.com", "admin", PASSWORD);
    server.user("acme", "carol@acme.com", "admin", PASSWORD);
    let admin = server.session("admin@acme.com", PASSWORD).await;
    let carol = server.session("carol@acme.com", PASSWORD).await;
    let stream = server
        .http
        .get(server.url("/api/v1/audit-logs/stream"))
        .header(COOKIE, &carol)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let (_, members) = server.call(Some(&admin), "members/list", json!({})).await;
    let carol_id = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "carol@acme.com")
        .unwrap()["user_id"]
        .clone();
    let (status, _) = server
        .call(Some(&admin), "members/remove", json!({"user_id": carol_id}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(ending_error(stream).await["code"], "unauthorized");
}
