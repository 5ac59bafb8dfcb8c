//! The audit-log server functions' door into the services.

use super::Services;
use app::api::backend::AuditLogBackend;
use app::model::{
    Activity, ApiError, AuditEvent, ChainVerification, EventFilter, EventPage, EventQuery,
    InclusionProof, KnownActor, Requester, SavedView,
};
use async_trait::async_trait;

#[async_trait]
impl AuditLogBackend for Services {
    async fn list_events(
        &self,
        requester: &Requester,
        query: EventQuery,
    ) -> Result<EventPage, ApiError> {
        Services::list_events(self, &requester.viewer.access, query).await
    }

    async fn activity(
        &self,
        requester: &Requester,
        filter: EventFilter,
    ) -> Result<Activity, ApiError> {
        Services::activity(self, &requester.viewer.access, filter).await
    }

    async fn known_actors(
        &self,
        requester: &Requester,
        text: &str,
    ) -> Result<Vec<KnownActor>, ApiError> {
        Services::known_actors(self, &requester.viewer.access, text).await
    }

    async fn saved_views(&self, requester: &Requester) -> Result<Vec<SavedView>, ApiError> {
        Services::saved_views(self, &requester.viewer).await
    }

    async fn save_view(
        &self,
        requester: &Requester,
        name: &str,
        search: &str,
    ) -> Result<SavedView, ApiError> {
        Services::save_view(self, &requester.viewer, name, search).await
    }

    async fn delete_view(&self, requester: &Requester, id: i64) -> Result<(), ApiError> {
        Services::delete_view(self, &requester.viewer, id).await
    }

    async fn event(&self, requester: &Requester, id: &str) -> Result<AuditEvent, ApiError> {
        Services::event(self, &requester.viewer.access, id).await
    }

    async fn inclusion(
        &self,
        requester: &Requester,
        id: &str,
    ) -> Result<Option<InclusionProof>, ApiError> {
        Services::latest_inclusion(self, &requester.viewer.access, id).await
    }

    async fn chain_status(
        &self,
        requester: &Requester,
    ) -> Result<Option<ChainVerification>, ApiError> {
        Services::chain_status(self, &requester.viewer.access).await
    }

    async fn verify_chain(&self, requester: &Requester) -> Result<ChainVerification, ApiError> {
        Services::verify_chain(self, &requester.viewer.access, &|_, _| {}).await
    }
}
