//! Who may grant what. Nobody grants a permission they do not hold (a role, an invitation, a
//! role change or a key scope is a subset of the caller's own permissions; `events:write` is a
//! key scope only, which any key manager may give). Nobody acts on a member, role or key that
//! holds more than they do, so only an admin (a role holding every permission) acts on an admin.

use app::model::{Access, ApiError, ErrorCode, Permission};

/// Succeeds when the caller holds every permission of `permissions` (`events:write` aside);
/// otherwise 403 naming the first one missing and what the caller tried (`doing`).
pub fn check_within(
    caller: &Access,
    permissions: &[Permission],
    doing: &str,
) -> Result<(), ApiError> {
    match caller.lacking(permissions) {
        None => Ok(()),
        Some(missing) => Err(ApiError::new(
            ErrorCode::Forbidden,
            format!(
                "you cannot {doing}: it holds {}, which your role does not",
                missing.as_str()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::Plan;

    fn access(permissions: &[Permission]) -> Access {
        Access {
            org_id: 1,
            org_slug: "acme".into(),
            plan: Plan::Pro,
            permissions: permissions.to_vec(),
        }
    }

    #[test]
    fn only_permissions_the_caller_holds_may_be_granted() {
        let manager = access(&[Permission::MembersManage, Permission::AuditLogsRead]);
        assert!(check_within(&manager, &[Permission::AuditLogsRead], "grant").is_ok());
        assert!(check_within(&manager, &[], "grant").is_ok());
        let refused = check_within(&manager, &Permission::ROLE_PERMISSIONS, "grant").unwrap_err();
        assert_eq!(refused.status(), 403);
        assert!(
            refused.message.contains("audit_logs:export"),
            "{}",
            refused.message
        );
    }

    #[test]
    fn events_write_is_a_key_scope_any_key_manager_may_give() {
        let keys = access(&[Permission::ApiKeysManage]);
        assert!(check_within(&keys, &[Permission::EventsWrite], "create this key").is_ok());
        assert!(check_within(&keys, &[Permission::AuditLogsRead], "create this key").is_err());
    }
}
