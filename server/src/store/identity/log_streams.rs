//! Log streams, their delivery state and their delivery log. A stream's destination is stored as
//! its JSON; its credential and signing secrets are kept as given (they are presented to the
//! destination, so they cannot be hashed) and never leave the server but to it.

use super::{from_micros, micros, IdentityStore, IdentityTx};
use crate::store::{StoreError, StoreResult};
use app::model::{Delivery, DeliveryKind, Destination, DELIVERY_LOG_LEN};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

const STREAM_QUERY: &str = "SELECT id, org_id, name, destination, filter, credential, \
     signing_secret, previous_secret, previous_secret_expires_at, paused_at, cursor_seq, \
     failures, failing_since, next_attempt_at, last_error, last_delivered_at, checkpoint_size, \
     created_at FROM log_streams";

/// A stream as stored, secrets included.
#[derive(Clone)]
pub struct StoredLogStream {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub destination: Destination,
    /// Which events it carries, in the search syntax.
    pub filter: String,
    /// The Splunk HEC token or Datadog API key.
    pub credential: Option<String>,
    pub signing_secret: Option<String>,
    /// The secret before the last rotation, and until when it still signs.
    pub previous_secret: Option<(String, DateTime<Utc>)>,
    pub paused_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub progress: StreamProgress,
}

/// How far a stream's deliveries got, and how its latest attempts went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamProgress {
    /// Every event up to this `seq` was delivered or passed over.
    pub cursor_seq: i64,
    /// Attempts failed in a row.
    pub failures: i64,
    pub failing_since: Option<DateTime<Utc>>,
    /// No attempt before this instant (backoff after a failure).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_delivered_at: Option<DateTime<Utc>>,
    /// The size of the latest signed checkpoint delivered (0 before the first).
    pub checkpoint_size: i64,
}

/// What a new stream stores.
pub struct NewStoredStream<'a> {
    pub name: &'a str,
    pub destination: &'a Destination,
    pub filter: &'a str,
    pub credential: Option<&'a str>,
    pub signing_secret: Option<&'a str>,
    pub cursor_seq: i64,
}

fn optional_time(row: &AnyRow, column: &str) -> StoreResult<Option<DateTime<Utc>>> {
    row.try_get::<Option<i64>, _>(column)?
        .map(from_micros)
        .transpose()
}

fn stream(row: &AnyRow) -> StoreResult<StoredLogStream> {
    let destination: String = row.try_get("destination")?;
    let destination = serde_json::from_str(&destination)
        .map_err(|e| StoreError::Corrupt(format!("stream destination: {e}")))?;
    let previous_secret = match (
        row.try_get::<Option<String>, _>("previous_secret")?,
        optional_time(row, "previous_secret_expires_at")?,
    ) {
        (Some(secret), Some(until)) => Some((secret, until)),
        _ => None,
    };
    let next_attempt_at: i64 = row.try_get("next_attempt_at")?;
    Ok(StoredLogStream {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        name: row.try_get("name")?,
        destination,
        filter: row.try_get("filter")?,
        credential: row.try_get("credential")?,
        signing_secret: row.try_get("signing_secret")?,
        previous_secret,
        paused_at: optional_time(row, "paused_at")?,
        created_at: from_micros(row.try_get("created_at")?)?,
        progress: StreamProgress {
            cursor_seq: row.try_get("cursor_seq")?,
            failures: row.try_get("failures")?,
            failing_since: optional_time(row, "failing_since")?,
            next_attempt_at: (next_attempt_at > 0)
                .then(|| from_micros(next_attempt_at))
                .transpose()?,
            last_error: row.try_get("last_error")?,
            last_delivered_at: optional_time(row, "last_delivered_at")?,
            checkpoint_size: row.try_get("checkpoint_size")?,
        },
    })
}

fn delivery(row: &AnyRow) -> StoreResult<Delivery> {
    let kind: String = row.try_get("kind")?;
    let status: Option<i64> = row.try_get("status")?;
    Ok(Delivery {
        attempted_at: from_micros(row.try_get("attempted_at")?)?,
        kind: match kind.as_str() {
            "test" => DeliveryKind::Test,
            "checkpoint" => DeliveryKind::Checkpoint,
            _ => DeliveryKind::Events,
        },
        first_seq: row.try_get("first_seq")?,
        last_seq: row.try_get("last_seq")?,
        events: u32::try_from(row.try_get::<i64, _>("events")?).unwrap_or(u32::MAX),
        ok: row.try_get::<i64, _>("ok")? != 0,
        status: status.and_then(|s| u16::try_from(s).ok()),
        latency_ms: u32::try_from(row.try_get::<i64, _>("latency_ms")?).unwrap_or(u32::MAX),
        error: row.try_get("error")?,
    })
}

fn destination_json(destination: &Destination) -> String {
    serde_json::to_string(destination).expect("a destination serialises")
}

impl IdentityStore {
    /// The organization's streams, by name.
    pub async fn log_streams(&self, org_id: i64) -> StoreResult<Vec<StoredLogStream>> {
        let sql = format!("{STREAM_QUERY} WHERE org_id = $1 ORDER BY lower(name), id");
        let rows = sqlx::query(&sql).bind(org_id).fetch_all(&self.pool).await?;
        rows.iter().map(stream).collect()
    }

    /// One stream of the organization.
    pub async fn log_stream(&self, org_id: i64, id: i64) -> StoreResult<Option<StoredLogStream>> {
        let sql = format!("{STREAM_QUERY} WHERE org_id = $1 AND id = $2");
        let row = sqlx::query(&sql)
            .bind(org_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(stream).transpose()
    }

    /// Every stream, of every organization, that is not paused and whose next attempt is due
    /// at `now`.
    pub async fn due_log_streams(&self, now: DateTime<Utc>) -> StoreResult<Vec<StoredLogStream>> {
        let sql =
            format!("{STREAM_QUERY} WHERE paused_at IS NULL AND next_attempt_at <= $1 ORDER BY id");
        let rows = sqlx::query(&sql)
            .bind(micros(now))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(stream).collect()
    }

    /// Every stream not paused, of every organization: `(org_id, cursor_seq, failing)`.
    pub async fn active_stream_positions(&self) -> StoreResult<Vec<(i64, i64, bool)>> {
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT org_id, cursor_seq, CASE WHEN failing_since IS NULL THEN 0 ELSE 1 END
             FROM log_streams WHERE paused_at IS NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(org, cursor, failing)| (org, cursor, failing != 0))
            .collect())
    }

    /// Takes (or renews) the right to deliver the stream until `until`, for `owner`: `false`
    /// when another process holds it, or the stream is paused or gone.
    pub async fn lease_log_stream(
        &self,
        id: i64,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let _turn = self.turn().await;
        let done = sqlx::query(
            "UPDATE log_streams SET lease_owner = $1, lease_until = $2
             WHERE id = $3 AND paused_at IS NULL AND (lease_until < $4 OR lease_owner = $1)",
        )
        .bind(owner)
        .bind(micros(until))
        .bind(id)
        .bind(micros(now))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives the stream's lease back, if `owner` holds it.
    pub async fn release_log_stream(&self, id: i64, owner: &str) -> StoreResult<()> {
        let _turn = self.turn().await;
        sqlx::query(
            "UPDATE log_streams SET lease_owner = NULL, lease_until = 0
             WHERE id = $1 AND lease_owner = $2",
        )
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The stream's latest delivery attempts, newest first.
    pub async fn deliveries(&self, stream_id: i64) -> StoreResult<Vec<Delivery>> {
        let rows = sqlx::query(
            "SELECT attempted_at, kind, first_seq, last_seq, events, ok, status, latency_ms, error
             FROM log_stream_deliveries WHERE stream_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(stream_id)
        .bind(DELIVERY_LOG_LEN as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery).collect()
    }
}

impl IdentityTx {
    /// One stream of the organization, as this transaction sees it.
    pub async fn log_stream(
        &mut self,
        org_id: i64,
        id: i64,
    ) -> StoreResult<Option<StoredLogStream>> {
        let sql = format!("{STREAM_QUERY} WHERE org_id = $1 AND id = $2");
        let row = sqlx::query(&sql)
            .bind(org_id)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(stream).transpose()
    }

    /// Stores a new stream; answers its id.
    pub async fn create_log_stream(
        &mut self,
        org_id: i64,
        new: &NewStoredStream<'_>,
    ) -> StoreResult<i64> {
        let id = sqlx::query_scalar(
            "INSERT INTO log_streams (org_id, name, destination, filter, credential, \
             signing_secret, cursor_seq, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(org_id)
        .bind(new.name)
        .bind(destination_json(new.destination))
        .bind(new.filter)
        .bind(new.credential)
        .bind(new.signing_secret)
        .bind(new.cursor_seq)
        .bind(micros(Utc::now()))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(super::duplicate_as("a log stream with this name"))?;
        Ok(id)
    }

    /// Writes the stream's name, destination, filter, credential and pause as `stream` holds
    /// them. A changed destination starts afresh: its failures and backoff are forgotten.
    pub async fn update_log_stream(&mut self, stream: &StoredLogStream) -> StoreResult<()> {
        sqlx::query(
            "UPDATE log_streams SET name = $1, destination = $2, filter = $3, credential = $4, \
             paused_at = $5, failures = 0, failing_since = NULL, next_attempt_at = 0, \
             last_error = NULL
             WHERE org_id = $6 AND id = $7",
        )
        .bind(&stream.name)
        .bind(destination_json(&stream.destination))
        .bind(&stream.filter)
        .bind(stream.credential.as_deref())
        .bind(stream.paused_at.map(micros))
        .bind(stream.org_id)
        .bind(stream.id)
        .execute(&mut *self.tx)
        .await
        .map_err(super::duplicate_as("a log stream with this name"))?;
        Ok(())
    }

    /// Replaces a webhook stream's signing secret; the current one keeps signing until
    /// `previous_until`.
    pub async fn rotate_log_stream_secret(
        &mut self,
        org_id: i64,
        id: i64,
        secret: &str,
        previous_until: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE log_streams SET previous_secret = signing_secret, \
             previous_secret_expires_at = $1, signing_secret = $2
             WHERE org_id = $3 AND id = $4",
        )
        .bind(micros(previous_until))
        .bind(secret)
        .bind(org_id)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Deletes a stream and its delivery log.
    pub async fn delete_log_stream(&mut self, org_id: i64, id: i64) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM log_streams WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Notes a delivery attempt in the stream's log, keeping the latest [`DELIVERY_LOG_LEN`].
    pub async fn log_delivery(&mut self, stream_id: i64, attempt: &Delivery) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO log_stream_deliveries (stream_id, attempted_at, kind, first_seq, \
             last_seq, events, ok, status, latency_ms, error)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(stream_id)
        .bind(micros(attempt.attempted_at))
        .bind(match attempt.kind {
            DeliveryKind::Events => "events",
            DeliveryKind::Test => "test",
            DeliveryKind::Checkpoint => "checkpoint",
        })
        .bind(attempt.first_seq)
        .bind(attempt.last_seq)
        .bind(i64::from(attempt.events))
        .bind(i64::from(attempt.ok))
        .bind(attempt.status.map(i64::from))
        .bind(i64::from(attempt.latency_ms))
        .bind(attempt.error.as_deref())
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "DELETE FROM log_stream_deliveries WHERE stream_id = $1 AND id <= (
                 SELECT id FROM log_stream_deliveries WHERE stream_id = $1
                 ORDER BY id DESC LIMIT 1 OFFSET $2)",
        )
        .bind(stream_id)
        .bind(DELIVERY_LOG_LEN as i64)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Records the stream's progress after an attempt and renews `owner`'s lease until
    /// `lease_until`, if its cursor is still `expected_cursor` and `owner` still holds the lease;
    /// `false` (nothing written) otherwise.
    pub async fn record_stream_progress(
        &mut self,
        id: i64,
        owner: &str,
        expected_cursor: i64,
        progress: &StreamProgress,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE log_streams SET cursor_seq = $1, failures = $2, failing_since = $3, \
             next_attempt_at = $4, last_error = $5, last_delivered_at = $6, checkpoint_size = $7, \
             lease_until = $8
             WHERE id = $9 AND cursor_seq = $10 AND lease_owner = $11",
        )
        .bind(progress.cursor_seq)
        .bind(progress.failures)
        .bind(progress.failing_since.map(micros))
        .bind(progress.next_attempt_at.map_or(0, micros))
        .bind(progress.last_error.as_deref())
        .bind(progress.last_delivered_at.map(micros))
        .bind(progress.checkpoint_size)
        .bind(micros(lease_until))
        .bind(id)
        .bind(expected_cursor)
        .bind(owner)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
