//! Identity through the server functions: invitations, roles in use, key rotation, passwords,
//! lockout, the Origin check, and the self-audit events each of them records.

mod common;

use common::TestServer;
use reqwest::header::{COOKIE, ORIGIN, SET_COOKIE, USER_AGENT};
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse";
const CHROME_ON_MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 \
                             (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// The organization's events with this action, newest first, read by its admin.
async fn events(server: &TestServer, admin: &str, action: &str) -> Vec<Value> {
    let (status, page) = server
        .call(
            Some(admin),
            "audit_logs/list",
            json!({"query": {"filter": {"actions": [action]}, "limit": 100}}),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    page["data"].as_array().unwrap().clone()
}

fn acme() -> (TestServer, String) {
    let server = TestServer::start();
    server.org("acme", "pro");
    server.user("acme", "admin@acme.com", "admin", PASSWORD);
    (server, "acme".into())
}

#[tokio::test]
async fn an_invited_user_accepts_once_signs_in_with_the_role_and_every_step_is_audited() {
    let (server, _) = acme();
    let admin = server.session("admin@acme.com", PASSWORD).await;
    let (_, role) = server
        .call(
            Some(&admin),
            "roles/create",
            json!({"name": "Auditor", "permissions": ["audit_logs:read"]}),
        )
        .await;
    let (status, invitation) = server
        .call(
            Some(&admin),
            "members/invite",
            json!({"email": "bob@acme.com", "role_id": role["id"]}),
        )
        .await;
    assert_eq!(status, 200, "{invitation}");
    let token = invitation["token"].as_str().unwrap().to_owned();
    let (_, pending) = server
        .call(Some(&admin), "members/invitations", json!({}))
        .await;
    assert_eq!(pending[0]["email"], "bob@acme.com");

    let (status, preview) = server
        .call(None, "account/invitation", json!({"token": token}))
        .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(
        (
            preview["role"].as_str(),
            preview["signed_in_as_invitee"].as_bool()
        ),
        (Some("Auditor"), Some(false))
    );
    let (status, body) = server
        .call(
            None,
            "account/accept_invitation",
            json!({"token": token, "display_name": "Bob", "password": "short"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (400, Some("password"))
    );
    let (status, viewer) = server
        .call(
            None,
            "account/accept_invitation",
            json!({"token": token, "display_name": "Bob", "password": "bobs-password"}),
        )
        .await;
    assert_eq!(status, 200, "{viewer}");
    assert_eq!(viewer["role"], "Auditor");
    let (status, _) = server
        .call(
            None,
            "account/accept_invitation",
            json!({"token": token, "display_name": "Eve", "password": "eves-password"}),
        )
        .await;
    assert_eq!(status, 404, "an invitation works once");

    let bob = server.session("bob@acme.com", "bobs-password").await;

    assert_eq!(
        server
            .call(
                Some(&bob),
                "audit_logs/list",
                json!({"query": {"filter": {}}})
            )
            .await
            .0,
        200
    );
    assert_eq!(
        server.call(Some(&bob), "members/list", json!({})).await.0,
        403
    );

    let invited = events(&server, &admin, "user.invited").await;
    assert_eq!(
        invited[0]["message"],
        "bob@acme.com was invited by admin@acme.com"
    );
    assert_eq!(invited[0]["details"]["role"], "Auditor");
    assert!(
        invited[0]["context"]["ip"].as_str().is_some(),
        "{}",
        invited[0]
    );
    let signed_up = events(&server, &admin, "user.signed_up").await;
    assert_eq!(signed_up[0]["actor"]["email"], "bob@acme.com");
    let logins = events(&server, &admin, "user.login").await;
    assert!(logins.iter().any(|e| e["actor"]["email"] == "bob@acme.com"));
    assert_eq!(
        events(&server, &admin, "role.created").await[0]["targets"][0]["name"],
        "Auditor"
    );
}

#[tokio::test]
async fn a_role_in_use_cannot_be_deleted_until_its_members_move_and_edits_record_before_and_after()
{
    let (server, _) = acme();
    let admin = server.session("admin@acme.com", PASSWORD).await;
    let (_, role) = server
        .call(
            Some(&admin),
            "roles/create",
            json!({"name": "Auditor", "permissions": ["audit_logs:read"]}),
        )
        .await;
    server.user("acme", "carol@acme.com", "Auditor", PASSWORD);
    let (status, body) = server
        .call(Some(&admin), "roles/delete", json!({"id": role["id"]}))
        .await;
    assert_eq!(status, 409);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("give them another role first"));

    let (_, members) = server.call(Some(&admin), "members/list", json!({})).await;
    let carol = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "carol@acme.com")
        .unwrap()
        .clone();
    let (_, roles) = server.call(Some(&admin), "roles/list", json!({})).await;
    let finance = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "finance")
        .unwrap()["id"]
        .clone();
    let (status, body) = server
        .call(
            Some(&admin),
            "members/change_role",
            json!({"user_id": carol["user_id"], "role_id": finance}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let edited = events(&server, &admin, "user.role_edited").await;
    assert_eq!(
        edited[0]["changes"],
        json!([{"field": "role", "before": "Auditor", "after": "finance"}])
    );

    let (status, _) = server
        .call(Some(&admin), "roles/update", json!({"id": role["id"], "name": "Reader", "permissions": ["audit_logs:read", "audit_logs:export"]}))
        .await;
    assert_eq!(status, 200);
    let updated = events(&server, &admin, "role.updated").await;
    assert_eq!(
        updated[0]["changes"].as_array().unwrap().len(),
        2,
        "{}",
        updated[0]
    );
    assert_eq!(
        server
            .call(Some(&admin), "roles/delete", json!({"id": role["id"]}))
            .await
            .0,
        200
    );
    assert_eq!(events(&server, &admin, "role.deleted").await.len(), 1);

    let builtin = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "admin")
        .unwrap()["id"]
        .clone();
    assert_eq!(
        server
            .call(Some(&admin), "roles/delete", json!({"id": builtin}))
            .await
            .0,
        403
    );
    let me = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "admin@acme.com")
        .unwrap()["user_id"]
        .clone();
    let (status, _) = server
        .call(Some(&admin), "members/remove", json!({"user_id": me}))
        .await;
    assert_eq!(status, 403, "nobody removes themselves");
    assert_eq!(
        server
            .call(
                Some(&admin),
                "members/remove",
                json!({"user_id": carol["user_id"]})
            )
            .await
            .0,
        200
    );
    assert_eq!(
        events(&server, &admin, "user.deleted").await[0]["targets"][0]["name"],
        "carol@acme.com"
    );
    assert!(
        server.sign_in("carol@acme.com", PASSWORD).await.is_err(),
        "a removed member belongs to no organization"
    );
}

#[tokio::test]
async fn a_rotated_key_stops_working_at_once_and_keys_show_last_use() {
    let (server, _) = acme();
    let admin = server.session("admin@acme.com", PASSWORD).await;
    let (status, created) = server
        .call(
            Some(&admin),
            "api_keys/create",
            json!({"name": "ci", "scopes": ["events:write", "audit_logs:read"]}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let old = created["secret"].as_str().unwrap().to_owned();
    assert!(old.ends_with(created["key"]["last4"].as_str().unwrap()));
    assert_eq!(created["key"]["last_used_at"], Value::Null);
    assert_eq!(server.get(&old, "/api/v1/audit-logs").await.0, 200);
    let (_, keys) = server.call(Some(&admin), "api_keys/list", json!({})).await;
    assert!(keys[0]["last_used_at"].is_string(), "{keys}");
    assert!(
        !keys.to_string().contains(&old),
        "the list never holds a secret"
    );

    let id = created["key"]["id"].clone();
    let (status, rotated) = server
        .call(Some(&admin), "api_keys/rotate", json!({"id": id}))
        .await;
    assert_eq!(status, 200, "{rotated}");
    let new = rotated["secret"].as_str().unwrap();
    assert_eq!(server.get(&old, "/api/v1/audit-logs").await.0, 401);
    assert_eq!(server.get(new, "/api/v1/audit-logs").await.0, 200);

    assert_eq!(
        server
            .call(
                Some(&admin),
                "api_keys/rename",
                json!({"id": id, "name": "deploy"})
            )
            .await
            .0,
        200
    );
    assert_eq!(
        server
            .call(Some(&admin), "api_keys/delete", json!({"id": id}))
            .await
            .0,
        200
    );
    assert_eq!(server.get(new, "/api/v1/audit-logs").await.0, 401);
    for action in [
        "api_key.created",
        "api_key.rotated",
        "api_key.updated",
        "api_key.deleted",
    ] {
        let found = events(&server, &admin, action).await;
        assert_eq!(found.len(), 1, "{action}");
        assert!(
            !found[0].to_string().contains(&old),
            "{action} holds no secret"
        );
    }
    let rotation = &events(&server, &admin, "api_key.rotated").await[0];
    assert_eq!(
        rotation["message"],
        format!(
            "The API key ci ending with {} was rotated by admin@acme.com",
            &old[old.len() - 4..]
        )
    );
}

#[tokio::test]
async fn five_wrong_passwords_lock_known_and_unknown_accounts_alike_and_record_the_detection() {
    let (server, _) = acme();
    for attempt in 1..=5 {
        let (status, body) = server.sign_in("admin@acme.com", "wrong").await.unwrap_err();
        let expected = if attempt < 5 { 401 } else { 429 };
        assert_eq!(status, expected, "attempt {attempt}: {body}");
    }
    let (status, body) = server
        .sign_in("admin@acme.com", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(status, 429, "the right password waits for the lock too");
    let locked_message = body["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        locked_message.contains("temporarily locked"),
        "{locked_message}"
    );
    for _ in 1..=4 {
        assert_eq!(
            server
                .sign_in("ghost@acme.com", "wrong")
                .await
                .unwrap_err()
                .0,
            401
        );
    }
    let (status, body) = server.sign_in("ghost@acme.com", "wrong").await.unwrap_err();
    assert_eq!(
        status, 429,
        "an unknown email locks the same way, so a lock reveals nothing"
    );
    assert_eq!(body["error"]["message"].as_str().unwrap(), locked_message);

    // The user asks; an operator issues a reset link (never written to the log), which unlocks;
    // the admin then sees what happened.
    let (status, _) = server
        .call(
            None,
            "account/request_password_reset",
            json!({"email": "admin@acme.com"}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(server.logged("/reset-password/").is_empty());
    let token = reset_token(&server, "admin@acme.com");
    let (status, body) = server
        .call(
            None,
            "account/reset_password",
            json!({"token": token, "new_password": "a-new-password"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let admin = server.session("admin@acme.com", "a-new-password").await;
    assert_eq!(events(&server, &admin, "auth.login.failure").await.len(), 5);
    let detected = events(&server, &admin, "security.brute_force.detected").await;
    assert_eq!(detected.len(), 1);
    assert_eq!(detected[0]["targets"][0]["name"], "admin@acme.com");
    let lockout = events(&server, &admin, "security.account.lockout").await;
    assert_eq!(
        lockout[0]["message"],
        "Account admin@acme.com was locked after repeated failed logins"
    );
    let requested = events(&server, &admin, "user.password_reset_requested").await;
    let vias: Vec<_> = requested
        .iter()
        .map(|e| e["details"]["via"].clone())
        .collect();
    assert_eq!(vias, [json!("operator command"), json!("sign-in page")]);
    assert_eq!(
        events(&server, &admin, "user.password_edited").await[0]["details"]["via"],
        "reset link"
    );
    let (status, _) = server
        .call(
            None,
            "account/reset_password",
            json!({"token": token, "new_password": "another-password"}),
        )
        .await;
    assert_eq!(status, 400, "a reset link works once");
    assert!(
        server
            .call(
                None,
                "account/request_password_reset",
                json!({"email": "ghost@acme.com"})
            )
            .await
            .0
            == 200
    );
}

/// The token of a reset link issued by the operator for `email`.
fn reset_token(server: &TestServer, email: &str) -> String {
    let out = server.cli(&["user", "reset-link", "--email", email]);
    let link = out.lines().last().expect("a reset link");
    link.strip_prefix("/reset-password/")
        .expect("a reset path")
        .to_owned()
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_closes_the_others() {
    let (server, _) = acme();
    let here = server.session("admin@acme.com", PASSWORD).await;
    let elsewhere = server.session("admin@acme.com", PASSWORD).await;
    let (status, body) = server
        .call(
            Some(&here),
            "account/change_password",
            json!({"current": "wrong", "new_password": "another-password"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (400, Some("current"))
    );
    let (status, _) = server
        .call(
            Some(&here),
            "account/change_password",
            json!({"current": PASSWORD, "new_password": "another-password"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        server.call(Some(&here), "members/list", json!({})).await.0,
        200
    );
    assert_eq!(
        server
            .call(Some(&elsewhere), "members/list", json!({}))
            .await
            .0,
        401
    );
    assert!(server.sign_in("admin@acme.com", PASSWORD).await.is_err());
    let edited = events(&server, &here, "user.password_edited").await;
    assert_eq!(edited[0]["message"], "admin@acme.com password edited");
}

#[tokio::test]
async fn a_new_browser_is_recorded_with_its_browser_and_system_and_sign_out_is_audited() {
    let (server, _) = acme();
    let res = server
        .http
        .post(server.url("/api/session/sign_in"))
        .header(USER_AGENT, CHROME_ON_MAC)
        .form(&[("email", "admin@acme.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let cookies: Vec<String> = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("auditrail_session="))
        .unwrap()
        .clone();
    let device = cookies
        .iter()
        .find(|c| c.starts_with("auditrail_device="))
        .unwrap()
        .clone();
    // The same browser again: not new.
    let again = server
        .http
        .post(server.url("/api/session/sign_in"))
        .header(COOKIE, &device)
        .form(&[("email", "admin@acme.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(again.status().is_success());
    let new_devices = events(&server, &session, "user.new_device_logged_in").await;
    assert_eq!(new_devices.len(), 1);
    assert_eq!(
        (
            new_devices[0]["details"]["browser"].as_str(),
            new_devices[0]["details"]["os"].as_str()
        ),
        (Some("Chrome"), Some("macOS"))
    );
    assert_eq!(new_devices[0]["context"]["user_agent"], CHROME_ON_MAC);
    assert_eq!(events(&server, &session, "user.login").await.len(), 2);

    let (status, _) = server
        .call(Some(&session), "session/sign_out", json!({}))
        .await;
    assert_eq!(status, 200);
    let other = server.session("admin@acme.com", PASSWORD).await;
    assert_eq!(events(&server, &other, "user.logout").await.len(), 1);
}

#[tokio::test]
async fn server_functions_refuse_cross_site_requests() {
    let (server, _) = acme();
    let admin = server.session("admin@acme.com", PASSWORD).await;
    let res = server
        .http
        .post(server.url("/api/members/list"))
        .header(COOKIE, &admin)
        .header(ORIGIN, "https://evil.example")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    let res = server
        .http
        .post(server.url("/api/members/list"))
        .header(COOKIE, &admin)
        .header(ORIGIN, server.base.clone())
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "the app's own origin passes");
}

#[tokio::test]
async fn a_member_of_two_organizations_switches_between_them() {
    let (server, _) = acme();
    server.org("globex", "free");
    server.user("globex", "admin@acme.com", "finance", PASSWORD);
    let session = server.session("admin@acme.com", PASSWORD).await;
    let (_, viewer) = server
        .call(Some(&session), "session/viewer", json!({}))
        .await;
    assert_eq!(viewer["organizations"].as_array().unwrap().len(), 2);
    let (status, viewer) = server
        .call(
            Some(&session),
            "session/switch_organization",
            json!({"slug": "globex"}),
        )
        .await;
    assert_eq!(status, 200, "{viewer}");
    assert_eq!(
        (
            viewer["access"]["org_slug"].as_str(),
            viewer["role"].as_str()
        ),
        (Some("globex"), Some("finance"))
    );
    assert_eq!(
        server
            .call(Some(&session), "members/list", json!({}))
            .await
            .0,
        403
    );
}
