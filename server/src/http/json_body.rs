//! Small JSON request bodies (settings, log streams): read up to a limit, decoded with a clear
//! error.

use app::model::{ApiError, ErrorCode};
use axum::body::Body;
use serde::de::DeserializeOwned;

/// Largest body read.
const MAX_BODY: usize = 16 * 1024;

/// The body decoded as `T`, or a 413 / 400 naming `what` was expected.
pub async fn json_body<T: DeserializeOwned>(body: Body, what: &str) -> Result<T, ApiError> {
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("request body exceeds {MAX_BODY} bytes"),
        )
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::invalid(format!("the body is not {what}: {e}")))
}
