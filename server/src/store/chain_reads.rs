//! The reads of chain verification, one SQL for both databases: the log in `seq` order and the
//! chain head with the index's position and hourly tallies, in one statement so both come from one snapshot.

use sqlx::{Database, Encode, QueryBuilder, Type};

/// `SELECT seq, hash, data` of the organization's events with `after < seq <= until`, in `seq`
/// order, at most `limit` (a keyset chunk). The range is also bounded by `after + limit` (the
/// log's `seq` has no gaps), so the database reads only the chunk whatever it estimates.
pub fn links_query<'args, DB: Database>(
    org_id: i64,
    after: i64,
    until: i64,
    limit: u32,
) -> QueryBuilder<'args, DB>
where
    for<'a> i64: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::new("SELECT seq, hash, data FROM event_log WHERE org_id = ");
    qb.push_bind(org_id)
        .push(" AND seq > ")
        .push_bind(after)
        .push(" AND seq <= ")
        .push_bind(until.min(after.saturating_add(i64::from(limit))))
        .push(" ORDER BY seq LIMIT ")
        .push_bind(i64::from(limit));
    qb
}

/// `SELECT seq, hash, indexed, tallied` of the organization's chain head, where `indexed` is the
/// index's position and `tallied` the sum of its hourly action counts (the indexer adds to both
/// in one transaction).
pub fn head_query<'args, DB: Database>(org_id: i64) -> QueryBuilder<'args, DB>
where
    for<'a> i64: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::new(
        "SELECT h.seq, h.hash, \
         COALESCE((SELECT p.seq FROM index_positions p WHERE p.org_id = h.org_id), 0) AS indexed, \
         CAST(COALESCE((SELECT SUM(c.n) FROM hourly_action_counts c \
         WHERE c.org_id = h.org_id), 0) AS BIGINT) AS tallied FROM chain_heads h WHERE h.org_id = ",
    );
    qb.push_bind(org_id);
    qb
}
