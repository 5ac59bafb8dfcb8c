//! The indexer: follows each organization's log in `seq` order and fills the index behind the
//! appends, in large transactions that record how far they got. Safe to run anywhere at once
//! (several server processes, a test beside a server): a chunk another indexer already wrote is
//! skipped, and a crash loses nothing, since the next pass resumes at the recorded position.

use super::{decode_event, EventStore, IndexBacklog, IndexLag, StoreResult};
use app::model::AuditEvent;

/// Events indexed per transaction: large enough to amortise the commit, small enough that an
/// append waiting for SQLite's write lock is not held up long.
pub const CHUNK: u32 = 10_000;

/// Chunks one organization gets per pass before the next organization's turn.
const CHUNKS_PER_TURN: u32 = 8;

/// Indexes what every organization has beyond its index position (up to
/// [`CHUNKS_PER_TURN`] chunks of `chunk` events each), reporting each position reached to
/// `backlog`; answers how many events it indexed (0 when the index is caught up).
pub async fn index_pending(
    store: &dyn EventStore,
    backlog: &IndexBacklog,
    chunk: u32,
) -> StoreResult<u64> {
    let behind = store.index_lag().await?;
    backlog.refresh(&behind);
    let mut indexed = 0;
    for lag in behind {
        indexed += index_organization(store, backlog, lag, chunk).await?;
    }
    Ok(indexed)
}

/// Indexes one organization's turn, reading and decoding each chunk while the one before it is
/// written (the database writes on its own thread meanwhile).
async fn index_organization(
    store: &dyn EventStore,
    backlog: &IndexBacklog,
    lag: IndexLag,
    chunk: u32,
) -> StoreResult<u64> {
    let IndexLag {
        org_id,
        head,
        indexed: mut after,
    } = lag;
    let mut indexed = 0;
    let mut next = read(store, org_id, after, head, chunk).await?;
    for _ in 0..CHUNKS_PER_TURN {
        let Some(last) = next.last().map(|e| e.seq) else {
            break;
        };
        let current = next;
        let (written, following) = tokio::join!(
            store.index_events(org_id, after, &current),
            read(store, org_id, last, head, chunk)
        );
        if !written? {
            // Another indexer got there first: it carries on from here.
            break;
        }
        indexed += current.len() as u64;
        after = last;
        backlog.indexed(org_id, after);
        next = following?;
    }
    Ok(indexed)
}

/// The organization's events with `after < seq <= until`, at most `chunk`, decoded.
async fn read(
    store: &dyn EventStore,
    org_id: i64,
    after: i64,
    until: i64,
    chunk: u32,
) -> StoreResult<Vec<AuditEvent>> {
    store
        .chain_links(org_id, after, until, chunk)
        .await?
        .iter()
        .map(|link| decode_event(&link.data))
        .collect()
}

/// Indexes until nothing is behind; answers how many events it indexed.
pub async fn catch_up(store: &dyn EventStore, backlog: &IndexBacklog) -> StoreResult<u64> {
    let mut total = 0;
    loop {
        match index_pending(store, backlog, CHUNK).await? {
            0 => return Ok(total),
            n => total += n,
        }
    }
}
