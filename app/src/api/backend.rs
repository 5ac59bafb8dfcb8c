//! The service layer as server functions see it: one trait per capability, implemented by the
//! server over its services. Compiled only on the server; it names nothing but the wire models,
//! so the server functions and the traits they call do not import each other.

use crate::model::{
    Activity, ApiError, ApiKeySummary, AuditEvent, ChainVerification, ClientInfo, CreatedApiKey,
    CreatedInvitation, CreatedLogStream, Delivery, EventFilter, EventPage, EventQuery,
    InclusionProof, InvitationPreview, InvitationSummary, KnownActor, LogStream, LogStreamUpdate,
    MemberSummary, NewLogStream, Permission, Requester, RetentionSettings, RetentionUpdate,
    RoleSummary, RotatedSecret, SavedView, Viewer,
};
use async_trait::async_trait;

/// Everything server functions call; the server implements each part over its services.
pub trait Backend:
    SessionBackend
    + AccountBackend
    + MembersBackend
    + RolesBackend
    + ApiKeysBackend
    + AuditLogBackend
    + SettingsBackend
    + LogStreamsBackend
{
}

impl<T> Backend for T where
    T: SessionBackend
        + AccountBackend
        + MembersBackend
        + RolesBackend
        + ApiKeysBackend
        + AuditLogBackend
        + SettingsBackend
        + LogStreamsBackend
{
}

/// Reading the log and keeping saved views.
#[async_trait]
pub trait AuditLogBackend: Send + Sync + 'static {
    /// Lists events of the caller's organization (the service checks `audit_logs:read`).
    async fn list_events(
        &self,
        requester: &Requester,
        query: EventQuery,
    ) -> Result<EventPage, ApiError>;

    /// The activity histogram of the caller's organization (the service checks `audit_logs:read`).
    async fn activity(
        &self,
        requester: &Requester,
        filter: EventFilter,
    ) -> Result<Activity, ApiError>;

    /// Actors of the caller's organization whose label contains `text` (the service checks
    /// `audit_logs:read`).
    async fn known_actors(
        &self,
        requester: &Requester,
        text: &str,
    ) -> Result<Vec<KnownActor>, ApiError>;

    /// The requester's saved views.
    async fn saved_views(&self, requester: &Requester) -> Result<Vec<SavedView>, ApiError>;

    /// Saves a named search for the requester.
    async fn save_view(
        &self,
        requester: &Requester,
        name: &str,
        search: &str,
    ) -> Result<SavedView, ApiError>;

    /// Deletes one of the requester's saved views.
    async fn delete_view(&self, requester: &Requester, id: i64) -> Result<(), ApiError>;

    /// One event of the caller's organization (the service checks `audit_logs:read`).
    async fn event(&self, requester: &Requester, id: &str) -> Result<AuditEvent, ApiError>;

    /// The proof that an event is in the latest signed checkpoint, if one holds it yet.
    async fn inclusion(
        &self,
        requester: &Requester,
        id: &str,
    ) -> Result<Option<InclusionProof>, ApiError>;

    /// The latest recorded verification of the caller's organization's chain.
    async fn chain_status(
        &self,
        requester: &Requester,
    ) -> Result<Option<ChainVerification>, ApiError>;

    /// Verifies the caller's organization's chain now.
    async fn verify_chain(&self, requester: &Requester) -> Result<ChainVerification, ApiError>;
}

/// An open session, resolved from the request's cookie.
#[derive(Clone, Debug)]
pub struct Session {
    /// The secret cookie value (never logged).
    pub token: String,
    pub viewer: Viewer,
}

/// A new session: who signed in and the `Set-Cookie` values (session, device) to send.
pub struct SignedIn {
    pub viewer: Viewer,
    pub set_cookies: Vec<String>,
}

/// Opening, closing and moving sessions.
#[async_trait]
pub trait SessionBackend: Send + Sync + 'static {
    /// Checks a password (and the lockout) and opens a session. `device` is the browser's
    /// device cookie, if it has one.
    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: &ClientInfo,
        device: Option<&str>,
    ) -> Result<SignedIn, ApiError>;

    /// Ends a session; answers the `Set-Cookie` value that clears the cookie.
    async fn sign_out(&self, session: &Session, requester: &Requester) -> Result<String, ApiError>;

    /// Moves a session to another organization the user belongs to.
    async fn switch_organization(&self, session: &Session, slug: &str) -> Result<Viewer, ApiError>;
}

/// A person's own account.
#[async_trait]
pub trait AccountBackend: Send + Sync + 'static {
    /// Changes the requester's password, keeping only the session `keep_session` open.
    async fn change_password(
        &self,
        requester: &Requester,
        keep_session: &str,
        current: &str,
        new_password: &str,
    ) -> Result<(), ApiError>;

    /// Records a request for a reset link for the email's account, if there is one.
    async fn request_password_reset(
        &self,
        email: &str,
        client: &ClientInfo,
    ) -> Result<(), ApiError>;

    /// Uses a reset token to set a new password.
    async fn reset_password(
        &self,
        token: &str,
        new_password: &str,
        client: &ClientInfo,
    ) -> Result<(), ApiError>;

    /// What an open invitation invites to, as seen by `viewer` (signed in, or not).
    async fn invitation(
        &self,
        token: &str,
        viewer: Option<&Viewer>,
    ) -> Result<InvitationPreview, ApiError>;

    /// Accepts an invitation (for an existing account, only while signed in as it) and
    /// signs in.
    async fn accept_invitation(
        &self,
        token: &str,
        display_name: &str,
        password: &str,
        viewer: Option<&Viewer>,
        client: &ClientInfo,
        device: Option<&str>,
    ) -> Result<SignedIn, ApiError>;
}

/// Members and invitations; each call checks `members:manage`.
#[async_trait]
pub trait MembersBackend: Send + Sync + 'static {
    async fn members(&self, requester: &Requester) -> Result<Vec<MemberSummary>, ApiError>;
    async fn invitations(&self, requester: &Requester) -> Result<Vec<InvitationSummary>, ApiError>;
    async fn invite(
        &self,
        requester: &Requester,
        email: &str,
        role_id: i64,
    ) -> Result<CreatedInvitation, ApiError>;
    async fn withdraw_invitation(&self, requester: &Requester, id: i64) -> Result<(), ApiError>;
    async fn change_member_role(
        &self,
        requester: &Requester,
        user_id: i64,
        role_id: i64,
    ) -> Result<(), ApiError>;
    async fn remove_member(&self, requester: &Requester, user_id: i64) -> Result<(), ApiError>;
}

/// Roles; listing needs `roles:manage` or `members:manage`, changes need `roles:manage`.
#[async_trait]
pub trait RolesBackend: Send + Sync + 'static {
    async fn roles(&self, requester: &Requester) -> Result<Vec<RoleSummary>, ApiError>;
    async fn create_role(
        &self,
        requester: &Requester,
        name: &str,
        permissions: &[Permission],
    ) -> Result<RoleSummary, ApiError>;
    async fn update_role(
        &self,
        requester: &Requester,
        id: i64,
        name: &str,
        permissions: &[Permission],
    ) -> Result<(), ApiError>;
    async fn delete_role(&self, requester: &Requester, id: i64) -> Result<(), ApiError>;
}

/// API keys; each call checks `api_keys:manage`.
#[async_trait]
pub trait ApiKeysBackend: Send + Sync + 'static {
    async fn api_keys(&self, requester: &Requester) -> Result<Vec<ApiKeySummary>, ApiError>;
    async fn create_api_key(
        &self,
        requester: &Requester,
        name: &str,
        scopes: &[Permission],
    ) -> Result<CreatedApiKey, ApiError>;
    async fn rename_api_key(
        &self,
        requester: &Requester,
        id: i64,
        name: &str,
    ) -> Result<(), ApiError>;
    async fn rotate_api_key(
        &self,
        requester: &Requester,
        id: i64,
    ) -> Result<CreatedApiKey, ApiError>;
    async fn delete_api_key(&self, requester: &Requester, id: i64) -> Result<(), ApiError>;
}

/// The organization's settings.
#[async_trait]
pub trait SettingsBackend: Send + Sync + 'static {
    /// Its retention, legal hold and latest purge (the service checks `settings:manage`).
    async fn retention(&self, requester: &Requester) -> Result<RetentionSettings, ApiError>;
    /// Changes them, recorded as `retention.updated` (the service checks `settings:manage`).
    async fn set_retention(
        &self,
        requester: &Requester,
        update: RetentionUpdate,
    ) -> Result<RetentionSettings, ApiError>;
}

/// The organization's log streams (the service checks `webhooks:manage`, and
/// `audit_logs:export` for what sends events out).
#[async_trait]
pub trait LogStreamsBackend: Send + Sync + 'static {
    /// Its streams, by name, with their state and lag.
    async fn log_streams(&self, requester: &Requester) -> Result<Vec<LogStream>, ApiError>;
    /// Creates one, recorded as `log_stream.created`.
    async fn create_log_stream(
        &self,
        requester: &Requester,
        new: NewLogStream,
    ) -> Result<CreatedLogStream, ApiError>;
    /// Changes one, recorded as `log_stream.updated` (or `.paused` / `.resumed`).
    async fn update_log_stream(
        &self,
        requester: &Requester,
        id: i64,
        update: LogStreamUpdate,
    ) -> Result<LogStream, ApiError>;
    /// Deletes one, recorded as `log_stream.deleted`.
    async fn delete_log_stream(&self, requester: &Requester, id: i64) -> Result<(), ApiError>;
    /// Gives a webhook stream a new signing secret, recorded as `log_stream.secret_rotated`.
    async fn rotate_log_stream_secret(
        &self,
        requester: &Requester,
        id: i64,
    ) -> Result<RotatedSecret, ApiError>;
    /// Sends a test event to the destination now; answers the attempt as logged.
    async fn test_log_stream(&self, requester: &Requester, id: i64) -> Result<Delivery, ApiError>;
    /// The stream's latest delivery attempts, newest first.
    async fn log_stream_deliveries(
        &self,
        requester: &Requester,
        id: i64,
    ) -> Result<Vec<Delivery>, ApiError>;
}
