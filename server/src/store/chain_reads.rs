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
