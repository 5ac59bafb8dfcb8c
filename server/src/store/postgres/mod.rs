//! The PostgreSQL implementation of [`EventStore`]: events in monthly range partitions, batches
//! appended with one `UNNEST` insert, and the chain head row locked per organization so several
//! server processes keep `seq` gap-free and the chain intact.

mod events;
mod partitions;

use super::chain_reads::{head_query, links_query};
use super::filter_sql::Read;
use super::hourly_counts::{sum_query, CountTable};
use super::{ChainLink, EventDraft, EventStore, StoreResult, TalliedHead};
use app::model::{AuditEvent, Criteria, Cursor, EventFilter};
use async_trait::async_trait;
use chrono::Utc;
use sqlx::postgres::{PgPool, PgPoolOptions};

/// Auditrail's data in one PostgreSQL database.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to the database at a `postgres://` URL.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect(url)
            .await?;
        Ok(Self { pool })
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
        let mut query = sum_query::<sqlx::Postgres>(org_id, table, from_hour, until_hour, criteria);
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
        let mut query = links_query::<sqlx::Postgres>(org_id, after, until, limit);
        Ok(query.build_query_as().fetch_all(&self.pool).await?)
    }

    async fn chain_head(&self, org_id: i64) -> StoreResult<Option<TalliedHead>> {
        let mut query = head_query::<sqlx::Postgres>(org_id);
        Ok(query.build_query_as().fetch_optional(&self.pool).await?)
    }
}
