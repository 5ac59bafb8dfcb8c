//! A person's own account: password changes and resets, and accepting an invitation.

use crate::model::{ApiError, InvitationPreview, Viewer};
use leptos::server;
use leptos::server_fn::codec::Json;

/// Changes the signed-in user's password; their other sessions are closed.
#[server(endpoint = "account/change_password", input = Json)]
pub async fn change_password(current: String, new_password: String) -> Result<(), ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, requester| async move {
        let session = ctx.session()?;
        ctx.backend
            .change_password(&requester, &session.token, &current, &new_password)
            .await
    })
    .await
}

/// Asks for a password reset link: the request is recorded for the operator, who issues links
/// with `auditrail user reset-link`. Answers the same whether or not the email has an account.
#[server(endpoint = "account/request_password_reset", input = Json)]
pub async fn request_password_reset(email: String) -> Result<(), ApiError> {
    use super::context::serve;
    serve(|ctx| async move {
        ctx.backend
            .request_password_reset(&email, &ctx.client)
            .await
    })
    .await
}

/// Sets a new password with a reset token; every session of the account is closed.
#[server(endpoint = "account/reset_password", input = Json)]
pub async fn reset_password(token: String, new_password: String) -> Result<(), ApiError> {
    use super::context::serve;
    serve(|ctx| async move {
        ctx.backend
            .reset_password(&token, &new_password, &ctx.client)
            .await
    })
    .await
}

/// What an invitation token invites to.
#[server(endpoint = "account/invitation", input = Json)]
pub async fn invitation(token: String) -> Result<InvitationPreview, ApiError> {
    use super::context::serve;
    serve(|ctx| async move {
        let viewer = ctx.session.as_ref().map(|s| &s.viewer);
        ctx.backend.invitation(&token, viewer).await
    })
    .await
}

/// Accepts an invitation: a new user chooses a name and password; an existing account accepts
/// while signed in as itself. Signs in to the organization.
#[server(endpoint = "account/accept_invitation", input = Json)]
pub async fn accept_invitation(
    token: String,
    display_name: String,
    password: String,
) -> Result<Viewer, ApiError> {
    use super::context::{serve, set_cookies};
    serve(|ctx| async move {
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
    })
    .await
}
