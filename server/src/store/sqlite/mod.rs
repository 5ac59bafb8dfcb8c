//! The SQLite implementation of [`EventStore`]: one file in WAL mode, writes serialised by
//! `BEGIN IMMEDIATE` so the chain head is read and advanced by one writer at a time.

mod checkpoint;
mod events;

use super::chain_reads::{self, head_query};
use super::filter_sql::Read;
use super::pool_guard::released_outside_transaction;
use super::{index_reads, log};
use super::{
    AppendOutcomes, AppendRequest, ChainLink, ChainTotals, EventStore, IndexLag, StoreResult,
    TailCache, TalliedHead, WriteGate,
};
use app::model::{AuditEvent, Cursor, EventFilter};
use async_trait::async_trait;
use checkpoint::Checkpointer;
use chrono::{DateTime, Utc};
use events::DIALECT;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::ConnectOptions;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// How long a statement waits for another connection's lock before it fails.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Connections for reads.
const READERS: u32 = 8;

/// Connections for writes: the one whose turn it is, and one for the write-ahead log's
/// checkpoints and a writer about to queue.
const WRITERS: u32 = 2;

/// A chunk of the log as one text, for [`chain_reads::chain_links`]: in the order of the primary
/// key the range is read through (an `ORDER BY` here would copy every row into a sorter first);
/// a chunk that comes out in another order is read again row by row.
const SQLITE_JOINED: &str = "group_concat(seq || char(31) || hash || char(31) || data, char(30))";

/// Auditrail's data in one SQLite database.
#[derive(Clone)]
pub struct SqliteStore {
    /// The readers' connections.
    pool: SqlitePool,
    /// The writers' connections: SQLite writes one transaction at a time, and a writer whose
    /// turn at the gate came must not then wait behind every queued read for a connection
    /// (under a read-heavy load that wait held the gate, and so the indexer, for seconds).
    writer: SqlitePool,
    /// Where its write transactions wait for their turn.
    gate: WriteGate,
    /// The decoded events beyond the index's position, shared by the reads.
    tail: Arc<TailCache>,
    /// Keeps the write-ahead log short while the store is open.
    _checkpointer: Arc<Checkpointer>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at a `sqlite://` URL.
    pub async fn connect(url: &str, gate: WriteGate) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            // A multi-row insert's statement journal in memory, not in a temporary file.
            .pragma("temp_store", "memory")
            .log_slow_statements(log::SLOW_STATEMENT_LEVEL, log::SLOW_STATEMENT);
        let connect = |connections| {
            SqlitePoolOptions::new()
                .max_connections(connections)
                .after_release(|conn, meta| Box::pin(released_outside_transaction(conn, meta)))
                .connect_with(options.clone())
        };
        let pool = connect(READERS).await?;
        let writer = connect(WRITERS).await?;
        let checkpointer = Arc::new(Checkpointer::start(writer.clone(), gate.clone()));
        Ok(Self {
            pool,
            writer,
            gate,
            tail: Arc::default(),
            _checkpointer: checkpointer,
        })
    }

    /// The readers' connection pool, for the stores that share the database.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The writers' connection pool, for the stores that share the database.
    pub fn writer(&self) -> &SqlitePool {
        &self.writer
    }
}

/// Unix microseconds, the stored form of every time.
fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

#[async_trait]
impl EventStore for SqliteStore {
    async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    async fn append_all(&self, requests: Vec<AppendRequest>) -> StoreResult<AppendOutcomes> {
        log::append_all(&self.writer, &self.gate, requests).await
    }

    async fn list_events(
        &self,
        org_id: i64,
        filter: &EventFilter,
        cursor: Option<&Cursor>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>> {
        let read = Read::Keyset { cursor, limit };
        index_reads::events(&self.pool, &self.tail, &DIALECT, org_id, filter, read).await
    }

    async fn list_events_after_seq(
        &self,
        org_id: i64,
        filter: &EventFilter,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>> {
        let read = Read::AfterSeq {
            after: after_seq,
            limit,
        };
        index_reads::events(&self.pool, &self.tail, &DIALECT, org_id, filter, read).await
    }

    async fn histogram(
        &self,
        org_id: i64,
        filter: &EventFilter,
        bucket_micros: i64,
    ) -> StoreResult<Vec<(i64, i64, i64)>> {
        index_reads::histogram(
            &self.pool,
            &self.tail,
            &DIALECT,
            org_id,
            filter,
            bucket_micros,
        )
        .await
    }

    async fn count_events(&self, org_id: i64, filter: &EventFilter) -> StoreResult<u64> {
        index_reads::count(&self.pool, &self.tail, &DIALECT, org_id, filter).await
    }

    async fn event_by_id(&self, org_id: i64, id: &str) -> StoreResult<Option<AuditEvent>> {
        log::event_by_id(&self.pool, org_id, id).await
    }

    async fn head_seq(&self, org_id: i64) -> StoreResult<i64> {
        log::head_seq(&self.pool, org_id).await
    }

    async fn chain_links(
        &self,
        org_id: i64,
        after: i64,
        until: i64,
        limit: u32,
    ) -> StoreResult<Vec<ChainLink>> {
        chain_reads::chain_links(
            &self.pool,
            Some(SQLITE_JOINED),
            (org_id, after, until, limit),
        )
        .await
    }

    async fn stored_events(
        &self,
        org_id: i64,
        after: i64,
        until: i64,
        limit: u32,
    ) -> StoreResult<Vec<String>> {
        chain_reads::stored_events(&self.pool, (org_id, after, until, limit)).await
    }

    async fn chain_head(&self, org_id: i64) -> StoreResult<Option<TalliedHead>> {
        let mut query = head_query::<sqlx::Sqlite>(org_id);
        Ok(query.build_query_as().fetch_optional(&self.pool).await?)
    }

    fn connections(&self) -> (u32, usize) {
        let (readers, writers) = (&self.pool, &self.writer);
        (
            readers.size() + writers.size(),
            readers.num_idle() + writers.num_idle(),
        )
    }

    async fn index_lag(&self) -> StoreResult<Vec<IndexLag>> {
        log::index_lag(&self.pool).await
    }

    async fn chain_totals(&self) -> StoreResult<ChainTotals> {
        log::chain_totals(&self.pool).await
    }

    async fn index_events(
        &self,
        org_id: i64,
        after: i64,
        events: &[AuditEvent],
    ) -> StoreResult<bool> {
        log::index_events(&self.writer, &self.gate, &self.tail, org_id, after, events).await
    }

    fn tail_events_kept(&self) -> usize {
        self.tail.events_kept()
    }
}
