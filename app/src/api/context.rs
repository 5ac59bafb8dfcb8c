//! What the server hands every server function: the service layer behind a trait object and the
//! caller's session. Compiled only on the server.

use super::backend::{Backend, Session};
use crate::model::{ApiError, ClientInfo, ErrorCode, Requester};
use leptos::prelude::{provide_context, use_context};
use leptos::server_fn::http_export::{header, HeaderValue, StatusCode};
use leptos_axum::ResponseOptions;
use std::future::Future;
use std::sync::Arc;

/// Everything one server-function call may use.
#[derive(Clone)]
pub struct RequestContext {
    pub backend: Arc<dyn Backend>,
    pub session: Option<Session>,
    /// The caller's address and browser.
    pub client: ClientInfo,
    /// The device cookie's value (a random id per browser), if the browser has one.
    pub device: Option<String>,
}

impl RequestContext {
    /// Makes this context available to the server function about to run.
    pub fn provide(self) {
        provide_context(self);
    }

    /// The current call's context.
    pub fn current() -> Result<Self, ApiError> {
        use_context::<Self>().ok_or_else(ApiError::internal)
    }

    /// The signed-in session, or 401.
    pub fn session(&self) -> Result<&Session, ApiError> {
        self.session
            .as_ref()
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "please sign in"))
    }
}

/// Runs a server function's body with the current call's context; an error leaves with its
/// HTTP status.
pub async fn serve<T, Body>(body: impl FnOnce(RequestContext) -> Body) -> Result<T, ApiError>
where
    Body: Future<Output = Result<T, ApiError>>,
{
    let result = match RequestContext::current() {
        Ok(ctx) => body(ctx).await,
        Err(error) => Err(error),
    };
    answer(result)
}

/// [`serve`] for a signed-in caller, handed over as a [`Requester`]; 401 without a session.
pub async fn signed_in<T, Body>(
    body: impl FnOnce(RequestContext, Requester) -> Body,
) -> Result<T, ApiError>
where
    Body: Future<Output = Result<T, ApiError>>,
{
    serve(|ctx| async move {
        let requester = Requester {
            viewer: ctx.session()?.viewer.clone(),
            client: ctx.client.clone(),
        };
        body(ctx, requester).await
    })
    .await
}

/// Gives an error its HTTP status before the server function answers it.
fn answer<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(error) = &result {
        if let Some(response) = use_context::<ResponseOptions>() {
            let status =
                StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            response.set_status(status);
            if let Some(seconds) = error.retry_after {
                response.insert_header(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
        }
    }
    result
}

/// Adds `Set-Cookie` headers to the server function's response.
pub fn set_cookies(values: &[String]) -> Result<(), ApiError> {
    let response = use_context::<ResponseOptions>().ok_or_else(ApiError::internal)?;
    for value in values {
        let value = HeaderValue::from_str(value).map_err(|_| ApiError::internal())?;
        response.append_header(header::SET_COOKIE, value);
    }
    Ok(())
}
