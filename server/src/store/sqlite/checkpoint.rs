//! Keeps SQLite's write-ahead log short. Each commit's automatic checkpoint copies the log's
//! pages into the database, but the log only starts over once no reader still reads from it;
//! under a steady ingest some reader always does (a log stream, the indexer reading ahead, a live
//! tail), so the log grows without end and every page read searches a longer log index. A task
//! per store watches the log and, when it has grown past [`LONG_LOG_PAGES`], waits for the
//! writers' turn and empties it (`wal_checkpoint(TRUNCATE)`: copied back, restarted, the file cut
//! to nothing), giving the readers [`READERS_GRACE_MS`] to finish; when they do not, it tries
//! again later, waiting twice as long each time up to [`MOST_BETWEEN_TRIES`] (each try holds
//! the writers' turn for the grace: under readers that never pause, trying every second kept
//! the indexer out most of the time).

use super::super::WriteGate;
use super::BUSY_TIMEOUT;
use sqlx::sqlite::SqlitePool;
use sqlx::Executor;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How often the log's length is looked at.
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// A log longer than this (pages of 4 KiB: 64 MiB) is emptied.
const LONG_LOG_PAGES: i64 = 16_384;

/// How long emptying the log waits for the readers still reading from the log (milliseconds).
const READERS_GRACE_MS: u128 = 2_000;

/// The longest wait between two tries to empty a log the readers kept.
const MOST_BETWEEN_TRIES: Duration = Duration::from_secs(60);

/// The running task; dropping the last handle stops it.
pub struct Checkpointer(JoinHandle<()>);

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Checkpointer {
    /// Starts watching the log of the database behind `pool`.
    pub fn start(pool: SqlitePool, gate: WriteGate) -> Self {
        Self(tokio::spawn(async move {
            let mut wait = CHECK_EVERY;
            loop {
                tokio::time::sleep(wait).await;
                wait = match empty_if_long(&pool, &gate).await {
                    Ok(Emptied::Yes) => CHECK_EVERY,
                    Ok(Emptied::NotYet) => (wait * 2).min(MOST_BETWEEN_TRIES),
                    Err(e) => {
                        tracing::warn!(error = %e, "could not checkpoint SQLite's write-ahead log");
                        CHECK_EVERY
                    }
                };
            }
        }))
    }
}

/// Whether the log is short now.
enum Emptied {
    Yes,
    /// Readers still read from it.
    NotYet,
}

/// Checkpoints what it can without waiting (`PASSIVE`); when the log is still long, empties it
/// in the writers' turn.
async fn empty_if_long(pool: &SqlitePool, gate: &WriteGate) -> sqlx::Result<Emptied> {
    let (_, log_pages, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(pool)
        .await?;
    if log_pages < LONG_LOG_PAGES {
        return Ok(Emptied::Yes);
    }
    let _turn = gate.enter().await;
    let mut conn = pool.acquire().await?;
    conn.execute(busy_timeout(READERS_GRACE_MS).as_str())
        .await?;
    let emptied = sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&mut *conn)
        .await;
    conn.execute(busy_timeout(BUSY_TIMEOUT.as_millis()).as_str())
        .await?;
    let (busy, _, _) = emptied?;
    if busy != 0 {
        tracing::debug!(
            log_pages,
            "SQLite's write-ahead log is still being read: empty it later"
        );
        return Ok(Emptied::NotYet);
    }
    Ok(Emptied::Yes)
}

/// The statement that sets a connection's busy timeout.
fn busy_timeout(millis: u128) -> String {
    format!("PRAGMA busy_timeout = {millis}")
}

#[cfg(test)]
mod tests {
    use super::LONG_LOG_PAGES;
    use crate::store::{SqliteStore, WriteGate};
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions, Connection, Executor};
    use std::str::FromStr;
    use std::time::Duration;

    /// A log grown long while a reader held it is emptied once the reader is done, with no
    /// further write to trigger SQLite's own restart.
    #[tokio::test]
    async fn a_long_log_is_emptied_when_its_readers_are_done() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("wal.db").display());
        let store = SqliteStore::connect(&url, WriteGate::for_url(&url))
            .await
            .unwrap();
        let pool = store.pool();
        pool.execute("CREATE TABLE t (b BLOB)").await.unwrap();
        let mut reader = SqliteConnectOptions::from_str(&url)
            .unwrap()
            .connect()
            .await
            .unwrap();
        let mut snapshot = reader.begin().await.unwrap();
        snapshot.execute("SELECT COUNT(*) FROM t").await.unwrap();
        for _ in 0..80 {
            pool.execute("INSERT INTO t VALUES (zeroblob(1048576))")
                .await
                .unwrap();
        }
        let log_pages = || async {
            let (_, pages, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_one(pool)
                .await
                .unwrap();
            pages
        };
        assert!(
            log_pages().await >= LONG_LOG_PAGES,
            "the reader kept the log"
        );
        snapshot.commit().await.unwrap();
        // The tries made while the reader held the log have put the next one off a few seconds.
        for _ in 0..300 {
            if log_pages().await == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the log was not emptied: {} pages", log_pages().await);
    }
}
