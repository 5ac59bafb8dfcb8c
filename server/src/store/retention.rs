//! Retention purges, one SQL for both databases: the archived events of an organization are
//! deleted from the log and the index (their hourly counts and actor tallies taken back), and
//! the purge is recorded with its self-audit event, all in one transaction behind the
//! `purge_in_progress` guard that the append-only triggers let through (see migration 0008).

use super::actors::ActorTallies;
use super::hourly_counts::HourlyTallies;
use super::log::{self, Answer, LogDatabase};
use super::pool_guard;
use super::{StoreError, StoreResult, WriteGate};
use app::model::{AuditEvent, NewEvent, PurgeRecord};
use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use sqlx::{Encode, Pool, QueryBuilder, Type};

/// The purges of every organization.
#[async_trait]
pub trait RetentionStore: Send + Sync + 'static {
    /// The organization's latest purges, newest first, at most `limit`.
    async fn purges(&self, org_id: i64, limit: u32) -> StoreResult<Vec<PurgeRecord>>;
    /// Deletes `events` (the organization's next events after its last purge, in `seq` order,
    /// already archived as `record` says) with everything derived from them, and records the
    /// purge and `own_event` (its self-audit event, staged for the chain) in the same
    /// transaction; `false`, with nothing written, when the organization is under legal hold.
    /// Refused, with nothing written, when the events are not exactly the ones after the last
    /// purge (another purge got there first).
    async fn purge(
        &self,
        org_id: i64,
        events: &[AuditEvent],
        record: &PurgeRecord,
        own_event: &NewEvent,
    ) -> StoreResult<bool>;
}

/// [`RetentionStore`] over either database.
pub struct PurgeStore<DB: LogDatabase> {
    pool: Pool<DB>,
    /// Where its write transactions go.
    writer: Pool<DB>,
    /// Where its write transactions wait for their turn.
    gate: WriteGate,
}

impl<DB: LogDatabase> PurgeStore<DB> {
    /// The purges kept in the database of `pool` (reads) and `writer` (writes).
    pub fn new(pool: Pool<DB>, writer: Pool<DB>, gate: WriteGate) -> Self {
        Self { pool, writer, gate }
    }
}

/// A purge record as stored.
type PurgeRow = (i64, i64, String, String, String, i64);

#[async_trait]
impl<DB> RetentionStore for PurgeStore<DB>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> String: Encode<'a, DB> + Type<DB>,
    for<'a> &'a str: Encode<'a, DB> + Type<DB>,
    (i64,): Answer<DB>,
    PurgeRow: Answer<DB>,
{
    async fn purges(&self, org_id: i64, limit: u32) -> StoreResult<Vec<PurgeRecord>> {
        let mut conn = self.pool.acquire().await?;
        let mut query = QueryBuilder::<DB>::new(
            "SELECT first_seq, through_seq, through_hash, archive, archive_sha256, purged_at \
             FROM purges WHERE org_id = ",
        );
        query
            .push_bind(org_id)
            .push(" ORDER BY through_seq DESC LIMIT ")
            .push_bind(i64::from(limit));
        let rows: Vec<PurgeRow> = DB::fetch_all(&mut conn, query).await?;
        rows.into_iter().map(purge_record).collect()
    }

    async fn purge(
        &self,
        org_id: i64,
        events: &[AuditEvent],
        record: &PurgeRecord,
        own_event: &NewEvent,
    ) -> StoreResult<bool> {
        let own_event = serde_json::to_string(own_event)
            .map_err(|e| StoreError::Corrupt(format!("own event: {e}")))?;
        let _turn = self.gate.enter().await;
        let mut tx = pool_guard::begin(&self.writer, DB::BEGIN_WRITE).await?;
        // A hold set while the archive was written wins: nothing is deleted under it.
        let mut held = QueryBuilder::<DB>::new(
            "SELECT COUNT(*) FROM organizations WHERE legal_hold AND id = ",
        );
        held.push_bind(org_id);
        if let Some((1..,)) = DB::fetch_optional::<(i64,)>(&mut *tx, held).await? {
            return Ok(false);
        }
        // Holding the index position keeps the organization's indexers out until commit: they
        // and the purge both change its hourly counts and actor tallies.
        let mut position =
            QueryBuilder::<DB>::new("SELECT seq FROM index_positions WHERE org_id = ");
        position.push_bind(org_id).push(DB::HOLD_ROW);
        let (indexed,): (i64,) = DB::fetch_optional(&mut *tx, position)
            .await?
            .unwrap_or((0,));
        if record.through_seq > indexed {
            return Err(StoreError::Corrupt(format!(
                "a purge through event {} asked for, but the index ends at {indexed}",
                record.through_seq
            )));
        }
        let purged = log::purged_through(&mut tx, org_id).await?;
        let contiguous = events.iter().zip(purged + 1..).all(|(e, seq)| e.seq == seq);
        if !contiguous
            || record.first_seq != purged + 1
            || events.last().map(|e| e.seq) != Some(record.through_seq)
        {
            return Err(StoreError::Duplicate(format!(
                "a purge of events after {purged}"
            )));
        }
        let mut guard = QueryBuilder::<DB>::new("INSERT INTO purge_in_progress (org_id) VALUES (");
        guard.push_bind(org_id).push(")");
        DB::execute(&mut *tx, guard).await?;
        for table in ["event_targets", "events", "event_log"] {
            let mut delete =
                QueryBuilder::<DB>::new(format!("DELETE FROM {table} WHERE org_id = "));
            delete
                .push_bind(org_id)
                .push(" AND seq >= ")
                .push_bind(record.first_seq)
                .push(" AND seq <= ")
                .push_bind(record.through_seq);
            DB::execute(&mut *tx, delete).await?;
        }
        take_back_tallies::<DB>(&mut tx, org_id, events).await?;
        let mut insert = QueryBuilder::<DB>::new(
            "INSERT INTO purges (org_id, first_seq, through_seq, through_hash, archive, \
             archive_sha256, purged_at) VALUES (",
        );
        let mut values = insert.separated(", ");
        values
            .push_bind(org_id)
            .push_bind(record.first_seq)
            .push_bind(record.through_seq)
            .push_bind(record.through_hash.clone())
            .push_bind(record.archive.clone())
            .push_bind(record.archive_sha256.clone())
            .push_bind(record.purged_at.timestamp_micros());
        insert.push(")");
        DB::execute(&mut *tx, insert).await?;
        let mut stage =
            QueryBuilder::<DB>::new("INSERT INTO pending_own_events (org_id, event) VALUES (");
        stage
            .push_bind(org_id)
            .push(", ")
            .push_bind(own_event)
            .push(")");
        DB::execute(&mut *tx, stage).await?;
        let mut unguard = QueryBuilder::<DB>::new("DELETE FROM purge_in_progress WHERE org_id = ");
        unguard.push_bind(org_id);
        DB::execute(&mut *tx, unguard).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// Takes the purged events out of the hourly counts and the actor tallies, dropping the rows
/// they leave at zero.
async fn take_back_tallies<DB>(
    conn: &mut DB::Connection,
    org_id: i64,
    events: &[AuditEvent],
) -> StoreResult<()>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> &'a str: Encode<'a, DB> + Type<DB>,
{
    let mut hourly = HourlyTallies::default();
    let mut actors = ActorTallies::default();
    for event in events {
        hourly.add(event);
        actors.add(event);
    }
    for ((hour, action, category, result), n) in &hourly.by_action {
        let mut update = QueryBuilder::<DB>::new("UPDATE hourly_action_counts SET n = n - ");
        update
            .push_bind(*n)
            .push(" WHERE org_id = ")
            .push_bind(org_id)
            .push(" AND hour = ")
            .push_bind(*hour)
            .push(" AND action = ")
            .push_bind(action.as_str())
            .push(" AND category = ")
            .push_bind(category.as_str())
            .push(" AND result = ")
            .push_bind(*result);
        DB::execute(conn, update).await?;
    }
    for ((hour, label, id), n) in &hourly.by_actor {
        let mut update = QueryBuilder::<DB>::new("UPDATE hourly_actor_counts SET n = n - ");
        update
            .push_bind(*n)
            .push(" WHERE org_id = ")
            .push_bind(org_id)
            .push(" AND hour = ")
            .push_bind(*hour)
            .push(" AND actor_label = ")
            .push_bind(label.as_str())
            .push(" AND actor_id = ")
            .push_bind(id.as_str());
        DB::execute(conn, update).await?;
    }
    for actor in actors.into_rows() {
        let mut update = QueryBuilder::<DB>::new("UPDATE actors SET event_count = event_count - ");
        update
            .push_bind(actor.events)
            .push(" WHERE org_id = ")
            .push_bind(org_id)
            .push(" AND label = ")
            .push_bind(actor.label.as_str());
        DB::execute(conn, update).await?;
    }
    let hours = hourly.by_action.keys().map(|(hour, ..)| *hour);
    let (first_hour, last_hour) = (hours.clone().min(), hours.max());
    for table in ["hourly_action_counts", "hourly_actor_counts"] {
        let mut delete = QueryBuilder::<DB>::new(format!("DELETE FROM {table} WHERE org_id = "));
        delete
            .push_bind(org_id)
            .push(" AND n <= 0 AND hour >= ")
            .push_bind(first_hour.unwrap_or_default())
            .push(" AND hour <= ")
            .push_bind(last_hour.unwrap_or_default());
        DB::execute(conn, delete).await?;
    }
    let mut delete = QueryBuilder::<DB>::new("DELETE FROM actors WHERE org_id = ");
    delete.push_bind(org_id).push(" AND event_count <= 0");
    DB::execute(conn, delete).await?;
    Ok(())
}

fn purge_record(
    (first_seq, through_seq, through_hash, archive, archive_sha256, purged_at): PurgeRow,
) -> StoreResult<PurgeRecord> {
    Ok(PurgeRecord {
        first_seq,
        through_seq,
        through_hash,
        archive,
        archive_sha256,
        purged_at: Utc
            .timestamp_micros(purged_at)
            .single()
            .ok_or_else(|| StoreError::Corrupt(format!("purge time {purged_at}")))?,
    })
}
