//! What the server hands every server function: the service layer behind a trait object and the
//! caller's session. Compiled only on the server.

use super::account::AccountBackend;
use super::api_keys::ApiKeysBackend;
use super::members::MembersBackend;
use super::roles::RolesBackend;
use super::session::SessionBackend;
use crate::model::{
    Activity, ApiError, AuditEvent, ChainVerification, ClientInfo, ErrorCode, EventFilter,
    EventPage, EventQuery, KnownActor, Requester, SavedView, Viewer,
};
use async_trait::async_trait;
use leptos::prelude::{provide_context, use_context};
use leptos::server_fn::http_export::{header, HeaderValue, StatusCode};
use leptos_axum::ResponseOptions;
use std::sync::Arc;

/// Everything server functions call; the server implements each part over its services.
pub trait Backend:
    SessionBackend + AccountBackend + MembersBackend + RolesBackend + ApiKeysBackend + AuditLogBackend
{
}

impl<T> Backend for T where
    T: SessionBackend
        + AccountBackend
        + MembersBackend
        + RolesBackend
        + ApiKeysBackend
        + AuditLogBackend
{
}

/// Reading the log and keeping saved views.
#[async_trait]
pub trait AuditLogBackend: Send + Sync + 'static {
    /// Lists events of the caller's organization (permission already checked).
    async fn list_events(&self, viewer: &Viewer, query: EventQuery) -> Result<EventPage, ApiError>;

    /// The activity histogram of the caller's organization (permission already checked).
    async fn activity(&self, viewer: &Viewer, filter: EventFilter) -> Result<Activity, ApiError>;

    /// Actors of the caller's organization whose label contains `text` (permission already
    /// checked).
    async fn known_actors(&self, viewer: &Viewer, text: &str) -> Result<Vec<KnownActor>, ApiError>;

    /// The viewer's saved views.
    async fn saved_views(&self, viewer: &Viewer) -> Result<Vec<SavedView>, ApiError>;

    /// Saves a named search for the viewer.
    async fn save_view(
        &self,
        viewer: &Viewer,
        name: &str,
        search: &str,
    ) -> Result<SavedView, ApiError>;

    /// Deletes one of the viewer's saved views.
    async fn delete_view(&self, viewer: &Viewer, id: i64) -> Result<(), ApiError>;

    /// One event of the caller's organization (permission already checked).
    async fn event(&self, viewer: &Viewer, id: &str) -> Result<AuditEvent, ApiError>;

    /// The latest recorded verification of the caller's organization's chain.
    async fn chain_status(&self, viewer: &Viewer) -> Result<Option<ChainVerification>, ApiError>;

    /// Verifies the caller's organization's chain now.
    async fn verify_chain(&self, viewer: &Viewer) -> Result<ChainVerification, ApiError>;
}

/// An open session, resolved from the request's cookie.
#[derive(Clone, Debug)]
pub struct Session {
    /// The secret cookie value (never logged).
    pub token: String,
    pub viewer: Viewer,
}

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

    /// The current call's context and its signed-in requester, or 401.
    pub fn signed_in() -> Result<(Self, Requester), ApiError> {
        let ctx = Self::current()?;
        let requester = Requester {
            viewer: ctx.session()?.viewer.clone(),
            client: ctx.client.clone(),
        };
        Ok((ctx, requester))
    }
}

/// Gives an error its HTTP status before the server function answers it.
pub fn answer<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
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
