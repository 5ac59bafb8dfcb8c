//! Sessions: the server side of the session cookie (only token hashes are stored).

use super::{member, member_query, micros, IdentityStore, IdentityTx};
use crate::store::{Member, NewSession, StoreResult};
use chrono::{DateTime, Utc};

impl IdentityStore {
    /// The member behind an unexpired session.
    pub async fn session_member(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Member>> {
        let sql = member_query(
            "JOIN sessions s ON s.user_id = m.user_id AND s.org_id = m.org_id
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        );
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .bind(micros(now))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(member).transpose()
    }
}

impl IdentityTx {
    /// Opens a session.
    pub async fn create_session(&mut self, session: &NewSession<'_>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, org_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(session.token_hash)
        .bind(session.user_id)
        .bind(session.org_id)
        .bind(micros(Utc::now()))
        .bind(micros(session.expires_at))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Closes a session.
    pub async fn delete_session(&mut self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Moves a session to another organization of the same user; answers whether it could.
    pub async fn switch_session(&mut self, token_hash: &str, org_id: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE sessions SET org_id = $1 WHERE token_hash = $2
             AND EXISTS (SELECT 1 FROM memberships m
                         WHERE m.user_id = sessions.user_id AND m.org_id = $1)",
        )
        .bind(org_id)
        .bind(token_hash)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Closes every session of a user but `keep` (the one changing the password, if any).
    pub async fn delete_user_sessions(
        &mut self,
        user_id: i64,
        keep: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep.unwrap_or(""))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
