//! SQLite lets one transaction write at a time, and a writer that finds the lock taken polls for
//! it (the busy timeout): a writer that writes back to back, like the group commit under a
//! steady ingest, then starves the others (a log stream's progress, a sign-in) for seconds. The
//! writers of this process queue at the gate first and enter in arrival order. PostgreSQL locks
//! rows and needs no gate.

use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The queue writers wait in before they write (open on PostgreSQL).
#[derive(Clone, Default)]
pub struct WriteGate(Option<Arc<Mutex<()>>>);

/// Held while writing; dropping it lets the next writer in.
pub type GatePass = Option<OwnedMutexGuard<()>>;

impl WriteGate {
    /// The gate a database at `url` needs: a queue for SQLite, none for PostgreSQL.
    pub fn for_url(url: &str) -> Self {
        Self(url.starts_with("sqlite:").then(Arc::default))
    }

    /// Waits for this writer's turn.
    pub async fn enter(&self) -> GatePass {
        match &self.0 {
            Some(queue) => Some(queue.clone().lock_owned().await),
            None => None,
        }
    }
}
