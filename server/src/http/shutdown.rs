//! The process's shutdown as answers that outlive their request see it: a live tail ends when
//! the shutdown begins, so a graceful shutdown (which waits for every open answer) finishes.

use std::sync::LazyLock;
use tokio::sync::watch;

static SHUTTING_DOWN: LazyLock<watch::Sender<bool>> = LazyLock::new(|| watch::channel(false).0);

/// Marks the shutdown as begun: every [`begun`] resolves.
pub fn begin() {
    SHUTTING_DOWN.send_replace(true);
}

/// Resolves once the shutdown has begun.
pub async fn begun() {
    let mut state = SHUTTING_DOWN.subscribe();
    let _ = state.wait_for(|begun| *begun).await;
}
