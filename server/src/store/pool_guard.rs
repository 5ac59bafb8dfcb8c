//! A connection must never go back into use still inside a transaction. sqlx 0.8's SQLite driver
//! can leave one so: when the future of a `BEGIN` is dropped (a client went away, a timeout
//! fired) after the database began the transaction but before a `Transaction` owned it, the
//! connection returns to the pool with the transaction open and nothing to end it. It then keeps
//! its locks (with `BEGIN IMMEDIATE`, SQLite's one write lock: every writer waits until the
//! process restarts) and fails every later `BEGIN`. The pools check each connection they take
//! back and close such a one instead (closing rolls its transaction back).

use sqlx::pool::PoolConnectionMetadata;
use sqlx::Connection;

/// The pools' `after_release` check: whether `conn` may go back to the pool, being outside any
/// transaction. Costs nothing unless a transaction is still counted, as after a dropped
/// `Transaction` whose rollback is queued: a ping lets the queued rollback run first.
pub async fn released_outside_transaction<C: Connection>(
    conn: &mut C,
    _: PoolConnectionMetadata,
) -> Result<bool, sqlx::Error> {
    if !conn.is_in_transaction() {
        return Ok(true);
    }
    conn.ping().await?;
    let open = conn.is_in_transaction();
    if open {
        tracing::warn!("closing a connection left inside a transaction by a cancelled BEGIN");
    }
    Ok(!open)
}

#[cfg(test)]
mod tests {
    use crate::store::{SqliteStore, WriteGate};
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions, Connection, Executor};
    use std::str::FromStr;
    use std::time::Duration;

    /// The cancelled `BEGIN`: its future polled once (the command reaches the database) and
    /// dropped before it sees the answer.
    #[tokio::test]
    async fn a_cancelled_begin_leaves_no_transaction_and_no_lock_behind() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("guard.db").display());
        let store = SqliteStore::connect(&url, WriteGate::default())
            .await
            .unwrap();
        let pool = store.pool();
        pool.execute("CREATE TABLE t (x INTEGER)").await.unwrap();
        let mut conn = pool.acquire().await.unwrap();
        let mut begin = conn.begin_with("BEGIN IMMEDIATE");
        assert!(futures::poll!(&mut begin).is_pending());
        tokio::time::sleep(Duration::from_millis(200)).await;
        drop(begin);
        assert!(
            conn.is_in_transaction(),
            "the database began the transaction and nothing owns it"
        );
        drop(conn);
        tokio::time::sleep(Duration::from_millis(200)).await;

        // Another process's writer gets the write lock...
        let mut other = SqliteConnectOptions::from_str(&url)
            .unwrap()
            .busy_timeout(Duration::from_millis(500))
            .connect()
            .await
            .unwrap();
        let mut tx = other.begin_with("BEGIN IMMEDIATE").await.unwrap();
        tx.execute("INSERT INTO t VALUES (1)").await.unwrap();
        tx.commit().await.unwrap();
        // ...and every connection of the pool begins again.
        for _ in 0..8 {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
            tx.execute("INSERT INTO t VALUES (2)").await.unwrap();
            tx.commit().await.unwrap();
        }
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(rows, 9);
    }
}
