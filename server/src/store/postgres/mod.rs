//! The PostgreSQL implementation of [`EventStore`]: events in monthly range partitions, batches
//! appended with one `UNNEST` insert, and the chain head row locked per organization so several
//! server processes keep `seq` gap-free and the chain intact.

mod events;
mod partitions;

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
use chrono::Utc;
use events::DIALECT;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::ConnectOptions;
use std::str::FromStr;
use std::sync::Arc;

/// Auditrail's data in one PostgreSQL database.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// Where its write transactions wait for their turn.
    gate: WriteGate,
    /// The decoded events beyond the index's position, shared by the reads.
    tail: Arc<TailCache>,
}

impl PostgresStore {
    /// Connects to the database at a `postgres://` URL.
    pub async fn connect(url: &str, gate: WriteGate) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)?
            .log_slow_statements(log::SLOW_STATEMENT_LEVEL, log::SLOW_STATEMENT);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .after_release(|conn, meta| Box::pin(released_outside_transaction(conn, meta)))
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            gate,
            tail: Arc::default(),
        })
    }

    /// The connection pool, for the stores that share the database.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The pool writes go through: the same (PostgreSQL locks rows, and writers do not queue).
    pub fn writer(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl EventStore for PostgresStore {
    async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations/postgres")
            .run(&self.pool)
            .await?;
        partitions::ensure_ahead(&self.pool, Utc::now()).await
    }

    async fn append_all(&self, requests: Vec<AppendRequest>) -> StoreResult<AppendOutcomes> {
        log::append_all(&self.pool, &self.gate, requests).await
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
        // Rows stream cheaply from PostgreSQL; a chunk joined into one text there is no faster.
        chain_reads::chain_links(&self.pool, None, (org_id, after, until, limit)).await
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
        let mut query = head_query::<sqlx::Postgres>(org_id);
        Ok(query.build_query_as().fetch_optional(&self.pool).await?)
    }

    fn connections(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
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
        log::index_events(&self.pool, &self.gate, &self.tail, org_id, after, events).await
    }

    fn tail_events_kept(&self) -> usize {
        self.tail.events_kept()
    }
}
