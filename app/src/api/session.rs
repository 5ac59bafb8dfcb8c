//! Sign-in, sign-out, "who am I" and switching organization.

use crate::model::{ApiError, Viewer};
use leptos::server;

/// Signs in with email and password; the session travels in an HttpOnly cookie.
#[server(endpoint = "session/sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<Viewer, ApiError> {
    use super::context::{serve, set_cookies};
    serve(|ctx| async move {
        let signed_in = ctx
            .backend
            .sign_in(&email, &password, &ctx.client, ctx.device.as_deref())
            .await?;
        set_cookies(&signed_in.set_cookies)?;
        Ok(signed_in.viewer)
    })
    .await
}

/// Ends the current session.
#[server(endpoint = "session/sign_out")]
pub async fn sign_out() -> Result<(), ApiError> {
    use super::context::{set_cookies, signed_in};
    signed_in(|ctx, requester| async move {
        let clear = ctx.backend.sign_out(ctx.session()?, &requester).await?;
        set_cookies(&[clear])
    })
    .await
}

/// The signed-in user, or `None` when the browser has no valid session.
#[server(endpoint = "session/viewer")]
pub async fn current_viewer() -> Result<Option<Viewer>, ApiError> {
    use super::context::serve;
    serve(|ctx| async move { Ok(ctx.session.map(|s| s.viewer)) }).await
}

/// Moves the session to another of the user's organizations.
#[server(endpoint = "session/switch_organization", input = leptos::server_fn::codec::Json)]
pub async fn switch_organization(slug: String) -> Result<Viewer, ApiError> {
    use super::context::serve;
    serve(|ctx| async move { ctx.backend.switch_organization(ctx.session()?, &slug).await }).await
}
