//! Auditrail's own events waiting to be linked into their organization's chain. A change and
//! its self-audit event are written in one [`IdentityTx`]; the event is then appended to the
//! chain (with an idempotency key, so a repeated append yields the original) and forgotten here.

use super::{IdentityStore, IdentityTx};
use crate::store::{StoreError, StoreResult};
use app::model::NewEvent;

/// A staged self-audit event.
pub struct PendingOwnEvent {
    /// Its place in the staging table (staging order).
    pub id: i64,
    pub org_id: i64,
    pub event: NewEvent,
}

impl IdentityTx {
    /// Stages a self-audit event for `org_id`; it commits with the transaction's changes.
    pub async fn stage_own_event(&mut self, org_id: i64, event: &NewEvent) -> StoreResult<()> {
        let json = serde_json::to_string(event)
            .map_err(|e| StoreError::Corrupt(format!("own event: {e}")))?;
        sqlx::query("INSERT INTO pending_own_events (org_id, event) VALUES ($1, $2)")
            .bind(org_id)
            .bind(json)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Forgets staged events once their chain holds them.
    pub async fn forget_own_events(&mut self, ids: &[i64]) -> StoreResult<()> {
        for id in ids {
            sqlx::query("DELETE FROM pending_own_events WHERE id = $1")
                .bind(id)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }
}

impl IdentityStore {
    /// How many self-audit events wait to be linked.
    pub async fn pending_own_event_count(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM pending_own_events")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Up to `limit` staged events, oldest first.
    pub async fn pending_own_events(&self, limit: i64) -> StoreResult<Vec<PendingOwnEvent>> {
        let rows: Vec<(i64, i64, String)> =
            sqlx::query_as("SELECT id, org_id, event FROM pending_own_events ORDER BY id LIMIT $1")
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(id, org_id, json)| {
                let event = serde_json::from_str(&json)
                    .map_err(|e| StoreError::Corrupt(format!("own event {id}: {e}")))?;
                Ok(PendingOwnEvent { id, org_id, event })
            })
            .collect()
    }
}
