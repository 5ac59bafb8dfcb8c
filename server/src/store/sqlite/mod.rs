//! The SQLite implementation of [`EventStore`]: one file in WAL mode, writes serialised by
//! `BEGIN IMMEDIATE` so the chain head is read and advanced by one writer at a time.

mod events;

use super::chain_reads::{head_query, links_query};
use super::filter_sql::Read;
use super::hourly_counts::{sum_query, CountTable};
use super::{ChainLink, EventDraft, EventStore, StoreResult, TalliedHead};
use app::model::{AuditEvent, Criteria, Cursor, EventFilter};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

/// Auditrail's data in one SQLite database.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at a `sqlite://` URL.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Self { pool })
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

    async fn append_events(
        &self,
        org_id: i64,
        batch: Vec<EventDraft>,
    ) -> StoreResult<Vec<AuditEvent>> {
        events::append(&self.pool, org_id, batch).await
    }

    async fn list_events(
        &self,
        org_id: i64,
        filter: &EventFilter,
        cursor: Option<&Cursor>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>> {
        events::read(&self.pool, org_id, filter, Read::Keyset { cursor, limit }).await
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
        events::read(&self.pool, org_id, filter, read).await
    }

    async fn histogram(
        &self,
        org_id: i64,
        filter: &EventFilter,
        bucket_micros: i64,
    ) -> StoreResult<Vec<(i64, i64, i64)>> {
        events::histogram(&self.pool, org_id, filter, bucket_micros).await
    }

    async fn count_scanned(&self, org_id: i64, filter: &EventFilter) -> StoreResult<u64> {
        events::count(&self.pool, org_id, filter).await
    }

    async fn sum_hourly(
        &self,
        org_id: i64,
        table: CountTable,
        from_hour: Option<i64>,
        until_hour: Option<i64>,
        criteria: &Criteria,
    ) -> StoreResult<u64> {
        let mut query = sum_query::<sqlx::Sqlite>(org_id, table, from_hour, until_hour, criteria);
        let (n,): (i64,) = query.build_query_as().fetch_one(&self.pool).await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn event_by_id(&self, org_id: i64, id: &str) -> StoreResult<Option<AuditEvent>> {
        events::by_id(&self.pool, org_id, id).await
    }

    async fn head_seq(&self, org_id: i64) -> StoreResult<i64> {
        events::head_seq(&self.pool, org_id).await
    }

    async fn chain_links(
        &self,
        org_id: i64,
        after: i64,
        until: i64,
        limit: u32,
    ) -> StoreResult<Vec<ChainLink>> {
        let mut query = links_query::<sqlx::Sqlite>(org_id, after, until, limit);
        Ok(query.build_query_as().fetch_all(&self.pool).await?)
    }

    async fn chain_head(&self, org_id: i64) -> StoreResult<Option<TalliedHead>> {
        let mut query = head_query::<sqlx::Sqlite>(org_id);
        Ok(query.build_query_as().fetch_optional(&self.pool).await?)
    }
}
