//! Roles: the built-in ones and custom permission sets (permission `roles:manage`).

use super::authorization::check_within;
use super::members::org_role;
use super::self_audit::OwnEvent;
use super::Services;
use crate::store::{IdentityTx, Role};
use app::api::backend::RolesBackend;
use app::model::{ApiError, ErrorCode, Permission, Requester, RoleSummary};
use async_trait::async_trait;

/// The permission names, for event details and changes.
fn names(permissions: &[Permission]) -> Vec<&'static str> {
    permissions.iter().map(|p| p.as_str()).collect()
}

/// A valid custom role: a trimmed name of 1–50 characters and role permissions, each once, in
/// the canonical order.
fn check_role(
    name: &str,
    permissions: &[Permission],
) -> Result<(String, Vec<Permission>), ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(ApiError::invalid("name must be 1 to 50 characters").with_field("name"));
    }
    if let Some(p) = permissions
        .iter()
        .find(|p| !Permission::ROLE_PERMISSIONS.contains(p))
    {
        return Err(
            ApiError::invalid(format!("{} is not a role permission", p.as_str()))
                .with_field("permissions"),
        );
    }
    let permissions = Permission::ROLE_PERMISSIONS
        .into_iter()
        .filter(|p| permissions.contains(p))
        .collect();
    Ok((name.to_owned(), permissions))
}

fn role_event(action: &str, requester: &Requester, role: &Role) -> OwnEvent {
    OwnEvent::by(action, requester).target("role", format!("role_{}", role.id), &role.name)
}

/// A custom role of the requester's organization that the requester may change: not a built-in
/// role, not the role they hold, and nothing above their own permissions (read in `tx`).
async fn custom_role(
    tx: &mut IdentityTx,
    requester: &Requester,
    id: i64,
) -> Result<Role, ApiError> {
    let role = org_role(tx, requester, id, "id").await?;
    if role.builtin {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            format!("{} is a built-in role and cannot be changed", role.name),
        ));
    }
    if role.name == requester.viewer.role {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "you cannot change the role you hold: ask another member who manages roles",
        ));
    }
    check_within(
        &requester.viewer.access,
        &role.permissions,
        &format!("change the role {}", role.name),
    )?;
    Ok(role)
}

#[async_trait]
impl RolesBackend for Services {
    async fn roles(&self, requester: &Requester) -> Result<Vec<RoleSummary>, ApiError> {
        let access = &requester.viewer.access;
        if !access.has(Permission::MembersManage) {
            access.require(Permission::RolesManage)?;
        }
        Ok(self.stores.identity.roles(access.org_id).await?)
    }

    async fn create_role(
        &self,
        requester: &Requester,
        name: &str,
        permissions: &[Permission],
    ) -> Result<RoleSummary, ApiError> {
        let access = &requester.viewer.access;
        access.require(Permission::RolesManage)?;
        let (name, permissions) = check_role(name, permissions)?;
        check_within(access, &permissions, "create this role")
            .map_err(|e| e.with_field("permissions"))?;
        let org = access.org_id;
        let mut tx = self.stores.identity.begin().await?;
        let role = tx.create_role(org, &name, &permissions, false).await?;
        let event = role_event("role.created", requester, &role)
            .detail("permissions", names(&role.permissions));
        Self::stage(&mut tx, org, &requester.client, event).await?;
        self.commit(tx).await?;
        Ok(RoleSummary {
            id: role.id,
            name: role.name,
            permissions: role.permissions,
            builtin: false,
            members: 0,
        })
    }

    async fn update_role(
        &self,
        requester: &Requester,
        id: i64,
        name: &str,
        permissions: &[Permission],
    ) -> Result<(), ApiError> {
        let access = &requester.viewer.access;
        access.require(Permission::RolesManage)?;
        let (name, permissions) = check_role(name, permissions)?;
        let mut tx = self.stores.identity.begin().await?;
        let before = custom_role(&mut tx, requester, id).await?;
        check_within(access, &permissions, "give this role these permissions")
            .map_err(|e| e.with_field("permissions"))?;
        let org = access.org_id;
        if !tx.update_role(org, id, &name, &permissions).await? {
            return Err(ApiError::not_found("role"));
        }
        let event = role_event("role.updated", requester, &before)
            .change("name", before.name.clone(), name)
            .change(
                "permissions",
                names(&before.permissions),
                names(&permissions),
            );
        Self::stage(&mut tx, org, &requester.client, event).await?;
        self.commit(tx).await
    }

    async fn delete_role(&self, requester: &Requester, id: i64) -> Result<(), ApiError> {
        requester.viewer.access.require(Permission::RolesManage)?;
        let mut tx = self.stores.identity.begin().await?;
        let role = custom_role(&mut tx, requester, id).await?;
        let org = requester.viewer.access.org_id;
        if !tx.delete_role(org, id).await? {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!(
                    "Members still hold the role {}: give them another role first",
                    role.name
                ),
            ));
        }
        let event = role_event("role.deleted", requester, &role)
            .detail("permissions", names(&role.permissions));
        Self::stage(&mut tx, org, &requester.client, event).await?;
        self.commit(tx).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_trimmed_deduplicated_and_limited_to_role_permissions() {
        let (name, permissions) = check_role(
            "  Auditor ",
            &[
                Permission::AuditLogsExport,
                Permission::AuditLogsRead,
                Permission::AuditLogsExport,
            ],
        )
        .unwrap();
        assert_eq!(name, "Auditor");
        assert_eq!(
            permissions,
            [Permission::AuditLogsRead, Permission::AuditLogsExport]
        );
        let scope = check_role("Writer", &[Permission::EventsWrite]).unwrap_err();
        assert_eq!(scope.field.as_deref(), Some("permissions"));
        assert!(check_role("  ", &[]).is_err());
    }
}
