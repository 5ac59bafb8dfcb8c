//! The indexer: follows each organization's log in `seq` order and fills the index behind the
//! appends, in large transactions that record how far they got. Safe to run anywhere at once
//! (several server processes, a test beside a server): a chunk another indexer already wrote is
//! skipped, and a crash loses nothing, since the next pass resumes at the recorded position.

use super::{decode_event, EventStore, IndexLag, StoreResult};

/// Events indexed per transaction: large enough to amortise the commit, small enough that an
/// append waiting for SQLite's write lock is not held up long.
pub const CHUNK: u32 = 10_000;

/// Indexes up to `chunk` events of every organization that is behind; answers how many events
/// it indexed (0 when the index is caught up).
pub async fn index_pending(store: &dyn EventStore, chunk: u32) -> StoreResult<u64> {
    let mut indexed = 0;
    for IndexLag {
        org_id,
        head,
        indexed: after,
    } in store.index_lag().await?
    {
        let links = store.chain_links(org_id, after, head, chunk).await?;
        let events = links
            .iter()
            .map(|link| decode_event(&link.data))
            .collect::<StoreResult<Vec<_>>>()?;
        if !events.is_empty() && store.index_events(org_id, after, &events).await? {
            indexed += events.len() as u64;
        }
    }
    Ok(indexed)
}

/// Indexes until nothing is behind; answers how many events it indexed.
pub async fn catch_up(store: &dyn EventStore) -> StoreResult<u64> {
    let mut total = 0;
    loop {
        match index_pending(store, CHUNK).await? {
            0 => return Ok(total),
            n => total += n,
        }
    }
}
