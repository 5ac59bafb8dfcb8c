//! API keys: only a secret's SHA-256 and last four characters are stored.

use super::{
    duplicate_as, from_micros, join_permissions, micros, organization, split_permissions,
    IdentityStore, IdentityTx, ORG_COLUMNS,
};
use crate::store::{ApiKey, Organization, StoreResult};
use app::model::{ApiKeySummary, Permission};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

const KEY_QUERY: &str = "SELECT id, name, scopes, last4, created_at, last_used_at FROM api_keys";

/// A row of [`KEY_QUERY`].
fn key_summary(row: &AnyRow) -> StoreResult<ApiKeySummary> {
    Ok(ApiKeySummary {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        scopes: split_permissions(&row.try_get::<String, _>("scopes")?)?,
        last4: row.try_get("last4")?,
        created_at: from_micros(row.try_get("created_at")?)?,
        last_used_at: row
            .try_get::<Option<i64>, _>("last_used_at")?
            .map(from_micros)
            .transpose()?,
    })
}

impl IdentityStore {
    /// The key with this secret hash and its organization.
    pub async fn api_key_by_secret_hash(
        &self,
        secret_hash: &str,
    ) -> StoreResult<Option<(ApiKey, Organization)>> {
        let sql = format!(
            "SELECT k.id AS key_id, k.name AS key_name, k.scopes, k.last4, {ORG_COLUMNS}
             FROM api_keys k JOIN organizations o ON o.id = k.org_id
             WHERE k.secret_hash = $1"
        );
        let Some(row) = sqlx::query(&sql)
            .bind(secret_hash)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let org = organization(&row)?;
        let key = ApiKey {
            id: row.try_get("key_id")?,
            org_id: org.id,
            name: row.try_get("key_name")?,
            scopes: split_permissions(&row.try_get::<String, _>("scopes")?)?,
            last4: row.try_get("last4")?,
        };
        Ok(Some((key, org)))
    }

    /// The organization's keys, by name.
    pub async fn api_keys(&self, org_id: i64) -> StoreResult<Vec<ApiKeySummary>> {
        let sql = format!("{KEY_QUERY} WHERE org_id = $1 ORDER BY lower(name), id");
        let rows = sqlx::query(&sql).bind(org_id).fetch_all(&self.pool).await?;
        rows.iter().map(key_summary).collect()
    }

    /// Notes that a key was used, at most once a minute per key so reads stay cheap.
    pub async fn touch_api_key(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        let _turn = self.turn().await;
        sqlx::query(
            "UPDATE api_keys SET last_used_at = $1
             WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(micros(now))
        .bind(id)
        .bind(micros(now - chrono::Duration::minutes(1)))
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

impl IdentityTx {
    /// One key of the organization, as this transaction sees it.
    pub async fn api_key(&mut self, org_id: i64, id: i64) -> StoreResult<Option<ApiKeySummary>> {
        let sql = format!("{KEY_QUERY} WHERE org_id = $1 AND id = $2");
        let row = sqlx::query(&sql)
            .bind(org_id)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(key_summary).transpose()
    }

    /// Stores a new API key.
    pub async fn create_api_key(
        &mut self,
        org_id: i64,
        name: &str,
        scopes: &[Permission],
        secret_hash: &str,
        last4: &str,
    ) -> StoreResult<ApiKey> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_keys (org_id, name, scopes, secret_hash, last4, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(org_id)
        .bind(name)
        .bind(join_permissions(scopes))
        .bind(secret_hash)
        .bind(last4)
        .bind(micros(Utc::now()))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(duplicate_as("API key"))?;
        Ok(ApiKey {
            id,
            org_id,
            name: name.to_owned(),
            scopes: scopes.to_vec(),
            last4: last4.to_owned(),
        })
    }

    /// Renames a key; answers whether it exists in the organization.
    pub async fn rename_api_key(&mut self, org_id: i64, id: i64, name: &str) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE api_keys SET name = $1 WHERE org_id = $2 AND id = $3")
            .bind(name)
            .bind(org_id)
            .bind(id)
            .execute(&mut *self.tx)
            .await
            .map_err(duplicate_as("API key"))?;
        Ok(done.rows_affected() > 0)
    }

    /// Replaces a key's secret (the old one stops working at once); answers whether it exists.
    pub async fn rotate_api_key(
        &mut self,
        org_id: i64,
        id: i64,
        secret_hash: &str,
        last4: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE api_keys SET secret_hash = $1, last4 = $2 WHERE org_id = $3 AND id = $4",
        )
        .bind(secret_hash)
        .bind(last4)
        .bind(org_id)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Deletes a key; answers whether it existed in the organization.
    pub async fn delete_api_key(&mut self, org_id: i64, id: i64) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM api_keys WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
