//! Sign-in, sign-out, "who am I" and switching organization.

use crate::model::{ApiError, Viewer};
#[cfg(feature = "ssr")]
pub use backend::{SessionBackend, SignedIn};
use leptos::server;

/// Signs in with email and password; the session travels in an HttpOnly cookie.
#[server(endpoint = "session/sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<Viewer, ApiError> {
    use super::context::{answer, set_cookies, RequestContext};
    answer(
        async {
            let ctx = RequestContext::current()?;
            let signed_in = ctx
                .backend
                .sign_in(&email, &password, &ctx.client, ctx.device.as_deref())
                .await?;
            set_cookies(&signed_in.set_cookies)?;
            Ok(signed_in.viewer)
        }
        .await,
    )
}

/// Ends the current session.
#[server(endpoint = "session/sign_out")]
pub async fn sign_out() -> Result<(), ApiError> {
    use super::context::{answer, set_cookies, RequestContext};
    answer(
        async {
            let (ctx, requester) = RequestContext::signed_in()?;
            let clear = ctx.backend.sign_out(ctx.session()?, &requester).await?;
            set_cookies(&[clear])
        }
        .await,
    )
}

/// The signed-in user, or `None` when the browser has no valid session.
#[server(endpoint = "session/viewer")]
pub async fn current_viewer() -> Result<Option<Viewer>, ApiError> {
    use super::context::RequestContext;
    let ctx = RequestContext::current()?;
    Ok(ctx.session.map(|s| s.viewer))
}

/// Moves the session to another of the user's organizations.
#[server(endpoint = "session/switch_organization", input = leptos::server_fn::codec::Json)]
pub async fn switch_organization(slug: String) -> Result<Viewer, ApiError> {
    use super::context::{answer, RequestContext};
    answer(
        async {
            let ctx = RequestContext::current()?;
            ctx.backend.switch_organization(ctx.session()?, &slug).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
mod backend {
    use crate::api::context::Session;
    use crate::model::{ApiError, ClientInfo, Requester, Viewer};
    use async_trait::async_trait;

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
        async fn sign_out(
            &self,
            session: &Session,
            requester: &Requester,
        ) -> Result<String, ApiError>;

        /// Moves a session to another organization the user belongs to.
        async fn switch_organization(
            &self,
            session: &Session,
            slug: &str,
        ) -> Result<Viewer, ApiError>;
    }
}
