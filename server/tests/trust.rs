//! Each finding of the trust review, as a test that failed before its fix: what an insider or a
//! stranger tried, and what must hold instead. In-process, on either database.

mod common;

use app::model::{Permission, Plan};
use common::in_process::App;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse";

async fn acme() -> (App, server::store::Organization) {
    let app = App::start().await;
    let org = app.org("acme").await;
    app.member(&org, "admin@acme.com", "admin", PASSWORD).await;
    app.member(&org, "finance@acme.com", "finance", PASSWORD)
        .await;
    (app, org)
}

/// The organization's events with this action, newest first, read by the admin.
async fn events(app: &App, admin: &str, action: &str) -> Vec<Value> {
    let (status, page) = app
        .call(
            admin,
            "audit_logs/list",
            json!({"query": {"filter": {"actions": [action]}, "limit": 100}}),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    page["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_blank_user_agent_neither_skips_the_record_nor_the_lockout_count() {
    let (app, _) = acme().await;
    for _ in 0..5 {
        let (status, _, _) = app.sign_in("admin@acme.com", "wrong", "").await;
        assert!(status == 401 || status == 429, "{status}");
    }
    let (status, body, _) = app.sign_in("admin@acme.com", PASSWORD, " ").await;
    assert_eq!(status, 429, "five blank-agent failures lock: {body}");
    app.services.link_own_events().await.unwrap();
    let mut tx = app.services.stores().identity.begin().await.unwrap();
    tx.clear_failed_sign_ins("admin@acme.com").await.unwrap();
    tx.commit().await.unwrap();
    let admin = app.session("admin@acme.com", PASSWORD).await;
    let failures = events(&app, &admin, "auth.login.failure").await;
    assert_eq!(failures.len(), 5);
    assert!(failures[0]["context"].get("user_agent").is_none());
    assert_eq!(
        events(&app, &admin, "security.account.lockout").await.len(),
        1
    );
}

#[tokio::test]
async fn parallel_wrong_passwords_get_no_more_guesses_than_the_lockout_allows() {
    let (app, _) = acme().await;
    let attempts = (0..12).map(|_| app.sign_in("admin@acme.com", "wrong", "curl/8"));
    let statuses: Vec<u16> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(|(status, _, _)| status)
        .collect();
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        checked <= 4,
        "{checked} passwords checked before the lock: {statuses:?}"
    );
    let (status, _, _) = app.sign_in("admin@acme.com", PASSWORD, "curl/8").await;
    assert_eq!(status, 429, "locked, even with the right password");
}

#[tokio::test]
async fn ingest_refuses_auditrails_own_actor_and_every_event_records_who_sent_it() {
    let (app, org) = acme().await;
    let (_, secret) = app
        .services
        .create_api_key(&org, "Backend", &[Permission::EventsWrite])
        .await
        .unwrap();
    let forged = json!({"action": "security.account.lockout",
                        "actor": {"type": "system", "id": "auditrail", "name": "Auditrail"}});
    let (status, body) = app.ingest(&secret, &forged).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["field"], "actor.id");
    let (status, body) = app
        .ingest(
            &secret,
            &json!({"action": "user.login", "actor": {"type": "user", "id": "user_1"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["events"][0]["source"]["type"], "api_key");
    assert_eq!(body["events"][0]["source"]["name"], "Backend");
    let admin = app.session("admin@acme.com", PASSWORD).await;
    let own = events(&app, &admin, "user.login").await;
    let sources: Vec<_> = own.iter().map(|e| e["source"]["type"].clone()).collect();
    assert!(sources.contains(&json!("auditrail")), "{sources:?}");
    assert!(sources.contains(&json!("api_key")), "{sources:?}");
}

#[tokio::test]
async fn an_existing_account_accepts_an_invitation_only_while_signed_in_as_itself() {
    let (app, _) = acme().await;
    let other = app.org("globex").await;
    app.member(&other, "victim@globex.com", "admin", PASSWORD)
        .await;
    let admin = app.session("admin@acme.com", PASSWORD).await;
    let (_, roles) = app.call(&admin, "roles/list", json!({})).await;
    let finance = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "finance")
        .unwrap()["id"]
        .clone();
    let (status, invitation) = app
        .call(
            &admin,
            "members/invite",
            json!({"email": "victim@globex.com", "role_id": finance}),
        )
        .await;
    assert_eq!(status, 200, "{invitation}");
    let token = invitation["token"].clone();
    let (_, preview) = app
        .call(&admin, "account/invitation", json!({"token": token}))
        .await;
    assert_eq!(preview["signed_in_as_invitee"], false);
    assert!(preview.get("existing_user").is_none());
    // The inviter holds the token: guessing the victim's password through it gets nowhere.
    for guess in ["correct-horse", "password1"] {
        let (status, body) = app
            .call(
                &admin,
                "account/accept_invitation",
                json!({"token": token, "display_name": "x", "password": guess}),
            )
            .await;
        assert_eq!(status, 401, "{body}");
    }
    let victim = app.session("victim@globex.com", PASSWORD).await;
    let (_, preview) = app
        .call(&victim, "account/invitation", json!({"token": token}))
        .await;
    assert_eq!(preview["signed_in_as_invitee"], true);
    let (status, viewer) = app
        .call(
            &victim,
            "account/accept_invitation",
            json!({"token": token, "display_name": "", "password": ""}),
        )
        .await;
    assert_eq!(status, 200, "{viewer}");
    assert_eq!(viewer["access"]["org_slug"], "acme");
}

#[tokio::test]
async fn using_one_reset_link_ends_the_others() {
    let (app, _) = acme().await;
    let first = app
        .services
        .issue_reset_token("admin@acme.com")
        .await
        .unwrap();
    let second = app
        .services
        .issue_reset_token("admin@acme.com")
        .await
        .unwrap();
    let admin = app.session("admin@acme.com", PASSWORD).await;
    let reset = |token: String| {
        app.call(
            &admin,
            "account/reset_password",
            json!({"token": token, "new_password": "a-new-password"}),
        )
    };
    assert_eq!(reset(second).await.0, 200);
    assert_eq!(reset(first).await.0, 400);
}

#[tokio::test]
async fn staged_security_events_are_linked_once_however_often_linking_runs() {
    let (app, _) = acme().await;
    let admin = app.session("admin@acme.com", PASSWORD).await;
    let runs = (0..4).map(|_| app.services.link_own_events());
    for run in futures::future::join_all(runs).await {
        run.unwrap();
    }
    let logins = events(&app, &admin, "user.login").await;
    assert_eq!(logins.len(), 1, "{logins:?}");
    let (_, page) = app
        .call(
            &admin,
            "audit_logs/list",
            json!({"query": {"filter": {}, "include_total": true}}),
        )
        .await;
    let total = page["total"].as_u64().unwrap();
    let seqs: Vec<u64> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs.first().copied(), Some(total), "gap-free: {seqs:?}");
}

#[tokio::test]
async fn a_free_plan_member_and_a_finance_member_read_nothing() {
    let (app, _) = acme().await;
    let finance = app.session("finance@acme.com", PASSWORD).await;
    let (status, _) = app
        .call(
            &finance,
            "audit_logs/list",
            json!({"query": {"filter": {}}}),
        )
        .await;
    assert_eq!(status, 403);
    let free = app
        .services
        .create_organization("cheap", "Cheap", Plan::Free)
        .await
        .unwrap();
    app.member(&free, "owner@cheap.com", "admin", PASSWORD)
        .await;
    let owner = app.session("owner@cheap.com", PASSWORD).await;
    let (status, _) = app
        .call(&owner, "audit_logs/list", json!({"query": {"filter": {}}}))
        .await;
    assert_eq!(status, 402);
}
