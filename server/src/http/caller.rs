//! Who is calling the REST API: an API key (`Authorization: Bearer <key>`) or, for the web app's
//! downloads and live tail, a signed-in session cookie.

use super::client::cookie;
use super::{AppState, HttpError};
use crate::service::{Credential, SESSION_COOKIE};
use crate::store::ApiKey;
use app::model::{Access, Actor, ActorType, ApiError, ErrorCode, Viewer};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

/// An authenticated caller.
pub enum Caller {
    /// An application or script holding an API key.
    Key { key: ApiKey, access: Access },
    /// A member signed in to the web app.
    Member(Viewer),
}

impl Caller {
    /// What the caller may do, and in which organization.
    pub fn access(&self) -> &Access {
        match self {
            Self::Key { access, .. } => access,
            Self::Member(viewer) => &viewer.access,
        }
    }

    /// The caller as the actor of an event it causes.
    pub fn actor(&self) -> Actor {
        match self {
            Self::Key { key, .. } => Actor {
                kind: ActorType::ApiKey,
                id: format!("key_{}", key.id),
                email: None,
                name: Some(key.name.clone()),
            },
            Self::Member(viewer) => viewer.actor(),
        }
    }
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(ErrorCode::Unauthorized, message)
}

/// What the request presents to authenticate, not yet checked: the bearer key, else the session
/// cookie.
impl FromRequestParts<AppState> for Credential {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, HttpError> {
        if let Some(header) = parts.headers.get(AUTHORIZATION) {
            return header
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|secret| Self::ApiKey(secret.to_owned()))
                .ok_or_else(|| {
                    unauthorized("send the API key as Authorization: Bearer <key>").into()
                });
        }
        let token = cookie(&parts.headers, SESSION_COOKIE)
            .ok_or_else(|| unauthorized("missing API key: send Authorization: Bearer <key>"))?;
        Ok(Self::Session(token))
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        match Credential::from_request_parts(parts, state).await? {
            Credential::ApiKey(secret) => {
                let (key, access) = state.services.authenticate_api_key(&secret).await?;
                Ok(Self::Key { key, access })
            }
            Credential::Session(token) => {
                let viewer = state
                    .services
                    .session_viewer(&token)
                    .await?
                    .ok_or_else(|| unauthorized("your session has ended: sign in again"))?;
                Ok(Self::Member(viewer))
            }
        }
    }
}
