//! The organization's API keys (`api_keys:manage`). Secrets are shown once, at creation and
//! rotation.

use crate::model::{ApiError, ApiKeySummary, CreatedApiKey, Permission};
use leptos::server;
use leptos::server_fn::codec::Json;

/// The organization's keys, by name.
#[server(endpoint = "api_keys/list", input = Json)]
pub async fn list_api_keys() -> Result<Vec<ApiKeySummary>, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.api_keys(&me).await }).await
}

/// Creates a key; the answer holds its full secret, never shown again.
#[server(endpoint = "api_keys/create", input = Json)]
pub async fn create_api_key(
    name: String,
    scopes: Vec<Permission>,
) -> Result<CreatedApiKey, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.create_api_key(&me, &name, &scopes).await }).await
}

/// Renames a key.
#[server(endpoint = "api_keys/rename", input = Json)]
pub async fn rename_api_key(id: i64, name: String) -> Result<(), ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.rename_api_key(&me, id, &name).await }).await
}

/// Gives a key a new secret; the old one stops working at once.
#[server(endpoint = "api_keys/rotate", input = Json)]
pub async fn rotate_api_key(id: i64) -> Result<CreatedApiKey, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.rotate_api_key(&me, id).await }).await
}

/// Deletes a key.
#[server(endpoint = "api_keys/delete", input = Json)]
pub async fn delete_api_key(id: i64) -> Result<(), ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.delete_api_key(&me, id).await }).await
}
