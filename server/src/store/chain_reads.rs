//! The reads of chain verification and export, one SQL for both databases: the log in `seq`
//! order and the chain head with the index's position and hourly tallies, in one statement so both come from one snapshot.

use super::log::{Answer, LogDatabase};
use super::{ChainLink, StoreResult};
use sqlx::{Database, Encode, Pool, QueryBuilder, Type};

/// Separates the rows of a chunk read as one text (ASCII record separator: JSON text never
/// holds it raw).
const ROW_SEPARATOR: char = '\x1e';
/// Separates a row's `seq`, `hash` and `data` (ASCII unit separator).
const FIELD_SEPARATOR: char = '\x1f';

/// The organization's events with `after < seq <= until`, in `seq` order, at most `limit`: read
/// as one text per chunk when `joined` says how the database aggregates `seq ␟ hash ␟ data` rows
/// with `␞` (sparing a driver that hands each row across threads, as SQLite's does), row by row
/// otherwise or when that text does not split into exactly the chunk's rows in `seq` order (a
/// row holding a separator, say).
pub async fn chain_links<DB>(
    pool: &Pool<DB>,
    joined: Option<&str>,
    (org_id, after, until, limit): (i64, i64, i64, u32),
) -> StoreResult<Vec<ChainLink>>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    (i64, Option<String>): Answer<DB>,
    ChainLink: Answer<DB>,
{
    let mut conn = pool.acquire().await?;
    if let Some(joined) = joined {
        let mut query = QueryBuilder::new(format!("SELECT COUNT(*), {joined} FROM event_log"));
        push_chunk(&mut query, org_id, after, until, limit);
        let chunk: Option<(i64, Option<String>)> = DB::fetch_optional(&mut conn, query).await?;
        if let Some(links) = chunk.and_then(|(rows, text)| split_links(rows, text.as_deref())) {
            return Ok(links);
        }
    }
    let mut query = QueryBuilder::new("SELECT seq, hash, data FROM event_log");
    push_chunk(&mut query, org_id, after, until, limit);
    query
        .push(" ORDER BY seq LIMIT ")
        .push_bind(i64::from(limit));
    Ok(DB::fetch_all(&mut conn, query).await?)
}

/// The stored JSON of the organization's events with `after < seq <= until`, in `seq` order, at
/// most `limit`, read row by row.
pub async fn stored_events<DB>(
    pool: &Pool<DB>,
    (org_id, after, until, limit): (i64, i64, i64, u32),
) -> StoreResult<Vec<String>>
where
    DB: LogDatabase,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    (String,): Answer<DB>,
{
    let mut conn = pool.acquire().await?;
    let mut query = QueryBuilder::new("SELECT data FROM event_log");
    push_chunk(&mut query, org_id, after, until, limit);
    query
        .push(" ORDER BY seq LIMIT ")
        .push_bind(i64::from(limit));
    let rows: Vec<(String,)> = DB::fetch_all(&mut conn, query).await?;
    Ok(rows.into_iter().map(|(data,)| data).collect())
}

/// The rows of a chunk's text, when it holds exactly `rows` of them, each `seq ␟ hash ␟ data`,
/// in ascending `seq` order.
fn split_links(rows: i64, text: Option<&str>) -> Option<Vec<ChainLink>> {
    let Some(text) = text else {
        return (rows == 0).then(Vec::new);
    };
    let mut last = i64::MIN;
    let links = text
        .split(ROW_SEPARATOR)
        .map(|row| {
            let mut fields = row.splitn(3, FIELD_SEPARATOR);
            let seq: i64 = fields.next()?.parse().ok()?;
            if seq <= last {
                return None;
            }
            last = seq;
            let (hash, data) = (fields.next()?, fields.next()?);
            (!data.contains(FIELD_SEPARATOR)).then(|| ChainLink {
                seq,
                hash: hash.to_owned(),
                data: data.to_owned(),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    (links.len() as i64 == rows).then_some(links)
}

/// ` WHERE` the organization's events with `after < seq <= until`, at most `limit` of them. The
/// range is bounded by `after + limit` (the log's `seq` has no gaps), so the database reads only
/// the chunk whatever it estimates.
fn push_chunk<DB: Database>(
    query: &mut QueryBuilder<'_, DB>,
    org_id: i64,
    after: i64,
    until: i64,
    limit: u32,
) where
    for<'a> i64: Encode<'a, DB> + Type<DB>,
{
    query
        .push(" WHERE org_id = ")
        .push_bind(org_id)
        .push(" AND seq > ")
        .push_bind(after)
        .push(" AND seq <= ")
        .push_bind(until.min(after.saturating_add(i64::from(limit))));
}

/// `SELECT seq, hash, indexed, tallied, tree_size, checkpointed` of the organization's chain
/// head, where `indexed` is the index's position, `tallied` the sum of its hourly action counts
/// (the indexer adds to both in one transaction), `tree_size` the Merkle tree's size and
/// `checkpointed` the size of its latest signed checkpoint: everything that counts the events;
/// with `purged`, the last `seq` retention purged, and `purged_hash`, that event's hash.
pub fn head_query<'args, DB: Database>(org_id: i64) -> QueryBuilder<'args, DB>
where
    for<'a> i64: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::new(
        "SELECT h.seq, h.hash, \
         COALESCE((SELECT p.seq FROM index_positions p WHERE p.org_id = h.org_id), 0) AS indexed, \
         CAST(COALESCE((SELECT SUM(c.n) FROM hourly_action_counts c \
         WHERE c.org_id = h.org_id), 0) AS BIGINT) AS tallied, \
         COALESCE((SELECT t.size FROM merkle_trees t WHERE t.org_id = h.org_id), 0) AS tree_size, \
         COALESCE((SELECT MAX(k.tree_size) FROM checkpoints k WHERE k.org_id = h.org_id), 0) \
         AS checkpointed, \
         COALESCE((SELECT MAX(u.through_seq) FROM purges u WHERE u.org_id = h.org_id), 0) \
         AS purged, \
         (SELECT u.through_hash FROM purges u WHERE u.org_id = h.org_id \
         ORDER BY u.through_seq DESC LIMIT 1) AS purged_hash \
         FROM chain_heads h WHERE h.org_id = ",
    );
    qb.push_bind(org_id);
    qb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_text_splits_into_its_rows_or_not_at_all() {
        let text = "1\u{1f}aa\u{1f}{\"x\":1}\u{1e}2\u{1f}bb\u{1f}{\"y\":[2]}";
        let links = split_links(2, Some(text)).unwrap();
        assert_eq!(
            links
                .iter()
                .map(|l| (l.seq, l.hash.as_str(), l.data.as_str()))
                .collect::<Vec<_>>(),
            [(1, "aa", "{\"x\":1}"), (2, "bb", "{\"y\":[2]}")]
        );
        assert_eq!(split_links(0, None).unwrap().len(), 0);
        // A row holding a separator (only a row written behind Auditrail's back can) makes the
        // count differ or a field go astray: the chunk is read row by row instead.
        assert!(split_links(3, Some(text)).is_none());
        assert!(split_links(1, Some("1\u{1f}aa\u{1f}{\"x\":\"\u{1e}\"}")).is_none());
        assert!(split_links(1, Some("1\u{1f}aa\u{1f}{\"x\":\"\u{1f}\"}")).is_none());
        assert!(split_links(1, Some("one\u{1f}aa\u{1f}{}")).is_none());
        let reversed = "2\u{1f}bb\u{1f}{}\u{1e}1\u{1f}aa\u{1f}{}";
        assert!(
            split_links(2, Some(reversed)).is_none(),
            "out of order: read row by row"
        );
        assert!(split_links(1, None).is_none());
    }
}
