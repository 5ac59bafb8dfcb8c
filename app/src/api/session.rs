//! Sign-in, sign-out and "who am I" for the SPA.

use crate::model::{ApiError, Viewer};
use leptos::server;

/// Signs in with email and password; the session travels in an HttpOnly cookie.
#[server(endpoint = "session/sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<Viewer, ApiError> {
    use super::context::{answer, set_cookie, RequestContext};
    answer(
        async {
            let ctx = RequestContext::current()?;
            let signed_in = ctx.backend.sign_in(&email, &password).await?;
            set_cookie(&signed_in.set_cookie)?;
            Ok(signed_in.viewer)
        }
        .await,
    )
}

/// Ends the current session.
#[server(endpoint = "session/sign_out")]
pub async fn sign_out() -> Result<(), ApiError> {
    use super::context::{answer, set_cookie, RequestContext};
    answer(
        async {
            let ctx = RequestContext::current()?;
            let session = ctx.session()?;
            let clear = ctx.backend.sign_out(session).await?;
            set_cookie(&clear)
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
