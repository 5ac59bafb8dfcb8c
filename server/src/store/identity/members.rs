//! Memberships: which users belong to which organization, with which role.

use super::{duplicate_as, from_micros, member, member_query, micros, IdentityStore, IdentityTx};
use crate::store::{Member, StoreResult};
use app::model::MemberSummary;
use chrono::Utc;
use sqlx::{Any, Executor, Row};

/// One member of an organization, read through `conn` (the pool or a transaction).
async fn member_in<'c>(
    conn: impl Executor<'c, Database = Any>,
    org_id: i64,
    user_id: i64,
) -> StoreResult<Option<Member>> {
    let sql = member_query("WHERE m.org_id = $1 AND m.user_id = $2");
    let row = sqlx::query(&sql)
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(member).transpose()
}

impl IdentityStore {
    /// Every membership of a user, oldest first.
    pub async fn memberships(&self, user_id: i64) -> StoreResult<Vec<Member>> {
        let sql = member_query("WHERE m.user_id = $1 ORDER BY m.created_at, m.org_id");
        let found = sqlx::query(&sql)
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        found.iter().map(member).collect()
    }

    /// One member of an organization.
    pub async fn member(&self, org_id: i64, user_id: i64) -> StoreResult<Option<Member>> {
        member_in(&self.pool, org_id, user_id).await
    }

    /// The organization's members, by email.
    pub async fn members(&self, org_id: i64) -> StoreResult<Vec<MemberSummary>> {
        let rows = sqlx::query(
            "SELECT u.id, u.email, u.display_name, r.id AS role_id, r.name AS role_name,
                    m.created_at
             FROM memberships m
             JOIN users u ON u.id = m.user_id
             JOIN roles r ON r.id = m.role_id
             WHERE m.org_id = $1
             ORDER BY lower(u.email)",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(MemberSummary {
                    user_id: row.try_get("id")?,
                    email: row.try_get("email")?,
                    display_name: row.try_get("display_name")?,
                    role_id: row.try_get("role_id")?,
                    role: row.try_get("role_name")?,
                    joined_at: from_micros(row.try_get("created_at")?)?,
                })
            })
            .collect()
    }
}

impl IdentityTx {
    /// One member of an organization, as this transaction sees it.
    pub async fn member(&mut self, org_id: i64, user_id: i64) -> StoreResult<Option<Member>> {
        member_in(&mut *self.tx, org_id, user_id).await
    }

    /// Makes a user a member of an organization with a role.
    pub async fn add_member(&mut self, org_id: i64, user_id: i64, role_id: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO memberships (org_id, user_id, role_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(role_id)
        .bind(micros(Utc::now()))
        .execute(&mut *self.tx)
        .await
        .map_err(duplicate_as("membership"))?;
        Ok(())
    }

    /// Gives a member another role of the same organization; answers whether both exist.
    pub async fn set_member_role(
        &mut self,
        org_id: i64,
        user_id: i64,
        role_id: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE memberships SET role_id = $1
             WHERE org_id = $2 AND user_id = $3
             AND EXISTS (SELECT 1 FROM roles r WHERE r.id = $1 AND r.org_id = $2)",
        )
        .bind(role_id)
        .bind(org_id)
        .bind(user_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Removes a member and closes their sessions in that organization; answers whether they
    /// were a member.
    pub async fn remove_member(&mut self, org_id: i64, user_id: i64) -> StoreResult<bool> {
        sqlx::query("DELETE FROM sessions WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(user_id)
            .execute(&mut *self.tx)
            .await?;
        let done = sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(user_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
