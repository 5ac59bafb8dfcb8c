//! Organizations never see each other: a member and a key of organization B get 404 (or an
//! empty list) for everything of organization A.

mod common;

use common::{event, TestServer};
use serde_json::json;

const PASSWORD: &str = "correct-horse";

#[tokio::test]
async fn a_member_and_a_key_of_another_organization_reach_nothing_of_it() {
    let server = TestServer::start();
    server.org("alpha", "pro");
    server.org("beta", "pro");
    server.user("alpha", "admin@alpha.io", "admin", PASSWORD);
    server.user("alpha", "member@alpha.io", "finance", PASSWORD);
    server.user("beta", "admin@beta.io", "admin", PASSWORD);
    let alpha_key = server.key("alpha", "events:write");
    let (_, stored) = server.ingest(&alpha_key, &event(1)).await;
    let alpha_event = stored["ids"][0].as_str().unwrap().to_owned();

    let alpha = server.session("admin@alpha.io", PASSWORD).await;
    let (_, created) = server
        .call(
            Some(&alpha),
            "api_keys/create",
            json!({"name": "ci", "scopes": ["events:write"]}),
        )
        .await;
    let alpha_key_id = created["key"]["id"].as_i64().unwrap();
    let (_, role) = server
        .call(
            Some(&alpha),
            "roles/create",
            json!({"name": "Auditor", "permissions": ["audit_logs:read"]}),
        )
        .await;
    let alpha_role = role["id"].as_i64().unwrap();
    let (_, invitation) = server
        .call(
            Some(&alpha),
            "members/invite",
            json!({"email": "new@alpha.io", "role_id": alpha_role}),
        )
        .await;
    let alpha_invitation = invitation["invitation"]["id"].as_i64().unwrap();
    let (_, members) = server.call(Some(&alpha), "members/list", json!({})).await;
    let alpha_member = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "member@alpha.io")
        .unwrap()["user_id"]
        .as_i64()
        .unwrap();

    let beta = server.session("admin@beta.io", PASSWORD).await;
    let beta_key = server.key("beta", "audit_logs:read");
    let not_found = [
        ("audit_logs/get", json!({"id": alpha_event})),
        (
            "members/change_role",
            json!({"user_id": alpha_member, "role_id": alpha_role}),
        ),
        ("members/remove", json!({"user_id": alpha_member})),
        (
            "members/withdraw_invitation",
            json!({"id": alpha_invitation}),
        ),
        (
            "members/invite",
            json!({"email": "x@beta.io", "role_id": alpha_role}),
        ),
        (
            "roles/update",
            json!({"id": alpha_role, "name": "Mine", "permissions": []}),
        ),
        ("roles/delete", json!({"id": alpha_role})),
        (
            "api_keys/rename",
            json!({"id": alpha_key_id, "name": "mine"}),
        ),
        ("api_keys/rotate", json!({"id": alpha_key_id})),
        ("api_keys/delete", json!({"id": alpha_key_id})),
        ("session/switch_organization", json!({"slug": "alpha"})),
    ];
    for (function, body) in not_found {
        let (status, answer) = server.call(Some(&beta), function, body).await;
        assert_eq!(status, 404, "{function}: {answer}");
    }
    let (_, page) = server
        .call(
            Some(&beta),
            "audit_logs/list",
            json!({"query": {"filter": {}}}),
        )
        .await;
    assert!(page["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["id"] != alpha_event.as_str()));
    for function in [
        "members/list",
        "roles/list",
        "api_keys/list",
        "members/invitations",
    ] {
        let (_, list) = server.call(Some(&beta), function, json!({})).await;
        let text = list.to_string();
        assert!(
            !text.contains("alpha.io") && !text.contains("Auditor") && !text.contains("\"ci\""),
            "{function}: {text}"
        );
    }
    assert_eq!(
        server
            .get(&beta_key, &format!("/api/v1/audit-logs/{alpha_event}"))
            .await
            .0,
        404
    );
    let (_, listed) = server.get(&beta_key, "/api/v1/audit-logs?limit=1000").await;
    let text = listed["data"].to_string();
    assert!(
        !text.contains(&alpha_event) && !text.contains("alpha.io"),
        "{text}"
    );
}
