//! The escalation matrix, in-process: for each role holding a manage permission, every attempt
//! to grant, or to act on, more than the role holds is refused with 403 and writes nothing.

mod common;

use common::in_process::App;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse";

/// An organization with a member per manage role, a finance member and a reading key.
struct Org {
    app: App,
    admin: String,
}

impl Org {
    async fn start() -> Self {
        let app = App::start().await;
        let org = app.org("acme").await;
        let custom = [
            ("role_manager", &["roles:manage"][..]),
            ("key_manager", &["api_keys:manage"]),
            (
                "lead",
                &["members:manage", "roles:manage", "audit_logs:read"],
            ),
        ];
        for (name, permissions) in custom {
            let permissions: Vec<_> = permissions
                .iter()
                .map(|p| app::model::Permission::parse(p).unwrap())
                .collect();
            app.services
                .create_custom_role(&org, name, &permissions)
                .await
                .unwrap();
        }
        for role in [
            "admin",
            "account_manager",
            "finance",
            "role_manager",
            "key_manager",
            "lead",
        ] {
            app.member(&org, &format!("{role}@acme.com"), role, PASSWORD)
                .await;
        }
        let admin = app.session("admin@acme.com", PASSWORD).await;
        Self { app, admin }
    }

    async fn session(&self, role: &str) -> String {
        self.app
            .session(&format!("{role}@acme.com"), PASSWORD)
            .await
    }

    /// Calls as the admin and answers the body, which must be a success.
    async fn admin_call(&self, function: &str, body: Value) -> Value {
        let (status, body) = self.app.call(&self.admin, function, body).await;
        assert_eq!(status, 200, "{function}: {body}");
        body
    }

    async fn role_id(&self, name: &str) -> i64 {
        let roles = self.admin_call("roles/list", json!({})).await;
        roles
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .and_then(|r| r["id"].as_i64())
            .unwrap_or_else(|| panic!("role {name}"))
    }

    async fn user_id(&self, email: &str) -> i64 {
        let members = self.admin_call("members/list", json!({})).await;
        members
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["email"] == email)
            .and_then(|m| m["user_id"].as_i64())
            .unwrap_or_else(|| panic!("member {email}"))
    }

    /// Everything a manage call can change, and how many events the log holds: equal before
    /// and after a refused attempt.
    async fn state(&self) -> Value {
        let events = self
            .admin_call(
                "audit_logs/list",
                json!({"query": {"filter": {}, "include_total": true}}),
            )
            .await;
        json!({
            "members": self.admin_call("members/list", json!({})).await,
            "invitations": self.admin_call("members/invitations", json!({})).await,
            "roles": self.admin_call("roles/list", json!({})).await,
            "keys": self.admin_call("api_keys/list", json!({})).await,
            "events": events["total"],
        })
    }

    /// Asserts that `role` trying `function(body)` gets 403 and changes nothing.
    async fn refused(&self, role: &str, function: &str, body: Value) {
        let session = self.session(role).await;
        let before = self.state().await;
        let (status, answer) = self.app.call(&session, function, body.clone()).await;
        assert_eq!(status, 403, "{role} {function} {body}: {answer}");
        assert_eq!(
            self.state().await,
            before,
            "{role} {function} wrote something"
        );
    }
}

#[tokio::test]
async fn a_members_manager_cannot_grant_admin_nor_act_on_an_admin() {
    let org = Org::start().await;
    let admin_role = org.role_id("admin").await;
    let admin_user = org.user_id("admin@acme.com").await;
    let finance_user = org.user_id("finance@acme.com").await;
    let finance_role = org.role_id("finance").await;
    for manager in ["account_manager", "lead"] {
        org.refused(
            manager,
            "members/invite",
            json!({"email": "my-other-address@acme.com", "role_id": admin_role}),
        )
        .await;
        org.refused(
            manager,
            "members/change_role",
            json!({"user_id": finance_user, "role_id": admin_role}),
        )
        .await;
        org.refused(
            manager,
            "members/change_role",
            json!({"user_id": admin_user, "role_id": finance_role}),
        )
        .await;
        org.refused(manager, "members/remove", json!({"user_id": admin_user}))
            .await;
    }
    // Within its own permissions the same manager may act.
    let manager = org.session("account_manager").await;
    let (status, body) = org
        .app
        .call(
            &manager,
            "members/invite",
            json!({"email": "new@acme.com", "role_id": finance_role}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn an_invitation_above_the_inviter_cannot_be_withdrawn_by_them() {
    let org = Org::start().await;
    let admin_role = org.role_id("admin").await;
    let invitation = org
        .admin_call(
            "members/invite",
            json!({"email": "cto@acme.com", "role_id": admin_role}),
        )
        .await;
    let id = invitation["invitation"]["id"].clone();
    org.refused(
        "account_manager",
        "members/withdraw_invitation",
        json!({"id": id}),
    )
    .await;
}

#[tokio::test]
async fn a_roles_manager_cannot_raise_its_own_role_nor_grant_what_it_lacks() {
    let org = Org::start().await;
    let own = org.role_id("role_manager").await;
    let lead = org.role_id("lead").await;
    let every: Vec<_> = app::model::Permission::ROLE_PERMISSIONS
        .iter()
        .map(|p| p.as_str())
        .collect();
    org.refused(
        "role_manager",
        "roles/update",
        json!({"id": own, "name": "role_manager", "permissions": every}),
    )
    .await;
    org.refused("role_manager", "roles/delete", json!({"id": own}))
        .await;
    org.refused(
        "role_manager",
        "roles/create",
        json!({"name": "Reader", "permissions": ["audit_logs:read"]}),
    )
    .await;
    org.refused(
        "role_manager",
        "roles/update",
        json!({"id": lead, "name": "lead", "permissions": ["roles:manage"]}),
    )
    .await;
    // The lead holds reading, so it may create a reading role, but not one that exports.
    org.refused(
        "lead",
        "roles/create",
        json!({"name": "Exporter", "permissions": ["audit_logs:read", "audit_logs:export"]}),
    )
    .await;
    let lead_session = org.session("lead").await;
    let (status, body) = org
        .app
        .call(
            &lead_session,
            "roles/create",
            json!({"name": "Reader", "permissions": ["audit_logs:read"]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_keys_manager_cannot_mint_or_take_over_a_key_that_reads_the_log() {
    let org = Org::start().await;
    let reader = org
        .admin_call(
            "api_keys/create",
            json!({"name": "SIEM", "scopes": ["audit_logs:read"]}),
        )
        .await;
    let reader_id = reader["key"]["id"].clone();
    for scopes in [
        json!(["audit_logs:read"]),
        json!(["events:write", "audit_logs:export"]),
    ] {
        org.refused(
            "key_manager",
            "api_keys/create",
            json!({"name": "mine", "scopes": scopes}),
        )
        .await;
    }
    org.refused("key_manager", "api_keys/rotate", json!({"id": reader_id}))
        .await;
    org.refused(
        "key_manager",
        "api_keys/rename",
        json!({"id": reader_id, "name": "renamed"}),
    )
    .await;
    org.refused("key_manager", "api_keys/delete", json!({"id": reader_id}))
        .await;
    // The original key still reads; a writing key is within the manager's reach.
    let secret = reader["secret"].as_str().unwrap();
    assert_eq!(org.app.get(secret, "/api/v1/audit-logs").await.0, 200);
    let manager = org.session("key_manager").await;
    let (status, body) = org
        .app
        .call(
            &manager,
            "api_keys/create",
            json!({"name": "ingest", "scopes": ["events:write"]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// The permissions of a role or the scopes of a key, as listed.
fn held(entry: &Value, field: &str) -> Vec<String> {
    entry[field]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn no_sequence_of_manage_calls_by_a_non_admin_yields_more_than_the_caller_holds() {
    use rand::rngs::StdRng;
    use rand::seq::SliceRandom;
    use rand::{Rng, SeedableRng};

    let org = Org::start().await;
    let every = [
        "events:write",
        "audit_logs:read",
        "audit_logs:export",
        "members:manage",
        "roles:manage",
        "api_keys:manage",
        "settings:manage",
        "webhooks:manage",
    ];
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let callers = [
        ("key_manager", &["api_keys:manage"][..]),
        ("account_manager", &["members:manage"]),
        (
            "lead",
            &["members:manage", "roles:manage", "audit_logs:read"],
        ),
    ];
    let mut sessions = Vec::new();
    for (caller, _) in callers {
        sessions.push(org.session(caller).await);
    }
    for ((caller, holds), session) in callers.into_iter().zip(sessions) {
        let before = org.state().await;
        let mut done = 0;
        for step in 0..40 {
            let roles = org.admin_call("roles/list", json!({})).await;
            let role_ids: Vec<Value> = roles
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].clone())
                .collect();
            let members = org.admin_call("members/list", json!({})).await;
            let user_ids: Vec<Value> = members
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["user_id"].clone())
                .collect();
            let keys = org.admin_call("api_keys/list", json!({})).await;
            let key_ids: Vec<Value> = keys
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k["id"].clone())
                .chain([json!(0)])
                .collect();
            let some: Vec<&str> = every
                .iter()
                .copied()
                .filter(|_| rng.gen_bool(0.3))
                .collect();
            let role = role_ids.choose(&mut rng).unwrap().clone();
            let user = user_ids.choose(&mut rng).unwrap().clone();
            let key = key_ids.choose(&mut rng).unwrap().clone();
            let (function, body) = match rng.gen_range(0..8) {
                0 => (
                    "members/invite",
                    json!({"email": format!("p{step}@x.com"), "role_id": role}),
                ),
                1 => (
                    "members/change_role",
                    json!({"user_id": user, "role_id": role}),
                ),
                2 => ("members/remove", json!({"user_id": user})),
                3 => (
                    "roles/create",
                    json!({"name": format!("r{caller}{step}"), "permissions": some}),
                ),
                4 => (
                    "roles/update",
                    json!({"id": role, "name": format!("u{caller}{step}"), "permissions": some}),
                ),
                5 => {
                    let scopes = if rng.gen_bool(0.5) {
                        vec!["events:write"]
                    } else {
                        some
                    };
                    (
                        "api_keys/create",
                        json!({"name": format!("k{caller}{step}"), "scopes": scopes}),
                    )
                }
                6 => ("api_keys/rotate", json!({"id": key})),
                _ => (
                    "api_keys/rename",
                    json!({"id": key, "name": format!("n{caller}{step}")}),
                ),
            };
            let (status, _) = org.app.call(&session, function, body).await;
            done += usize::from(status == 200);
        }
        assert!(done > 0, "{caller}: no call within its reach succeeded");
        // Whatever the caller created or changed holds nothing the caller lacks.
        let after = org.state().await;
        let within = |permissions: Vec<String>| {
            permissions
                .iter()
                .all(|p| p == "events:write" || holds.contains(&p.as_str()))
        };
        let roles_before = before["roles"].as_array().unwrap();
        for role in after["roles"].as_array().unwrap() {
            if !roles_before.contains(role) {
                assert!(within(held(role, "permissions")), "{caller} made {role}");
            }
        }
        let role_of = |id: &Value| {
            after["roles"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == *id)
                .cloned()
        };
        let members_before = before["members"].as_array().unwrap();
        for member in after["members"].as_array().unwrap() {
            if !members_before.contains(member) {
                let role = role_of(&member["role_id"]).unwrap();
                assert!(within(held(&role, "permissions")), "{caller} gave {member}");
            }
        }
        for invitation in after["invitations"].as_array().unwrap() {
            if !before["invitations"]
                .as_array()
                .unwrap()
                .contains(invitation)
            {
                let role = after["roles"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| r["name"] == invitation["role"])
                    .cloned()
                    .unwrap();
                assert!(
                    within(held(&role, "permissions")),
                    "{caller} invited {invitation}"
                );
            }
        }
        let keys_before = before["keys"].as_array().unwrap();
        for key in after["keys"].as_array().unwrap() {
            let unchanged = keys_before
                .iter()
                .any(|k| k["id"] == key["id"] && k["last4"] == key["last4"]);
            if !unchanged {
                assert!(within(held(key, "scopes")), "{caller} minted {key}");
            }
        }
    }
}
