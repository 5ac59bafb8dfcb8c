//! Roles: built-in and custom permission sets of one organization.

use super::{duplicate_as, join_permissions, role, IdentityStore, IdentityTx, ROLE_COLUMNS};
use crate::store::{Role, StoreResult};
use app::model::{Permission, RoleSummary};
use sqlx::{Any, Executor, Row};

/// The organization's role with this id, read through `conn` (the pool or a transaction).
async fn role_in<'c>(
    conn: impl Executor<'c, Database = Any>,
    org_id: i64,
    id: i64,
) -> StoreResult<Option<Role>> {
    let sql = format!("SELECT {ROLE_COLUMNS} FROM roles r WHERE r.org_id = $1 AND r.id = $2");
    let row = sqlx::query(&sql)
        .bind(org_id)
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(role).transpose()
}

impl IdentityStore {
    /// The organization's role with this name.
    pub async fn role_by_name(&self, org_id: i64, name: &str) -> StoreResult<Option<Role>> {
        let sql = format!("SELECT {ROLE_COLUMNS} FROM roles r WHERE r.org_id = $1 AND r.name = $2");
        let row = sqlx::query(&sql)
            .bind(org_id)
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(role).transpose()
    }

    /// The organization's role with this id.
    pub async fn role(&self, org_id: i64, id: i64) -> StoreResult<Option<Role>> {
        role_in(&self.pool, org_id, id).await
    }

    /// The organization's roles, built-in first, with how many members hold each.
    pub async fn roles(&self, org_id: i64) -> StoreResult<Vec<RoleSummary>> {
        let sql = format!(
            "SELECT {ROLE_COLUMNS},
                    (SELECT COUNT(*) FROM memberships m WHERE m.role_id = r.id) AS holders
             FROM roles r WHERE r.org_id = $1
             ORDER BY r.builtin DESC, r.name"
        );
        let rows = sqlx::query(&sql).bind(org_id).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let r = role(row)?;
                Ok(RoleSummary {
                    id: r.id,
                    name: r.name,
                    permissions: r.permissions,
                    builtin: r.builtin,
                    members: u64::try_from(row.try_get::<i64, _>("holders")?).unwrap_or(0),
                })
            })
            .collect()
    }
}

impl IdentityTx {
    /// The organization's role with this id, as this transaction sees it.
    pub async fn role(&mut self, org_id: i64, id: i64) -> StoreResult<Option<Role>> {
        role_in(&mut *self.tx, org_id, id).await
    }

    /// Creates a role in an organization.
    pub async fn create_role(
        &mut self,
        org_id: i64,
        name: &str,
        permissions: &[Permission],
        builtin: bool,
    ) -> StoreResult<Role> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO roles (org_id, name, permissions, builtin)
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(org_id)
        .bind(name)
        .bind(join_permissions(permissions))
        .bind(builtin)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(duplicate_as("role"))?;
        Ok(Role {
            id,
            org_id,
            name: name.to_owned(),
            permissions: permissions.to_vec(),
            builtin,
        })
    }

    /// Renames a custom role and replaces its permissions; answers whether it existed.
    pub async fn update_role(
        &mut self,
        org_id: i64,
        id: i64,
        name: &str,
        permissions: &[Permission],
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE roles SET name = $1, permissions = $2
             WHERE org_id = $3 AND id = $4 AND NOT builtin",
        )
        .bind(name)
        .bind(join_permissions(permissions))
        .bind(org_id)
        .bind(id)
        .execute(&mut *self.tx)
        .await
        .map_err(duplicate_as("role"))?;
        Ok(done.rows_affected() > 0)
    }

    /// Deletes a custom role nobody holds; answers whether it was deleted.
    pub async fn delete_role(&mut self, org_id: i64, id: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "DELETE FROM roles WHERE org_id = $1 AND id = $2 AND NOT builtin
             AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.role_id = roles.id)",
        )
        .bind(org_id)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
