//! A connection must never go back into use still inside a transaction. sqlx 0.8's PostgreSQL
//! driver can leave one so: when the future of a `BEGIN` is dropped (a client went away, a
//! timeout fired) after the database began the transaction but before its answer arrived, the
//! driver does not count the transaction, and the next `BEGIN` on that connection runs inside
//! the stale one: the indexer's `INSERT` inside an export's `READ ONLY` snapshot (seen once in a
//! 300 s load test), or a write left uncommitted. (SQLite's driver rolls such a transaction back
//! itself once its worker finds the caller gone; a test keeps it so, since a `BEGIN IMMEDIATE`
//! left open would hold the one write lock until the process restarts.) Two defences: every
//! transaction begins through [`begin`], which a dropped caller cannot interrupt, and the pools
//! check each connection they take back and close one still counted in a transaction.

use sqlx::pool::PoolConnectionMetadata;
use sqlx::{Connection, Database, Pool, Transaction};

/// Begins a transaction with `statement` in a task of its own. A caller dropped while the
/// `BEGIN` is in flight leaves the task to finish it; the `Transaction` it then gets is dropped
/// unused, which rolls the transaction back before the connection is reused.
pub async fn begin<DB: Database>(
    pool: &Pool<DB>,
    statement: &'static str,
) -> Result<Transaction<'static, DB>, sqlx::Error> {
    let pool = pool.clone();
    tokio::spawn(async move { pool.begin_with(statement).await })
        .await
        .map_err(|e| sqlx::Error::Protocol(format!("the task beginning a transaction: {e}")))?
}

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
    use super::{begin, released_outside_transaction};
    use crate::store::{SqliteStore, WriteGate};
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions, Connection, Executor};
    use std::str::FromStr;
    use std::time::Duration;

    /// The cancelled `BEGIN`: its future polled once, left until the database holds the write
    /// lock for it, and dropped before it sees the answer.
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
        wait_for_write_lock_held(&url).await;
        drop(begin);
        drop(conn);

        // Another process's writer gets the write lock...
        let mut other = SqliteConnectOptions::from_str(&url)
            .unwrap()
            .busy_timeout(Duration::from_secs(5))
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

    /// Waits until another connection holds the database's write lock: sqlx's worker thread
    /// has run the `BEGIN IMMEDIATE` (a fixed pause is not enough on a loaded machine).
    async fn wait_for_write_lock_held(url: &str) {
        let mut probe = SqliteConnectOptions::from_str(url)
            .unwrap()
            .busy_timeout(Duration::ZERO)
            .connect()
            .await
            .unwrap();
        for _ in 0..1000 {
            match probe.begin_with("BEGIN IMMEDIATE").await {
                Ok(tx) => tx.rollback().await.unwrap(),
                Err(_) => return,
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the cancelled BEGIN never reached the database");
    }

    /// On PostgreSQL (where sqlx counts no transaction until the `BEGIN`'s answer arrives): a
    /// snapshot's `BEGIN` dropped after the database ran it (a `pg_sleep` after it holds the
    /// answer back) must leave its connection outside the transaction, so the next one can write.
    #[tokio::test]
    async fn a_dropped_begin_on_postgresql_leaves_no_read_only_transaction_behind() {
        let url = std::env::var("AUDITRAIL_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .after_release(|conn, meta| Box::pin(released_outside_transaction(conn, meta)))
            .connect(&url)
            .await
            .expect("PostgreSQL for tests is reachable (see TOOLCHAIN.md to start it)");
        let mut snapshot = Box::pin(begin(
            &pool,
            "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SELECT pg_sleep(0.5)",
        ));
        for _ in 0..3 {
            assert!(futures::poll!(&mut snapshot).is_pending());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        drop(snapshot);
        let mut tx = begin(&pool, "BEGIN").await.unwrap();
        let read_only: String = sqlx::query_scalar("SHOW transaction_read_only")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(
            read_only, "off",
            "the next transaction ran inside the snapshot"
        );
    }
}
