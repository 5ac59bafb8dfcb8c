//! The event log itself, one SQL for both databases: appends (many requests in one
//! transaction), the snapshot every read sees, the tail of events the indexer has not reached,
//! and the indexer's positions. What differs per database is only how a transaction begins, how
//! a row is held until commit and how the log's new rows are written ([`LogDatabase`]).

use super::pool_guard;
use super::tail::Tail;
use super::{decode_event, ChainTotals, EventDraft, IndexLag, StoreResult, TailCache, WriteGate};
use crate::chain::{self, ChainHead, LinkedBatch, Originals};
use app::model::{AuditEvent, EventFilter};
use chrono::{SubsecRound, Utc};
use futures::future::BoxFuture;
use sqlx::{
    Database, Encode, FromRow, PgConnection, Pool, Postgres, QueryBuilder, Sqlite,
    SqliteConnection, Transaction, Type,
};
use std::collections::HashMap;
use std::sync::Arc;

/// What each database does its own way: how the log's transactions begin, and running a
/// query (written once, below, for both). A query built with a [`QueryBuilder`] runs once and is
/// not kept prepared: its text changes with its data (a multi-row `INSERT` with its row count, an
/// `IN` list with its length), and each connection's cache of 100 prepared statements kept up to
/// 100 of them, each as large as its thousands of parameters (under the 5-minute load test the
/// SQLite server's RSS grew by ~100 MiB as new row counts came).
pub trait LogDatabase: Database {
    /// Begins a transaction that appends or indexes: it must hold what it reads of the chain
    /// heads and index positions until it commits.
    const BEGIN_WRITE: &'static str;
    /// Follows a `SELECT` of a chain head or an index position to hold the row until commit.
    const HOLD_ROW: &'static str;
    /// Begins a read-only transaction that sees one snapshot throughout.
    const BEGIN_SNAPSHOT: &'static str;
    /// Writes new rows of the organization's log.
    fn insert_log<'e>(
        conn: &'e mut Self::Connection,
        org_id: i64,
        rows: &'e [LogRow<'e>],
    ) -> BoxFuture<'e, sqlx::Result<()>>;
    /// Runs a statement.
    fn execute<'e>(
        conn: &'e mut Self::Connection,
        query: QueryBuilder<'e, Self>,
    ) -> BoxFuture<'e, sqlx::Result<()>>;
    /// Every row a query answers.
    fn fetch_all<'e, R: Answer<Self> + 'e>(
        conn: &'e mut Self::Connection,
        query: QueryBuilder<'e, Self>,
    ) -> BoxFuture<'e, sqlx::Result<Vec<R>>>;
    /// The first row a query answers, if any.
    fn fetch_optional<'e, R: Answer<Self> + 'e>(
        conn: &'e mut Self::Connection,
        query: QueryBuilder<'e, Self>,
    ) -> BoxFuture<'e, sqlx::Result<Option<R>>>;
}

/// A row type a query can answer on `DB`.
pub trait Answer<DB: Database>: for<'r> FromRow<'r, DB::Row> + Send + Unpin {}

impl<DB: Database, R: for<'r> FromRow<'r, DB::Row> + Send + Unpin> Answer<DB> for R {}

/// Implements [`LogDatabase`] for a database with sqlx's own executors.
macro_rules! log_database {
    (
        $db:ty,
        begin_write: $write:expr,
        hold_row: $hold:expr,
        begin_snapshot: $snapshot:expr,
        insert_log: $insert:ident
    ) => {
        impl LogDatabase for $db {
            const BEGIN_WRITE: &'static str = $write;
            const HOLD_ROW: &'static str = $hold;
            const BEGIN_SNAPSHOT: &'static str = $snapshot;

            fn insert_log<'e>(
                conn: &'e mut <$db as Database>::Connection,
                org_id: i64,
                rows: &'e [LogRow<'e>],
            ) -> BoxFuture<'e, sqlx::Result<()>> {
                Box::pin($insert(conn, org_id, rows))
            }

            fn execute<'e>(
                conn: &'e mut <$db as Database>::Connection,
                mut query: QueryBuilder<'e, Self>,
            ) -> BoxFuture<'e, sqlx::Result<()>> {
                Box::pin(async move {
                    let once = query.build().persistent(false);
                    once.execute(conn).await.map(|_| ())
                })
            }

            fn fetch_all<'e, R: Answer<Self> + 'e>(
                conn: &'e mut <$db as Database>::Connection,
                mut query: QueryBuilder<'e, Self>,
            ) -> BoxFuture<'e, sqlx::Result<Vec<R>>> {
                Box::pin(async move {
                    let once = query.build_query_as().persistent(false);
                    once.fetch_all(conn).await
                })
            }

            fn fetch_optional<'e, R: Answer<Self> + 'e>(
                conn: &'e mut <$db as Database>::Connection,
                mut query: QueryBuilder<'e, Self>,
            ) -> BoxFuture<'e, sqlx::Result<Option<R>>> {
                Box::pin(async move {
                    let once = query.build_query_as().persistent(false);
                    once.fetch_optional(conn).await
                })
            }
        }
    };
}

// SQLite has one writer at a time (its write lock holds every row), and a WAL read
// transaction keeps the snapshot of its first read.
log_database!(
    Sqlite,
    begin_write: "BEGIN IMMEDIATE",
    hold_row: "",
    begin_snapshot: "BEGIN",
    insert_log: insert_log_values
);
log_database!(
    Postgres,
    begin_write: "BEGIN",
    hold_row: " FOR UPDATE",
    begin_snapshot: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
    insert_log: insert_log_unnest
);

/// One new row of the log.
pub struct LogRow<'a> {
    pub seq: i64,
    pub id: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub content_hash: Option<&'a str>,
    pub hash: &'a str,
    /// The event as the API answers it, stored once.
    pub data: &'a str,
}

/// SQLite: multi-row `INSERT`s of [`INSERT_ROWS`] rows, run once each.
async fn insert_log_values(
    conn: &mut SqliteConnection,
    org_id: i64,
    rows: &[LogRow<'_>],
) -> sqlx::Result<()> {
    for rows in rows.chunks(INSERT_ROWS) {
        let mut query = QueryBuilder::<Sqlite>::new(
            "INSERT INTO event_log (org_id, seq, id, idempotency_key, content_hash, hash, data) ",
        );
        query.push_values(rows, |mut row, r| {
            row.push_bind(org_id)
                .push_bind(r.seq)
                .push_bind(r.id)
                .push_bind(r.idempotency_key)
                .push_bind(r.content_hash)
                .push_bind(r.hash)
                .push_bind(r.data);
        });
        Sqlite::execute(&mut *conn, query).await?;
    }
    Ok(())
}

/// PostgreSQL: one `INSERT … SELECT FROM UNNEST` of column arrays. Its text is the same for any
/// number of rows, so it stays prepared and planned once per connection (a multi-row `VALUES`
/// run once was parsed and planned afresh for every commit, which cost the burst a third of its
/// rate; BENCHMARKS.md).
async fn insert_log_unnest<'a>(
    conn: &mut PgConnection,
    org_id: i64,
    rows: &[LogRow<'a>],
) -> sqlx::Result<()> {
    let column = |f: fn(&LogRow<'a>) -> &'a str| rows.iter().map(f).collect::<Vec<_>>();
    let optional = |f: fn(&LogRow<'a>) -> Option<&'a str>| rows.iter().map(f).collect::<Vec<_>>();
    sqlx::query(
        "INSERT INTO event_log (org_id, seq, id, idempotency_key, content_hash, hash, data)
         SELECT $1, * FROM UNNEST($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
                                  $7::text[])",
    )
    .bind(org_id)
    .bind(rows.iter().map(|r| r.seq).collect::<Vec<_>>())
    .bind(column(|r| r.id))
    .bind(optional(|r| r.idempotency_key))
    .bind(optional(|r| r.content_hash))
    .bind(column(|r| r.hash))
    .bind(column(|r| r.data))
    .execute(conn)
    .await?;
    Ok(())
}

/// A statement slower than this is logged (at [`SLOW_STATEMENT_LEVEL`]). The indexer's
/// chunk of 10,000 events legitimately takes a second or two on PostgreSQL; sqlx's default of one
/// second would warn about every chunk.
pub const SLOW_STATEMENT: std::time::Duration = std::time::Duration::from_secs(10);

/// The level slow statements are logged at.
pub const SLOW_STATEMENT_LEVEL: tracing::log::LevelFilter = tracing::log::LevelFilter::Warn;

/// Rows of the log per `INSERT` (7 parameters each, under both databases' limits).
const INSERT_ROWS: usize = 1000;

/// One request's batch for [`append_all`].
pub type AppendRequest = (i64, Vec<EventDraft>);

/// The outcome of each request of [`append_all`], in request order.
pub type AppendOutcomes = Vec<StoreResult<Vec<AuditEvent>>>;

/// Appends every request's batch in one transaction, each linked into its organization's chain
/// after the requests before it. A request that cannot be linked (an idempotency key reused
/// with other content) fails alone, having written nothing; a database failure fails them all
/// (`Err`), having written nothing.
pub async fn append_all<DB>(
    pool: &Pool<DB>,
    gate: &WriteGate,
    requests: Vec<AppendRequest>,
) -> StoreResult<AppendOutcomes>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> String: Encode<'a, DB> + Type<DB>,
    for<'a> Option<String>: Encode<'a, DB> + Type<DB>,
    (i64, String): Answer<DB>,
    (String, Option<String>, String): Answer<DB>,
{
    let _turn = gate.enter().await;
    let mut tx = pool_guard::begin(pool, DB::BEGIN_WRITE).await?;
    let received_at = Utc::now().trunc_subsecs(6);
    let mut heads: HashMap<i64, ChainHead> = HashMap::new();
    let mut outcomes = Vec::with_capacity(requests.len());
    for (org_id, batch) in requests {
        let head = match heads.remove(&org_id) {
            Some(head) => head,
            None => held_head(&mut tx, org_id).await?,
        };
        let originals = originals(&mut tx, org_id, &batch).await?;
        match chain::link(head.clone(), batch, originals, received_at) {
            Ok(linked) => {
                insert(&mut tx, org_id, &linked).await?;
                heads.insert(org_id, linked.head);
                outcomes.push(Ok(linked.events));
            }
            Err(refused) => {
                heads.insert(org_id, head);
                outcomes.push(Err(refused));
            }
        }
    }
    for (org_id, head) in heads {
        let mut upsert =
            QueryBuilder::<DB>::new("INSERT INTO chain_heads (org_id, seq, hash) VALUES (");
        upsert
            .push_bind(org_id)
            .push(", ")
            .push_bind(head.seq)
            .push(", ")
            .push_bind(head.hash)
            .push(
                ") ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash \
                 WHERE chain_heads.seq < excluded.seq",
            );
        DB::execute(&mut *tx, upsert).await?;
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// The organization's chain head, held until the transaction ends.
async fn held_head<DB>(tx: &mut Transaction<'_, DB>, org_id: i64) -> StoreResult<ChainHead>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> String: Encode<'a, DB> + Type<DB>,
    (i64, String): Answer<DB>,
{
    let mut query = QueryBuilder::<DB>::new("SELECT seq, hash FROM chain_heads WHERE org_id = ");
    query.push_bind(org_id).push(DB::HOLD_ROW);
    let head: Option<(i64, String)> = DB::fetch_optional(&mut **tx, query).await?;
    Ok(head.map_or_else(ChainHead::genesis, |(seq, hash)| ChainHead { seq, hash }))
}

/// The originals of the batch's idempotency keys that were stored before.
async fn originals<DB>(
    tx: &mut Transaction<'_, DB>,
    org_id: i64,
    batch: &[EventDraft],
) -> StoreResult<Originals>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> String: Encode<'a, DB> + Type<DB>,
    for<'a> Option<String>: Type<DB>,
    (String, Option<String>, String): Answer<DB>,
{
    let keys: Vec<&String> = batch
        .iter()
        .filter_map(|d| d.event.idempotency_key.as_ref())
        .collect();
    if keys.is_empty() {
        return Ok(Originals::new());
    }
    let mut query = QueryBuilder::<DB>::new(
        "SELECT idempotency_key, content_hash, data FROM event_log WHERE org_id = ",
    );
    query.push_bind(org_id).push(" AND idempotency_key IN (");
    let mut list = query.separated(", ");
    for key in keys {
        list.push_bind(key.clone());
    }
    query.push(")");
    let found: Vec<(String, Option<String>, String)> = DB::fetch_all(&mut **tx, query).await?;
    found
        .into_iter()
        .map(|(key, hash, data)| Ok((key, (hash, decode_event(&data)?))))
        .collect()
}

/// Writes the new events of a linked batch to the log.
async fn insert<DB: LogDatabase>(
    tx: &mut Transaction<'_, DB>,
    org_id: i64,
    linked: &LinkedBatch,
) -> StoreResult<()> {
    let rows: Vec<LogRow<'_>> = linked
        .new
        .iter()
        .map(|(at, content_hash, stored)| {
            let event = &linked.events[*at];
            LogRow {
                seq: event.seq,
                id: &event.id,
                idempotency_key: event.idempotency_key.as_deref(),
                content_hash: content_hash.as_deref(),
                hash: &event.hash,
                data: stored,
            }
        })
        .collect();
    DB::insert_log(&mut **tx, org_id, &rows).await?;
    Ok(())
}

/// Begins a read of one snapshot: the index and the log as of one moment.
pub async fn snapshot<DB: LogDatabase>(pool: &Pool<DB>) -> StoreResult<Transaction<'static, DB>> {
    Ok(pool_guard::begin(pool, DB::BEGIN_SNAPSHOT).await?)
}

/// The events of the organization the index does not hold yet (above its position, up to the
/// snapshot's head), as `filter` keeps them: taken from `cache` and read from the log for the
/// rest, in `seq` order, and matched in memory.
pub async fn tail<DB>(
    tx: &mut Transaction<'_, DB>,
    cache: &TailCache,
    org_id: i64,
    filter: &EventFilter,
) -> StoreResult<Tail>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> String: Type<DB>,
    (i64,): Answer<DB>,
    (String,): Answer<DB>,
{
    let position = org_seq(&mut **tx, "index_positions", org_id).await?;
    let head = org_seq(&mut **tx, "chain_heads", org_id).await?;
    let mut events = cache.between(org_id, position, head);
    let read_from = events.last().map_or(position, |e| e.seq);
    if read_from < head {
        let mut query = QueryBuilder::<DB>::new("SELECT data FROM event_log WHERE org_id = ");
        query
            .push_bind(org_id)
            .push(" AND seq > ")
            .push_bind(read_from)
            .push(" AND seq <= ")
            .push_bind(head)
            .push(" ORDER BY seq");
        let rows: Vec<(String,)> = DB::fetch_all(&mut **tx, query).await?;
        let fresh = rows
            .iter()
            .map(|(data,)| decode_event(data).map(Arc::new))
            .collect::<StoreResult<Vec<_>>>()?;
        cache.keep(org_id, position, &fresh);
        events.extend(fresh);
    }
    events.retain(|event| filter.matches(event));
    Ok(Tail { position, events })
}

/// The organization's `seq` in `table` (`index_positions`, `chain_heads`), 0 without a row.
async fn org_seq<DB>(conn: &mut DB::Connection, table: &str, org_id: i64) -> StoreResult<i64>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    (i64,): Answer<DB>,
{
    let mut query = QueryBuilder::<DB>::new(format!("SELECT seq FROM {table} WHERE org_id = "));
    query.push_bind(org_id);
    let seq: Option<(i64,)> = DB::fetch_optional(conn, query).await?;
    Ok(seq.map_or(0, |(seq,)| seq))
}

/// The last `seq` of the organization that retention purged (0 when none was).
pub async fn purged_through<DB>(tx: &mut Transaction<'_, DB>, org_id: i64) -> StoreResult<i64>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    (i64,): Answer<DB>,
{
    let mut query =
        QueryBuilder::<DB>::new("SELECT COALESCE(MAX(through_seq), 0) FROM purges WHERE org_id = ");
    query.push_bind(org_id);
    let purged: Option<(i64,)> = DB::fetch_optional(&mut **tx, query).await?;
    Ok(purged.map_or(0, |(seq,)| seq))
}

/// One event of the organization by id.
pub async fn event_by_id<DB>(
    pool: &Pool<DB>,
    org_id: i64,
    id: &str,
) -> StoreResult<Option<AuditEvent>>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> String: Encode<'a, DB> + Type<DB>,
    (String,): Answer<DB>,
{
    let mut conn = pool.acquire().await?;
    let mut query = QueryBuilder::<DB>::new("SELECT data FROM event_log WHERE org_id = ");
    query
        .push_bind(org_id)
        .push(" AND id = ")
        .push_bind(id.to_owned());
    let data: Option<(String,)> = DB::fetch_optional(&mut conn, query).await?;
    data.map(|(data,)| decode_event(&data)).transpose()
}

/// How many organizations have a chain, and how many events their chains hold in all.
pub async fn chain_totals<DB>(pool: &Pool<DB>) -> StoreResult<ChainTotals>
where
    DB: LogDatabase,
    (i64, i64): Answer<DB>,
{
    let mut conn = pool.acquire().await?;
    let query = QueryBuilder::<DB>::new(
        "SELECT COUNT(*), CAST(COALESCE(SUM(seq), 0) AS BIGINT) FROM chain_heads",
    );
    let totals: Option<(i64, i64)> = DB::fetch_optional(&mut conn, query).await?;
    let (chains, events) = totals.unwrap_or_default();
    Ok(ChainTotals { chains, events })
}

/// Every organization whose index is behind its chain head.
pub async fn index_lag<DB>(pool: &Pool<DB>) -> StoreResult<Vec<IndexLag>>
where
    DB: LogDatabase,
    for<'a> i64: Type<DB>,
    (i64, i64, i64): Answer<DB>,
{
    let mut conn = pool.acquire().await?;
    let query = QueryBuilder::<DB>::new(
        "SELECT h.org_id, h.seq, COALESCE(p.seq, 0) FROM chain_heads h \
         LEFT JOIN index_positions p ON p.org_id = h.org_id \
         WHERE h.seq > COALESCE(p.seq, 0) ORDER BY h.org_id",
    );
    let rows: Vec<(i64, i64, i64)> = DB::fetch_all(&mut conn, query).await?;
    Ok(rows
        .into_iter()
        .map(|(org_id, head, indexed)| IndexLag {
            org_id,
            head,
            indexed,
        })
        .collect())
}

/// How a database writes the index rows of a chunk of events (its bulk inserts differ).
pub trait IndexWriter: LogDatabase {
    /// Writes the index rows of `events` (their search columns, targets, free text, actors and
    /// hourly counts).
    fn write_index<'e>(
        conn: &'e mut Self::Connection,
        org_id: i64,
        events: &'e [AuditEvent],
    ) -> BoxFuture<'e, StoreResult<()>>;
}

/// Indexes `events` (the log's next events after `after`, in `seq` order) and advances the
/// organization's index position past them, atomically, then lets `cache` go of them; `false`
/// (and nothing written) when the position is no longer `after`.
pub async fn index_events<DB>(
    pool: &Pool<DB>,
    gate: &WriteGate,
    cache: &TailCache,
    org_id: i64,
    after: i64,
    events: &[AuditEvent],
) -> StoreResult<bool>
where
    DB: IndexWriter,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    (i64,): Answer<DB>,
{
    let _turn = gate.enter().await;
    let Some(mut tx) = begin_indexing(pool, org_id, after).await? else {
        return Ok(false);
    };
    DB::write_index(&mut tx, org_id, events).await?;
    let last = events.last().map_or(after, |e| e.seq);
    finish_indexing(tx, org_id, last).await?;
    cache.forget_indexed(org_id, last);
    Ok(true)
}

/// Begins indexing the organization's events after `after`: the write transaction, holding
/// its index position, or `None` when the position is no longer `after` (another indexer got
/// there first).
async fn begin_indexing<DB>(
    pool: &Pool<DB>,
    org_id: i64,
    after: i64,
) -> StoreResult<Option<Transaction<'static, DB>>>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    (i64,): Answer<DB>,
{
    let mut tx = pool_guard::begin(pool, DB::BEGIN_WRITE).await?;
    let mut insert = QueryBuilder::<DB>::new("INSERT INTO index_positions (org_id, seq) VALUES (");
    insert
        .push_bind(org_id)
        .push(", 0) ON CONFLICT (org_id) DO NOTHING");
    DB::execute(&mut *tx, insert).await?;
    let mut query = QueryBuilder::<DB>::new("SELECT seq FROM index_positions WHERE org_id = ");
    query.push_bind(org_id).push(DB::HOLD_ROW);
    let position: Option<(i64,)> = DB::fetch_optional(&mut *tx, query).await?;
    Ok((position == Some((after,))).then_some(tx))
}

/// Records in an indexing transaction that the organization is indexed up to `seq`, and
/// commits it.
async fn finish_indexing<DB>(
    mut tx: Transaction<'static, DB>,
    org_id: i64,
    seq: i64,
) -> StoreResult<()>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
{
    let mut update = QueryBuilder::<DB>::new("UPDATE index_positions SET seq = ");
    update
        .push_bind(seq)
        .push(" WHERE org_id = ")
        .push_bind(org_id);
    DB::execute(&mut *tx, update).await?;
    tx.commit().await?;
    Ok(())
}

/// The `seq` of the organization's latest event (0 before the first).
pub async fn head_seq<DB>(pool: &Pool<DB>, org_id: i64) -> StoreResult<i64>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    (i64,): Answer<DB>,
{
    let mut conn = pool.acquire().await?;
    org_seq(&mut conn, "chain_heads", org_id).await
}
