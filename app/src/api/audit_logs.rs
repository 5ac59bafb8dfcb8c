//! Reading the organization's audit log from the SPA (and any client holding a session).

use crate::model::{
    Activity, ApiError, AuditEvent, ChainVerification, EventFilter, EventPage, EventQuery,
    InclusionProof, KnownActor,
};
use leptos::server;
use leptos::server_fn::codec::Json;

/// One page of events matching the query, newest first.
#[server(endpoint = "audit_logs/list", input = Json)]
pub async fn list_events(query: EventQuery) -> Result<EventPage, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move {
        query.validate()?;
        ctx.backend.list_events(&me, query).await
    })
    .await
}

/// The histogram of matching events over the filter's period (the activity chart).
#[server(endpoint = "audit_logs/activity", input = Json)]
pub async fn activity_histogram(filter: EventFilter) -> Result<Activity, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.activity(&me, filter).await }).await
}

/// One event by id.
#[server(endpoint = "audit_logs/get", input = Json)]
pub async fn get_event(id: String) -> Result<AuditEvent, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.event(&me, &id).await }).await
}

/// The proof that an event is in the organization's latest signed checkpoint (checked by the
/// server before it answers); `None` while no checkpoint holds it yet.
#[server(endpoint = "audit_logs/inclusion", input = Json)]
pub async fn event_inclusion(id: String) -> Result<Option<InclusionProof>, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.inclusion(&me, &id).await }).await
}

/// The organization's actors whose label contains `text` (case-insensitive), most active first,
/// at most [`crate::model::MAX_ACTOR_SUGGESTIONS`]: the actor filter's typeahead.
#[server(endpoint = "audit_logs/actors", input = Json)]
pub async fn known_actors(text: String) -> Result<Vec<KnownActor>, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.known_actors(&me, &text).await }).await
}

/// The latest verification of the organization's hash chain, if it was ever verified.
#[server(endpoint = "audit_logs/chain_status", input = Json)]
pub async fn chain_status() -> Result<Option<ChainVerification>, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.chain_status(&me).await }).await
}

/// Verifies the organization's whole hash chain now and records the outcome.
#[server(endpoint = "audit_logs/verify", input = Json)]
pub async fn verify_chain() -> Result<ChainVerification, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.verify_chain(&me).await }).await
}
