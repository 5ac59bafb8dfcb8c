//! The reads of an [`EventFilter`] (list, collector poll, count, histogram) for either
//! database, each in one snapshot: the index answers for the events up to its position and
//! [`Tail`] adds the ones beyond it, so every answer is exact however far the indexer is behind.

use super::filter_sql::{
    ip_density_query, read_query, time_density_query, Dialect, Hints, Read, DENSE_IP_MATCHES,
    SPARSE_TIME_MATCHES, UNINDEXED_SEQ,
};
use super::hourly_counts::{actor_pairs_query, exact_actor_ids, plan, sum_query, CountPlan};
use super::log::{self, Answer, LogDatabase};
use super::tail::Tail;
use super::{decode_event, StoreResult, TailCache};
use app::model::{AuditEvent, EventFilter};
use sqlx::{Encode, Pool, QueryBuilder, Transaction, Type};

/// The matching events of a list or collector read.
pub async fn events<DB, T>(
    pool: &Pool<DB>,
    cache: &TailCache,
    dialect: &Dialect<T>,
    org_id: i64,
    filter: &EventFilter,
    read: Read<'_>,
) -> StoreResult<Vec<AuditEvent>>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> String: Encode<'a, DB> + Type<DB>,
    for<'a> Vec<u8>: Encode<'a, DB> + Type<DB>,
    for<'a> T: Encode<'a, DB> + Type<DB> + 'a,
    (i64,): Answer<DB>,
    (String,): Answer<DB>,
    (String, String): Answer<DB>,
    (i64, i64, i64): Answer<DB>,
{
    let mut tx = log::snapshot(pool).await?;
    let hints = hints(&mut tx, dialect, org_id, filter, read).await?;
    let query = read_query(dialect, org_id, filter, read, &hints);
    let rows: Vec<(String,)> = DB::fetch_all(&mut *tx, query).await?;
    let indexed = rows
        .iter()
        .map(|(data,)| decode_event(data))
        .collect::<StoreResult<Vec<_>>>()?;
    let tail = log::tail(&mut tx, cache, org_id, filter).await?;
    Ok(match read {
        Read::Keyset { cursor, limit } => tail.keyset(indexed, cursor, limit),
        Read::AfterSeq { after, limit } => tail.after_seq(indexed, after, limit),
        Read::Count | Read::Histogram { .. } => indexed,
    })
}

/// How many events match: the index's part from the hourly counts where they can answer it
/// (see [`plan`]), else counted from the index, and the tail's.
pub async fn count<DB, T>(
    pool: &Pool<DB>,
    cache: &TailCache,
    dialect: &Dialect<T>,
    org_id: i64,
    filter: &EventFilter,
) -> StoreResult<u64>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> String: Encode<'a, DB> + Type<DB>,
    for<'a> Vec<u8>: Encode<'a, DB> + Type<DB>,
    for<'a> T: Encode<'a, DB> + Type<DB> + 'a,
    (i64,): Answer<DB>,
    (String,): Answer<DB>,
    (String, String): Answer<DB>,
    (i64, i64, i64): Answer<DB>,
{
    let mut tx = log::snapshot(pool).await?;
    let tail = log::tail(&mut tx, cache, org_id, filter).await?;
    let indexed = match plan(filter) {
        CountPlan::Everything => tail.position - log::purged_through(&mut tx, org_id).await?,
        CountPlan::Scan => counted(&mut tx, dialect, org_id, filter).await?,
        CountPlan::Hourly {
            table,
            from_hour,
            until_hour,
            edges,
        } => {
            let sum = sum_query(org_id, table, from_hour, until_hour, &filter.include);
            let mut total = one_number(&mut tx, sum).await?;
            for edge in &edges {
                total += counted(&mut tx, dialect, org_id, edge).await?;
            }
            total
        }
    };
    Ok(tail.count(u64::try_from(indexed).unwrap_or(0)))
}

/// Matching events per `bucket_micros` of `occurred_at`, see [`super::EventStore::histogram`].
pub async fn histogram<DB, T>(
    pool: &Pool<DB>,
    cache: &TailCache,
    dialect: &Dialect<T>,
    org_id: i64,
    filter: &EventFilter,
    bucket_micros: i64,
) -> StoreResult<Vec<(i64, i64, i64)>>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> String: Encode<'a, DB> + Type<DB>,
    for<'a> Vec<u8>: Encode<'a, DB> + Type<DB>,
    for<'a> T: Encode<'a, DB> + Type<DB> + 'a,
    (i64,): Answer<DB>,
    (String,): Answer<DB>,
    (String, String): Answer<DB>,
    (i64, i64, i64): Answer<DB>,
{
    let mut tx = log::snapshot(pool).await?;
    let read = Read::Histogram { bucket_micros };
    let hints = hints(&mut tx, dialect, org_id, filter, read).await?;
    let query = read_query(dialect, org_id, filter, read, &hints);
    let indexed: Vec<(i64, i64, i64)> = DB::fetch_all(&mut *tx, query).await?;
    let tail = log::tail(&mut tx, cache, org_id, filter).await?;
    Ok(Tail::histogram(tail, indexed, bucket_micros))
}

/// How many indexed events match, counted from the index.
async fn counted<DB, T>(
    tx: &mut Transaction<'_, DB>,
    dialect: &Dialect<T>,
    org_id: i64,
    filter: &EventFilter,
) -> StoreResult<i64>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> String: Encode<'a, DB> + Type<DB>,
    for<'a> Vec<u8>: Encode<'a, DB> + Type<DB>,
    for<'a> T: Encode<'a, DB> + Type<DB> + 'a,
    (i64,): Answer<DB>,
    (String,): Answer<DB>,
    (String, String): Answer<DB>,
    (i64, i64, i64): Answer<DB>,
{
    let hints = hints(tx, dialect, org_id, filter, Read::Count).await?;
    let query = read_query(dialect, org_id, filter, Read::Count, &hints);
    one_number(tx, query).await
}

/// The hints for `read` of `filter`: its actors resolved to ids; for a newest-first read,
/// whether its IP ranges are dense (at least [`DENSE_IP_MATCHES`] events); for a read in `seq`
/// order, whether its time window is sparse (under [`SPARSE_TIME_MATCHES`] events).
pub(super) async fn hints<DB, T>(
    tx: &mut Transaction<'_, DB>,
    dialect: &Dialect<T>,
    org_id: i64,
    filter: &EventFilter,
    read: Read<'_>,
) -> StoreResult<Hints>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> String: Encode<'a, DB> + Type<DB>,
    for<'a> Vec<u8>: Encode<'a, DB> + Type<DB>,
    for<'a> T: Encode<'a, DB> + Type<DB> + 'a,
    (i64,): Answer<DB>,
    (String, String): Answer<DB>,
{
    let mut hints = Hints::default();
    let actors = &filter.include.actors;
    if !actors.is_empty() {
        let query = actor_pairs_query(org_id, actors);
        let pairs: Vec<(String, String)> = DB::fetch_all(&mut **tx, query).await?;
        hints.actor_ids = exact_actor_ids(pairs, actors);
    }
    let newest_first = matches!(read, Read::Keyset { .. });
    if let Some(probe) = ip_density_query::<DB>(org_id, filter).filter(|_| newest_first) {
        let n = one_number(tx, probe).await?;
        if n >= DENSE_IP_MATCHES {
            hints.ip_column = dialect.unindexed_ip;
        }
    }
    let in_seq_order = matches!(read, Read::AfterSeq { .. });
    if let Some(probe) = time_density_query(dialect, org_id, filter).filter(|_| in_seq_order) {
        let n = one_number(tx, probe).await?;
        if n < SPARSE_TIME_MATCHES {
            hints.seq_column = UNINDEXED_SEQ;
        }
    }
    Ok(hints)
}

/// The one number a `COUNT` or `SUM` query answers.
async fn one_number<'e, DB: LogDatabase>(
    tx: &'e mut Transaction<'_, DB>,
    query: QueryBuilder<'e, DB>,
) -> StoreResult<i64>
where
    (i64,): Answer<DB>,
{
    let row: Option<(i64,)> = DB::fetch_optional(&mut **tx, query).await?;
    Ok(row.map_or(0, |(n,)| n))
}
