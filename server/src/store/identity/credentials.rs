//! What guards a password: reset tokens, failed sign-in counts and lockouts, known devices.

use super::{from_micros, micros, IdentityStore};
use crate::store::StoreResult;
use chrono::{DateTime, Duration, Utc};

impl IdentityStore {
    /// Until when sign-ins for this (lower-cased) email are locked, if they are now.
    pub async fn locked_until(
        &self,
        email: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        let until: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT locked_until FROM sign_in_failures WHERE email = $1 AND locked_until > $2",
        )
        .bind(email)
        .bind(micros(now))
        .fetch_optional(&self.pool)
        .await?;
        until.flatten().map(from_micros).transpose()
    }

    /// Counts a failed sign-in; answers the failures within the current window, this one
    /// included. A window older than `window` starts over.
    pub async fn count_failed_sign_in(
        &self,
        email: &str,
        now: DateTime<Utc>,
        window: Duration,
    ) -> StoreResult<i64> {
        let failures: i64 = sqlx::query_scalar(
            "INSERT INTO sign_in_failures (email, failures, window_start) VALUES ($1, 1, $2)
             ON CONFLICT (email) DO UPDATE SET
                 failures = CASE WHEN sign_in_failures.window_start < $3
                                 THEN 1 ELSE sign_in_failures.failures + 1 END,
                 window_start = CASE WHEN sign_in_failures.window_start < $3
                                     THEN $2 ELSE sign_in_failures.window_start END
             RETURNING failures",
        )
        .bind(email)
        .bind(micros(now))
        .bind(micros(now - window))
        .fetch_one(&self.pool)
        .await?;
        Ok(failures)
    }

    /// Locks sign-ins for this email until `until` and starts the failure count over.
    pub async fn lock_sign_ins(&self, email: &str, until: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE sign_in_failures SET locked_until = $1, failures = 0 WHERE email = $2")
            .bind(micros(until))
            .bind(email)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Forgets an email's failed sign-ins (after a successful one).
    pub async fn clear_failed_sign_ins(&self, email: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE email = $1")
            .bind(email)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores a password reset token's hash for a user.
    pub async fn create_password_reset(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(micros(Utc::now()))
        .bind(micros(expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Uses up a reset token: deletes it and answers its user if it had not expired.
    pub async fn take_password_reset(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<i64>> {
        let found: Option<(i64, i64)> = sqlx::query_as(
            "DELETE FROM password_resets WHERE token_hash = $1 RETURNING user_id, expires_at",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found
            .filter(|(_, expires)| *expires > micros(now))
            .map(|(user, _)| user))
    }

    /// Remembers a browser a user signed in from; answers whether it was new to them.
    pub async fn remember_device(&self, user_id: i64, device_hash: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO known_devices (user_id, device_hash, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, device_hash) DO NOTHING",
        )
        .bind(user_id)
        .bind(device_hash)
        .bind(micros(Utc::now()))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
