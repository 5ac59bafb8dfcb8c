//! Saved views: a member's named searches (with `audit_logs:read`).

use super::Services;
use app::model::{parse_search, ApiError, Permission, SavedView, Viewer};

impl Services {
    /// The viewer's saved views, by name.
    pub async fn saved_views(&self, viewer: &Viewer) -> Result<Vec<SavedView>, ApiError> {
        viewer.access.require(Permission::AuditLogsRead)?;
        let org = viewer.access.org_id;
        Ok(self
            .stores
            .identity
            .saved_views(org, viewer.user_id)
            .await?)
    }

    /// Saves a search under a name; the search must parse and the name be new.
    pub async fn save_view(
        &self,
        viewer: &Viewer,
        name: &str,
        search: &str,
    ) -> Result<SavedView, ApiError> {
        viewer.access.require(Permission::AuditLogsRead)?;
        let name = name.trim();
        if name.is_empty() || name.len() > 100 {
            return Err(ApiError::invalid("name must be 1 to 100 characters").with_field("name"));
        }
        parse_search(search).map_err(|e| ApiError::invalid(e.to_string()).with_field("search"))?;
        let org = viewer.access.org_id;
        let view = self
            .stores
            .identity
            .create_saved_view(org, viewer.user_id, name, search.trim())
            .await?;
        Ok(view)
    }

    /// Deletes one of the viewer's saved views.
    pub async fn delete_view(&self, viewer: &Viewer, id: i64) -> Result<(), ApiError> {
        viewer.access.require(Permission::AuditLogsRead)?;
        let org = viewer.access.org_id;
        if self
            .stores
            .identity
            .delete_saved_view(org, viewer.user_id, id)
            .await?
        {
            Ok(())
        } else {
            Err(ApiError::not_found("saved view"))
        }
    }
}
