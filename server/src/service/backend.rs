//! The audit-log server functions' door into the services.

use super::Services;
use app::api::context::AuditLogBackend;
use app::model::{
    Activity, ApiError, AuditEvent, ChainVerification, EventFilter, EventPage, EventQuery,
    KnownActor, SavedView, Viewer,
};
use async_trait::async_trait;

#[async_trait]
impl AuditLogBackend for Services {
    async fn list_events(&self, viewer: &Viewer, query: EventQuery) -> Result<EventPage, ApiError> {
        Services::list_events(self, &viewer.access, query).await
    }

    async fn activity(&self, viewer: &Viewer, filter: EventFilter) -> Result<Activity, ApiError> {
        Services::activity(self, &viewer.access, filter).await
    }

    async fn known_actors(&self, viewer: &Viewer, text: &str) -> Result<Vec<KnownActor>, ApiError> {
        Services::known_actors(self, &viewer.access, text).await
    }

    async fn saved_views(&self, viewer: &Viewer) -> Result<Vec<SavedView>, ApiError> {
        Services::saved_views(self, viewer).await
    }

    async fn save_view(
        &self,
        viewer: &Viewer,
        name: &str,
        search: &str,
    ) -> Result<SavedView, ApiError> {
        Services::save_view(self, viewer, name, search).await
    }

    async fn delete_view(&self, viewer: &Viewer, id: i64) -> Result<(), ApiError> {
        Services::delete_view(self, viewer, id).await
    }

    async fn event(&self, viewer: &Viewer, id: &str) -> Result<AuditEvent, ApiError> {
        Services::event(self, &viewer.access, id).await
    }

    async fn chain_status(&self, viewer: &Viewer) -> Result<Option<ChainVerification>, ApiError> {
        Services::chain_status(self, &viewer.access).await
    }

    async fn verify_chain(&self, viewer: &Viewer) -> Result<ChainVerification, ApiError> {
        Services::verify_chain(self, &viewer.access, &|_, _| {}).await
    }
}
