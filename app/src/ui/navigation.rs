//! The signed-in pages, who may open each, and where a member lands after signing in.

use crate::model::{Access, Permission};

/// A page of the signed-in app.
pub struct Page {
    pub path: &'static str,
    pub label: &'static str,
    /// The permission the page needs; `None` for every member.
    pub permission: Option<Permission>,
}

/// The pages in navigation order.
pub const PAGES: [Page; 7] = [
    Page {
        path: "/audit-logs",
        label: "Audit Logs",
        permission: Some(Permission::AuditLogsRead),
    },
    Page {
        path: "/members",
        label: "Members",
        permission: Some(Permission::MembersManage),
    },
    Page {
        path: "/roles",
        label: "Roles",
        permission: Some(Permission::RolesManage),
    },
    Page {
        path: "/api-keys",
        label: "API Keys",
        permission: Some(Permission::ApiKeysManage),
    },
    Page {
        path: "/log-streams",
        label: "Log streams",
        permission: Some(Permission::WebhooksManage),
    },
    Page {
        path: "/settings",
        label: "Settings",
        permission: Some(Permission::SettingsManage),
    },
    Page {
        path: "/account",
        label: "Account",
        permission: None,
    },
];

impl Page {
    /// Whether the caller's role holds the page's permission (the plan aside).
    pub fn visible_to(&self, access: &Access) -> bool {
        self.permission.is_none_or(|p| access.has(p))
    }
}

/// Where a member lands: the first page their role may open.
pub fn landing_page(access: &Access) -> &'static str {
    PAGES
        .iter()
        .find(|page| page.visible_to(access))
        .map_or("/account", |page| page.path)
}
