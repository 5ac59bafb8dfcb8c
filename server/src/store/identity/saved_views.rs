//! Saved views: a member's named searches in one organization.

use super::{duplicate_as, micros, IdentityStore};
use crate::store::StoreResult;
use app::model::SavedView;
use chrono::Utc;

impl IdentityStore {
    /// Saves a named search for a member (a name is unique per member and organization).
    pub async fn create_saved_view(
        &self,
        org_id: i64,
        user_id: i64,
        name: &str,
        search: &str,
    ) -> StoreResult<SavedView> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO saved_views (org_id, user_id, name, search, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(name)
        .bind(search)
        .bind(micros(Utc::now()))
        .fetch_one(&self.pool)
        .await
        .map_err(duplicate_as("saved view"))?;
        Ok(SavedView {
            id,
            name: name.to_owned(),
            search: search.to_owned(),
        })
    }

    /// A member's saved views in an organization, by name.
    pub async fn saved_views(&self, org_id: i64, user_id: i64) -> StoreResult<Vec<SavedView>> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, name, search FROM saved_views
             WHERE org_id = $1 AND user_id = $2 ORDER BY name",
        )
        .bind(org_id)
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, search)| SavedView { id, name, search })
            .collect())
    }

    /// Deletes one of a member's saved views; answers whether it existed.
    pub async fn delete_saved_view(&self, org_id: i64, user_id: i64, id: i64) -> StoreResult<bool> {
        let _turn = self.turn().await;
        let done =
            sqlx::query("DELETE FROM saved_views WHERE id = $1 AND org_id = $2 AND user_id = $3")
                .bind(id)
                .bind(org_id)
                .bind(user_id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }
}
