//! Who is calling: plans, permissions, and the signed-in viewer.

use super::error::{ApiError, ErrorCode};
use super::event::{Actor, ActorType};
use serde::{Deserialize, Serialize};

/// An organization's plan. `free` may ingest but not view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    Free,
    Pro,
    Enterprise,
}

impl Plan {
    /// Every plan, cheapest first.
    pub const ALL: [Plan; 3] = [Plan::Free, Plan::Pro, Plan::Enterprise];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Pro => "pro",
            Self::Enterprise => "enterprise",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The longest retention the plan allows, in days.
    pub fn max_retention_days(self) -> u32 {
        match self {
            Self::Free => 7,
            Self::Pro => 90,
            Self::Enterprise => 3650,
        }
    }

    /// Whether the plan includes viewing and exporting audit logs.
    pub fn can_view_audit_logs(self) -> bool {
        self != Self::Free
    }
}

/// A permission of a role, or a scope of an API key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    #[serde(rename = "events:write")]
    EventsWrite,
    #[serde(rename = "audit_logs:read")]
    AuditLogsRead,
    #[serde(rename = "audit_logs:export")]
    AuditLogsExport,
    #[serde(rename = "members:manage")]
    MembersManage,
    #[serde(rename = "roles:manage")]
    RolesManage,
    #[serde(rename = "api_keys:manage")]
    ApiKeysManage,
    #[serde(rename = "settings:manage")]
    SettingsManage,
    #[serde(rename = "webhooks:manage")]
    WebhooksManage,
}

impl Permission {
    /// Every permission a role can hold.
    pub const ROLE_PERMISSIONS: [Permission; 7] = [
        Permission::AuditLogsRead,
        Permission::AuditLogsExport,
        Permission::MembersManage,
        Permission::RolesManage,
        Permission::ApiKeysManage,
        Permission::SettingsManage,
        Permission::WebhooksManage,
    ];

    /// Every scope an API key can hold.
    pub const API_KEY_SCOPES: [Permission; 3] = [
        Permission::EventsWrite,
        Permission::AuditLogsRead,
        Permission::AuditLogsExport,
    ];

    /// The wire name, e.g. `audit_logs:read`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EventsWrite => "events:write",
            Self::AuditLogsRead => "audit_logs:read",
            Self::AuditLogsExport => "audit_logs:export",
            Self::MembersManage => "members:manage",
            Self::RolesManage => "roles:manage",
            Self::ApiKeysManage => "api_keys:manage",
            Self::SettingsManage => "settings:manage",
            Self::WebhooksManage => "webhooks:manage",
        }
    }

    /// What the permission allows, in words.
    pub fn description(self) -> &'static str {
        match self {
            Self::EventsWrite => "Send events",
            Self::AuditLogsRead => "View audit logs",
            Self::AuditLogsExport => "Export audit logs",
            Self::MembersManage => "Manage members and invitations",
            Self::RolesManage => "Manage roles",
            Self::ApiKeysManage => "Manage API keys",
            Self::SettingsManage => "Manage organization settings",
            Self::WebhooksManage => "Manage webhooks",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::EventsWrite]
            .into_iter()
            .chain(Self::ROLE_PERMISSIONS)
            .find(|p| p.as_str() == name)
    }

    /// Whether using this permission also needs a paid plan.
    pub fn needs_paid_plan(self) -> bool {
        matches!(self, Self::AuditLogsRead | Self::AuditLogsExport)
    }
}

/// What a caller may do in one organization: a member's role or an API key's scopes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    pub org_id: i64,
    pub org_slug: String,
    pub plan: Plan,
    pub permissions: Vec<Permission>,
}

impl Access {
    /// Whether the caller holds `permission` (ignoring the plan).
    pub fn has(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// The first of `permissions` the caller does not hold (`events:write`, a key-only scope
    /// any key manager may give, aside): what keeps the caller from granting them, or from
    /// acting on a member, role or key that holds them. `None` when the caller holds them all.
    pub fn lacking(&self, permissions: &[Permission]) -> Option<Permission> {
        permissions
            .iter()
            .copied()
            .find(|p| *p != Permission::EventsWrite && !self.has(*p))
    }

    /// Succeeds when the caller may use `permission` now: 403 without it, 402 when the plan
    /// does not include it.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if !self.has(permission) {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                format!("this requires the {} permission", permission.as_str()),
            ));
        }
        if permission.needs_paid_plan() && !self.plan.can_view_audit_logs() {
            return Err(ApiError::new(
                ErrorCode::PaymentRequired,
                "Audit logs require a paid plan",
            ));
        }
        Ok(())
    }
}

/// The signed-in user as the SPA sees them, in their current organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    pub org_name: String,
    pub role: String,
    pub access: Access,
    /// Every organization the user belongs to, for the switcher.
    pub organizations: Vec<OrganizationChoice>,
}

/// One of the viewer's organizations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationChoice {
    pub slug: String,
    pub name: String,
}

/// Where a request came from, recorded in the events it causes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A signed-in member making a request: who, and from where.
#[derive(Clone, Debug)]
pub struct Requester {
    pub viewer: Viewer,
    pub client: ClientInfo,
}

impl Viewer {
    /// The viewer as the actor of an event they cause.
    pub fn actor(&self) -> Actor {
        Actor {
            kind: ActorType::User,
            id: format!("user_{}", self.user_id),
            email: Some(self.email.clone()),
            name: Some(self.display_name.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(plan: Plan, permissions: &[Permission]) -> Access {
        Access {
            org_id: 1,
            org_slug: "acme".into(),
            plan,
            permissions: permissions.to_vec(),
        }
    }

    #[test]
    fn missing_permission_is_forbidden_and_free_plan_reading_needs_payment() {
        let reader = access(Plan::Pro, &[Permission::AuditLogsRead]);
        assert_eq!(reader.require(Permission::AuditLogsRead), Ok(()));
        assert_eq!(
            reader
                .require(Permission::AuditLogsExport)
                .unwrap_err()
                .status(),
            403
        );
        let free = access(
            Plan::Free,
            &[Permission::AuditLogsRead, Permission::EventsWrite],
        );
        assert_eq!(
            free.require(Permission::AuditLogsRead)
                .unwrap_err()
                .status(),
            402
        );
        assert_eq!(free.require(Permission::EventsWrite), Ok(()));
    }

    #[test]
    fn permission_names_round_trip() {
        for p in Permission::ROLE_PERMISSIONS
            .into_iter()
            .chain(Permission::API_KEY_SCOPES)
        {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
        assert_eq!(Permission::parse("root"), None);
    }
}
