//! Keeping the index behind the log: the background indexer of `auditrail serve`, and how far
//! behind it is (for `auditrail status`, the logs, `/readyz` and `/metrics`).

use super::Services;
use crate::store::{decode_event, indexer, IndexLag, StoreResult};
use chrono::Utc;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// How long the indexer waits for an append before it looks again anyway.
const IDLE_WAIT: Duration = Duration::from_secs(1);

/// How often a lagging index is reported in the logs.
const REPORT_EVERY: Duration = Duration::from_secs(10);

/// One organization's index lag.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexBehind {
    pub lag: IndexLag,
    /// Seconds since the oldest event the index does not hold yet was received.
    pub seconds: f64,
}

impl IndexBehind {
    /// Events the index does not hold yet.
    pub fn events(&self) -> i64 {
        self.lag.head - self.lag.indexed
    }
}

impl Services {
    /// Every organization whose index is behind its log, and by how much.
    pub async fn index_behind(&self) -> StoreResult<Vec<IndexBehind>> {
        let events = &self.stores.events;
        let mut behind = Vec::new();
        for lag in events.index_lag().await? {
            let oldest = events
                .chain_links(lag.org_id, lag.indexed, lag.head, 1)
                .await?;
            let seconds = match oldest.first() {
                Some(link) => {
                    let received = decode_event(&link.data)?.received_at;
                    (Utc::now() - received).num_milliseconds().max(0) as f64 / 1000.0
                }
                None => 0.0,
            };
            behind.push(IndexBehind { lag, seconds });
        }
        Ok(behind)
    }

    /// How far the index is behind over all organizations: events not yet indexed, and seconds
    /// since the oldest of them was received.
    pub async fn index_lag_total(&self) -> StoreResult<(i64, f64)> {
        let behind = self.index_behind().await?;
        let events = behind.iter().map(IndexBehind::events).sum();
        let seconds = behind.iter().map(|b| b.seconds).fold(0.0, f64::max);
        Ok((events, seconds))
    }

    /// Indexes what the appends leave behind, and keeps the Merkle trees and their checkpoints
    /// up with them, until the process ends: two loops apart (a tree that takes long to extend
    /// must not hold the index back, which ingest and every read wait on), each woken by each
    /// commit and at least every [`IDLE_WAIT`]. Reports the index's lag every [`REPORT_EVERY`]
    /// while behind. Meanwhile ingest waits (429) for an organization whose index is `max_lag`
    /// events or more behind (0: never).
    pub async fn run_indexer(self: Arc<Self>, max_lag: u64) {
        let services = &*self;
        let backlog = &services.stores.backlog;
        backlog.limit_to(max_lag);
        let index = services.follow_the_log("indexing", move || {
            indexer::index_pending(&*services.stores.events, backlog, indexer::CHUNK)
        });
        let prove = services.follow_the_log("keeping the proofs", move || services.keep_proofs());
        let report = async {
            loop {
                tokio::time::sleep(REPORT_EVERY).await;
                services.report_lag().await;
            }
        };
        tokio::join!(index, prove, report);
    }

    /// Runs `pass` again and again: at once while it finds work, after the next commit (or
    /// [`IDLE_WAIT`]) when it found none, after [`IDLE_WAIT`] when it failed.
    async fn follow_the_log<F, P>(&self, what: &str, mut pass: P)
    where
        P: FnMut() -> F,
        F: Future<Output = StoreResult<u64>>,
    {
        let mut appended = self.stores.appender.appended();
        loop {
            match pass().await {
                Ok(0) => {
                    let _ = tokio::time::timeout(IDLE_WAIT, appended.changed()).await;
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::error!(%error, "{what} failed; will retry");
                    tokio::time::sleep(IDLE_WAIT).await;
                }
            }
        }
    }

    /// Indexes everything the log holds beyond the index, and brings every Merkle tree and
    /// its checkpoint up to the log; answers how many events it indexed.
    pub async fn catch_up(&self) -> StoreResult<u64> {
        let indexed = indexer::catch_up(&*self.stores.events, &self.stores.backlog).await?;
        self.keep_proofs().await?;
        Ok(indexed)
    }

    /// Logs how far the index is behind, when it is.
    async fn report_lag(&self) {
        match self.index_lag_total().await {
            Ok((0, _)) => {}
            Ok((events, seconds)) => tracing::info!(events, seconds, "the index is behind the log"),
            Err(error) => tracing::warn!(%error, "could not measure the index lag"),
        }
    }
}
