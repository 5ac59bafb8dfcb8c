//! Group commit: appends that arrive while a write transaction is running wait for it, then go
//! into the next one together, so a burst of concurrent ingest requests costs one commit (one
//! fsync, one round of SQLite's write lock) instead of one each. Each request is answered only
//! after the commit that holds its events.

use super::{AppendRequest, EventDraft, EventStore, IndexBacklog, StoreError, StoreResult};
use app::model::AuditEvent;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, watch};

/// Events one transaction takes at most (the requests beyond wait for the next).
const MAX_GROUP_EVENTS: usize = 10_000;

/// Requests waiting for the writer at most; a full queue holds the next append back.
const QUEUE: usize = 256;

/// An append waiting for its commit.
struct Pending {
    request: AppendRequest,
    reply: oneshot::Sender<StoreResult<Vec<AuditEvent>>>,
}

/// The door every append goes through: a handle to the one writer task of a store.
#[derive(Clone)]
pub struct GroupCommit {
    queue: mpsc::Sender<Pending>,
    /// Counts the commits.
    appended: Arc<watch::Sender<u64>>,
}

impl GroupCommit {
    /// Starts the writer task of `store`, which reports each chain's new head to `backlog`; it
    /// ends when the last handle is dropped.
    pub fn start(store: Arc<dyn EventStore>, backlog: Arc<IndexBacklog>) -> Self {
        let (queue, waiting) = mpsc::channel(QUEUE);
        let appended = Arc::new(watch::Sender::new(0));
        tokio::spawn(write(store, backlog, waiting, appended.clone()));
        Self { queue, appended }
    }

    /// Changes after each commit (what the indexer and the log streams wait for).
    pub fn appended(&self) -> watch::Receiver<u64> {
        self.appended.subscribe()
    }

    /// Appends a batch to the organization's chain (see [`EventStore::append_all`]) in the next
    /// group, answering once that group has committed.
    pub async fn append(
        &self,
        org_id: i64,
        batch: Vec<EventDraft>,
    ) -> StoreResult<Vec<AuditEvent>> {
        let (reply, answer) = oneshot::channel();
        let pending = Pending {
            request: (org_id, batch),
            reply,
        };
        let stopped = || StoreError::GroupCommit {
            message: "the writer has stopped".into(),
            class: super::Failure::Other,
        };
        self.queue.send(pending).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// The writer: takes what is waiting (up to [`MAX_GROUP_EVENTS`]) and commits it as one.
async fn write(
    store: Arc<dyn EventStore>,
    backlog: Arc<IndexBacklog>,
    mut waiting: mpsc::Receiver<Pending>,
    appended: Arc<watch::Sender<u64>>,
) {
    while let Some(first) = waiting.recv().await {
        let mut events = first.request.1.len();
        let mut group = vec![first];
        while events < MAX_GROUP_EVENTS {
            let Ok(next) = waiting.try_recv() else { break };
            events += next.request.1.len();
            group.push(next);
        }
        let (requests, replies): (Vec<_>, Vec<_>) =
            group.into_iter().map(|p| (p.request, p.reply)).unzip();
        let orgs: Vec<i64> = requests.iter().map(|(org_id, _)| *org_id).collect();
        match store.append_all(requests).await {
            Ok(outcomes) => {
                appended.send_modify(|commits| *commits += 1);
                for ((reply, outcome), org_id) in replies.into_iter().zip(outcomes).zip(orgs) {
                    if let Some(head) = outcome
                        .as_ref()
                        .ok()
                        .and_then(|e| e.iter().map(|e| e.seq).max())
                    {
                        backlog.appended(org_id, head);
                    }
                    let _ = reply.send(outcome);
                }
            }
            Err(error) => {
                tracing::error!(%error, requests = replies.len(), "group commit failed");
                for reply in replies {
                    let _ = reply.send(Err(error.for_each_request()));
                }
            }
        }
    }
}
