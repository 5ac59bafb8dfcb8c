//! Who is calling the REST API: an API key (`Authorization: Bearer <key>`) or, for the web app's
//! downloads and live tail, a signed-in session cookie sent from the web app's own pages.

use super::client::{cookie, same_origin};
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
/// cookie. A cookie only counts on a request from the web app's own pages, so another site cannot
/// make a signed-in browser call the API (a cross-site link to an export, say).
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
        if !same_origin(&parts.headers) {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "the session cookie only works from Auditrail's own pages; \
                 other sites and scripts send Authorization: Bearer <key>",
            )
            .into());
        }
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

#[cfg(test)]
mod tests {
    use super::super::{router, Deployment};
    use crate::service::testing::TestServices;
    use app::model::Permission;
    use axum::body::Body;
    use axum::http::Request;
    use std::path::Path;
    use tower::ServiceExt;

    /// The status and error code (if any) of an export requested with `headers`.
    async fn export(t: &TestServices, headers: &[(&str, &str)]) -> (u16, Option<String>) {
        let app = router(
            t.services.clone(),
            Path::new("no-web-app"),
            Deployment::default(),
        );
        let mut request =
            Request::get("/api/v1/audit-logs/export?format=csv").header("host", "logs.acme.com");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = app
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let code = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["error"]["code"].as_str().map(str::to_owned));
        (status, code)
    }

    #[tokio::test]
    async fn another_site_cannot_export_with_the_session_cookie_but_our_pages_and_keys_can() {
        let t = TestServices::new().await;
        t.member(&t.org, "ann@acme.com", "admin").await;
        let cookie = format!(
            "{}={}",
            super::SESSION_COOKIE,
            t.sign_in("ann@acme.com").await
        );
        let forbidden = (403, Some("forbidden".to_owned()));
        // A link or form on another site, followed by the signed-in victim's browser.
        for foreign in [
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-site", "same-site"),
            ("origin", "https://evil.example"),
        ] {
            let headers = [("cookie", cookie.as_str()), foreign];
            assert_eq!(export(&t, &headers).await, forbidden, "{foreign:?}");
        }
        for own in [
            ("sec-fetch-site", "same-origin"),
            ("sec-fetch-site", "none"),
            ("origin", "https://logs.acme.com"),
        ] {
            let headers = [("cookie", cookie.as_str()), own];
            assert_eq!(export(&t, &headers).await, (200, None), "{own:?}");
        }
        let (_, secret) = t
            .key(&[Permission::AuditLogsRead, Permission::AuditLogsExport])
            .await;
        let bearer = format!("Bearer {secret}");
        let headers = [
            ("authorization", bearer.as_str()),
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://ci.example"),
        ];
        assert_eq!(
            export(&t, &headers).await,
            (200, None),
            "an API key is not a browser's ambient credential"
        );
    }
}
