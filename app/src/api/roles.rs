//! The organization's roles: built-in ones and custom permission sets (`roles:manage`).

use crate::model::{ApiError, Permission, RoleSummary};
use leptos::server;
use leptos::server_fn::codec::Json;

/// The organization's roles with their member counts (for `roles:manage` or `members:manage`).
#[server(endpoint = "roles/list", input = Json)]
pub async fn list_roles() -> Result<Vec<RoleSummary>, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.roles(&me).await }).await
}

/// Creates a custom role.
#[server(endpoint = "roles/create", input = Json)]
pub async fn create_role(
    name: String,
    permissions: Vec<Permission>,
) -> Result<RoleSummary, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.create_role(&me, &name, &permissions).await })
        .await
}

/// Renames a custom role and replaces its permissions.
#[server(endpoint = "roles/update", input = Json)]
pub async fn update_role(
    id: i64,
    name: String,
    permissions: Vec<Permission>,
) -> Result<(), ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.update_role(&me, id, &name, &permissions).await })
        .await
}

/// Deletes a custom role that no member holds.
#[server(endpoint = "roles/delete", input = Json)]
pub async fn delete_role(id: i64) -> Result<(), ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.delete_role(&me, id).await }).await
}
