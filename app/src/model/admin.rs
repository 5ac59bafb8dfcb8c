//! What the administration pages show and send: members, invitations, roles, API keys.

use super::identity::Permission;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A member of the viewer's organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSummary {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    pub role_id: i64,
    pub role: String,
    pub joined_at: DateTime<Utc>,
}

/// An invitation not yet accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationSummary {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A new invitation and its single-use token, shown once to the inviting admin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedInvitation {
    pub invitation: InvitationSummary,
    pub token: String,
}

impl CreatedInvitation {
    /// The SPA path that accepts the invitation.
    pub fn path(&self) -> String {
        format!("/invite/{}", self.token)
    }
}

/// What the invitee sees before accepting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPreview {
    pub org_name: String,
    pub email: String,
    pub role: String,
    /// The caller is signed in as the invited email's account: accepting needs nothing more.
    /// (Whether the email has an account is not told to anyone else.)
    pub signed_in_as_invitee: bool,
}

/// A role and how many members hold it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSummary {
    pub id: i64,
    pub name: String,
    pub permissions: Vec<Permission>,
    /// Built-in roles cannot be edited or deleted.
    pub builtin: bool,
    pub members: u64,
}

/// An API key as listed: never its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeySummary {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<Permission>,
    pub last4: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl ApiKeySummary {
    /// How the key is shown: `name ***abcd`.
    pub fn masked(&self) -> String {
        format!("***{}", self.last4)
    }
}

/// A key just created or rotated, with its full secret (shown once, never stored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiKey {
    pub key: ApiKeySummary,
    pub secret: String,
}
