//! A member's saved views (named searches), kept per user and organization.

use crate::model::{ApiError, SavedView};
use leptos::server;
use leptos::server_fn::codec::Json;

/// The signed-in member's saved views, by name.
#[server(endpoint = "saved_views/list", input = Json)]
pub async fn saved_views() -> Result<Vec<SavedView>, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.saved_views(&me).await }).await
}

/// Saves the search under a name.
#[server(endpoint = "saved_views/save", input = Json)]
pub async fn save_view(name: String, search: String) -> Result<SavedView, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.save_view(&me, &name, &search).await }).await
}

/// Deletes one of the member's saved views.
#[server(endpoint = "saved_views/delete", input = Json)]
pub async fn delete_view(id: i64) -> Result<(), ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.delete_view(&me, id).await }).await
}
