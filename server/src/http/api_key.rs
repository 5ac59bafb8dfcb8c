//! The API-key extractor: `Authorization: Bearer <key>` → the key's organization and scopes.

use super::{AppState, HttpError};
use app::model::{Access, ApiError, ErrorCode};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

/// A caller authenticated by an API key.
pub struct ApiKeyCaller {
    pub access: Access,
}

impl FromRequestParts<AppState> for ApiKeyCaller {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        let secret = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Unauthorized,
                    "missing API key: send Authorization: Bearer <key>",
                )
            })?;
        let (_, access) = state.services.authenticate_api_key(secret).await?;
        Ok(Self { access })
    }
}
