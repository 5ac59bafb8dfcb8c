//! A person's own account: password changes and resets, and accepting an invitation.

use crate::model::{ApiError, InvitationPreview, Viewer};
#[cfg(feature = "ssr")]
pub use backend::AccountBackend;
use leptos::server;
use leptos::server_fn::codec::Json;

/// Changes the signed-in user's password; their other sessions are closed.
#[server(endpoint = "account/change_password", input = Json)]
pub async fn change_password(current: String, new_password: String) -> Result<(), ApiError> {
    use super::context::{answer, RequestContext};
    answer(
        async {
            let (ctx, requester) = RequestContext::signed_in()?;
            let session = ctx.session()?;
            ctx.backend
                .change_password(&requester, &session.token, &current, &new_password)
                .await
        }
        .await,
    )
}

/// Asks for a password reset link: the request is recorded for the operator, who issues links
/// with `auditrail user reset-link`. Answers the same whether or not the email has an account.
#[server(endpoint = "account/request_password_reset", input = Json)]
pub async fn request_password_reset(email: String) -> Result<(), ApiError> {
    use super::context::{answer, RequestContext};
    answer(
        async {
            let ctx = RequestContext::current()?;
            ctx.backend
                .request_password_reset(&email, &ctx.client)
                .await
        }
        .await,
    )
}

/// Sets a new password with a reset token; every session of the account is closed.
#[server(endpoint = "account/reset_password", input = Json)]
pub async fn reset_password(token: String, new_password: String) -> Result<(), ApiError> {
    use super::context::{answer, RequestContext};
    answer(
        async {
            let ctx = RequestContext::current()?;
            ctx.backend
                .reset_password(&token, &new_password, &ctx.client)
                .await
        }
        .await,
    )
}

/// What an invitation token invites to.
#[server(endpoint = "account/invitation", input = Json)]
pub async fn invitation(token: String) -> Result<InvitationPreview, ApiError> {
    use super::context::{answer, RequestContext};
    let ctx = RequestContext::current()?;
    let viewer = ctx.session.as_ref().map(|s| &s.viewer);
    answer(ctx.backend.invitation(&token, viewer).await)
}

/// Accepts an invitation: a new user chooses a name and password; an existing account accepts
/// while signed in as itself. Signs in to the organization.
#[server(endpoint = "account/accept_invitation", input = Json)]
pub async fn accept_invitation(
    token: String,
    display_name: String,
    password: String,
) -> Result<Viewer, ApiError> {
    use super::context::{answer, set_cookies, RequestContext};
    answer(
        async {
            let ctx = RequestContext::current()?;
            let signed_in = ctx
                .backend
                .accept_invitation(
                    &token,
                    &display_name,
                    &password,
                    ctx.session.as_ref().map(|s| &s.viewer),
                    &ctx.client,
                    ctx.device.as_deref(),
                )
                .await?;
            set_cookies(&signed_in.set_cookies)?;
            Ok(signed_in.viewer)
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
mod backend {
    use crate::api::session::SignedIn;
    use crate::model::{ApiError, ClientInfo, InvitationPreview, Requester, Viewer};
    use async_trait::async_trait;

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
}
