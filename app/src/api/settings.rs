//! The organization's settings (`settings:manage`): retention and legal hold.

use crate::model::{ApiError, RetentionSettings, RetentionUpdate};
use leptos::server;
use leptos::server_fn::codec::Json;

/// The organization's retention, legal hold and latest purge.
#[server(endpoint = "settings/retention", input = Json)]
pub async fn load_retention() -> Result<RetentionSettings, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.retention(&me).await }).await
}

/// Changes the retention (within the plan's maximum) and, when given, the legal hold; answers
/// the settings as they now stand.
#[server(endpoint = "settings/set_retention", input = Json)]
pub async fn save_retention(update: RetentionUpdate) -> Result<RetentionSettings, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.set_retention(&me, update).await }).await
}
