//! What guards a password: reset tokens, failed sign-in counts and lockouts, known devices.

use super::{from_micros, micros, IdentityTx};
use crate::store::StoreResult;
use chrono::{DateTime, Duration, Utc};

impl IdentityTx {
    /// Counts a sign-in attempt for this (lower-cased) email before its password is checked;
    /// answers the attempts within the current window, this one included, and the lock's end
    /// if there is one. A window older than `window` starts over; attempts made while the
    /// account is locked are not counted.
    pub async fn count_sign_in_attempt(
        &mut self,
        email: &str,
        now: DateTime<Utc>,
        window: Duration,
    ) -> StoreResult<(i64, Option<DateTime<Utc>>)> {
        let (attempts, locked_until): (i64, Option<i64>) = sqlx::query_as(
            "INSERT INTO sign_in_failures (email, failures, window_start) VALUES ($1, 1, $2)
             ON CONFLICT (email) DO UPDATE SET
                 failures = CASE
                     WHEN sign_in_failures.locked_until > $2 THEN sign_in_failures.failures
                     WHEN sign_in_failures.window_start < $3 THEN 1
                     ELSE sign_in_failures.failures + 1 END,
                 window_start = CASE
                     WHEN sign_in_failures.locked_until > $2 THEN sign_in_failures.window_start
                     WHEN sign_in_failures.window_start < $3 THEN $2
                     ELSE sign_in_failures.window_start END
             RETURNING failures, locked_until",
        )
        .bind(email)
        .bind(micros(now))
        .bind(micros(now - window))
        .fetch_one(&mut *self.tx)
        .await?;
        Ok((attempts, locked_until.map(from_micros).transpose()?))
    }

    /// Locks sign-ins for this email until `until` and starts the failure count over.
    pub async fn lock_sign_ins(&mut self, email: &str, until: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE sign_in_failures SET locked_until = $1, failures = 0 WHERE email = $2")
            .bind(micros(until))
            .bind(email)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Forgets an email's failed sign-ins (after a successful one).
    pub async fn clear_failed_sign_ins(&mut self, email: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE email = $1")
            .bind(email)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Stores a password reset token's hash for a user.
    pub async fn create_password_reset(
        &mut self,
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
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Uses up a reset token: deletes it and every other token of its user, and answers the
    /// user if it had not expired.
    pub async fn take_password_reset(
        &mut self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<i64>> {
        let found: Option<(i64, i64)> = sqlx::query_as(
            "DELETE FROM password_resets WHERE token_hash = $1 RETURNING user_id, expires_at",
        )
        .bind(token_hash)
        .fetch_optional(&mut *self.tx)
        .await?;
        let Some((user_id, expires_at)) = found else {
            return Ok(None);
        };
        // Using one link ends every other link of the same user.
        sqlx::query("DELETE FROM password_resets WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *self.tx)
            .await?;
        Ok((expires_at > micros(now)).then_some(user_id))
    }

    /// Remembers a browser a user signed in from; answers whether it was new to them.
    pub async fn remember_device(&mut self, user_id: i64, device_hash: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO known_devices (user_id, device_hash, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, device_hash) DO NOTHING",
        )
        .bind(user_id)
        .bind(device_hash)
        .bind(micros(Utc::now()))
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
