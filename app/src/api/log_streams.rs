//! The organization's log streams (`webhooks:manage`; what sends events out also needs
//! `audit_logs:export`). A webhook's signing secret is shown once, at creation and rotation.

use crate::model::{
    ApiError, CreatedLogStream, Delivery, LogStream, LogStreamUpdate, NewLogStream, RotatedSecret,
};
use leptos::server;
use leptos::server_fn::codec::Json;

/// The organization's streams, by name, with their state and lag.
#[server(endpoint = "streams/list", input = Json)]
pub async fn list_log_streams() -> Result<Vec<LogStream>, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.log_streams(&me).await }).await
}

/// Creates a stream; the answer holds a webhook's signing secret, never shown again.
#[server(endpoint = "streams/create", input = Json)]
pub async fn create_log_stream(new: NewLogStream) -> Result<CreatedLogStream, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.create_log_stream(&me, new).await }).await
}

/// Changes a stream (name, destination, filter, credential, paused): only what is given.
#[server(endpoint = "streams/update", input = Json)]
pub async fn update_log_stream(id: i64, update: LogStreamUpdate) -> Result<LogStream, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.update_log_stream(&me, id, update).await }).await
}

/// Deletes a stream.
#[server(endpoint = "streams/delete", input = Json)]
pub async fn delete_log_stream(id: i64) -> Result<(), ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.delete_log_stream(&me, id).await }).await
}

/// Gives a webhook stream a new signing secret; the old one keeps signing for a while.
#[server(endpoint = "streams/rotate_secret", input = Json)]
pub async fn rotate_log_stream_secret(id: i64) -> Result<RotatedSecret, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.rotate_log_stream_secret(&me, id).await }).await
}

/// Sends a test event to the stream's destination now; answers the attempt.
#[server(endpoint = "streams/test", input = Json)]
pub async fn test_log_stream(id: i64) -> Result<Delivery, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.test_log_stream(&me, id).await }).await
}

/// The stream's latest delivery attempts, newest first.
#[server(endpoint = "streams/deliveries", input = Json)]
pub async fn log_stream_deliveries(id: i64) -> Result<Vec<Delivery>, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.log_stream_deliveries(&me, id).await }).await
}
