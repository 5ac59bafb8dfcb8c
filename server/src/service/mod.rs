//! The capabilities, each in its own file, over the [`Stores`]. The REST adapters and the server
//! functions (through [`app::api::context::Backend`]) both call these: one implementation, two doors.

mod account;
mod activity;
mod api_keys;
mod authorization;
mod backend;
mod export;
mod health;
mod identity;
mod indexing;
mod ingest;
mod log_streams;
mod members;
mod passwords;
mod proofs;
mod query;
mod rate_limit;
mod retention;
mod roles;
mod saved_views;
mod self_audit;
mod sign_in;
pub mod slots;
mod stream_delivery;
mod tail;
#[cfg(test)]
pub(crate) mod testing;
mod user_agent;
mod verify;

pub use export::{CSV_COLUMNS, MAX_EXPORTS_PER_ORG};
pub use indexing::IndexBehind;
pub use ingest::MAX_BATCH;
pub use passwords::generate_password;
pub use proofs::CheckpointPolicy;
pub use retention::PurgeReport;
pub use sign_in::{LockoutPolicy, SessionSettings, DEVICE_COOKIE, SESSION_COOKIE};
pub use tail::Credential;
pub use verify::VerifyProgress;

use crate::outbound::{DestinationPolicy, Sender};
use crate::store::{Failure, StoreError, Stores};
use app::model::{ApiError, ErrorCode};
use rate_limit::RateLimits;
use std::sync::Arc;

/// Auditrail's capabilities over one store.
#[derive(Clone)]
pub struct Services {
    stores: Stores,
    sessions: SessionSettings,
    limits: Arc<RateLimits>,
    verifying: Arc<verify::Verifying>,
    checkpoints: CheckpointPolicy,
    /// Held by the purge running in this process: one at a time.
    purging: Arc<tokio::sync::Mutex<()>>,
    /// Sends log streams' batches to their destinations.
    outbound: Sender,
    /// The exports streaming in this process, per organization.
    exports: Arc<slots::Slots<i64>>,
}

impl Services {
    /// The services over `stores`, with sessions configured by `sessions` and checkpoints
    /// signed as `checkpoints` says.
    pub fn new(stores: Stores, sessions: SessionSettings, checkpoints: CheckpointPolicy) -> Self {
        Self {
            stores,
            sessions,
            limits: Arc::default(),
            verifying: Arc::default(),
            checkpoints,
            purging: Arc::default(),
            outbound: Sender::new(DestinationPolicy::default()),
            exports: Arc::new(slots::Slots::new(MAX_EXPORTS_PER_ORG)),
        }
    }

    /// The same services, with log streams reaching the destinations `policy` allows.
    pub fn with_destinations(mut self, policy: DestinationPolicy) -> Self {
        self.outbound = Sender::new(policy);
        self
    }

    /// The underlying stores.
    pub fn stores(&self) -> &Stores {
        &self.stores
    }
}

/// What a 503 asks the client to wait before retrying, in seconds.
const UNAVAILABLE_RETRY_SECONDS: u64 = 5;

/// Storage failures as the wire sees them; the detail of unexpected ones goes to the log only.
impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Duplicate(what) => {
                ApiError::new(ErrorCode::Conflict, format!("{what} already exists"))
            }
            StoreError::IdempotencyConflict { index } => ApiError::new(
                ErrorCode::Conflict,
                "idempotency_key was already used for an event with different content",
            )
            .with_field("idempotency_key")
            .at_index(index),
            other => match other.class() {
                Failure::Unavailable => {
                    tracing::warn!(error = %other, "the database is not reachable");
                    ApiError::new(
                        ErrorCode::Unavailable,
                        "the database cannot be reached right now; nothing was written",
                    )
                    .retry_after(UNAVAILABLE_RETRY_SECONDS)
                }
                Failure::StorageFull => {
                    tracing::error!(error = %other, "the database's storage is full");
                    ApiError::new(
                        ErrorCode::InsufficientStorage,
                        "the server's storage is full; nothing was written",
                    )
                }
                Failure::Other => {
                    tracing::error!(error = %other, "storage failure");
                    ApiError::internal()
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    use sqlx::Executor;

    #[tokio::test]
    async fn an_unreachable_database_answers_503_with_retry_after() {
        let pool = SqlitePoolOptions::new()
            .connect("sqlite::memory:")
            .await
            .unwrap();
        pool.close().await;
        let closed = pool.acquire().await.unwrap_err();
        let error = ApiError::from(StoreError::from(closed));
        assert_eq!((error.status(), error.retry_after), (503, Some(5)));
        // A group commit's failure keeps its class for every request it held.
        let shared = StoreError::Database(sqlx::Error::PoolTimedOut).for_each_request();
        assert_eq!(ApiError::from(shared).status(), 503);
    }

    #[tokio::test]
    async fn a_full_disk_answers_507_and_other_failures_500() {
        let options = SqliteConnectOptions::new()
            .in_memory(true)
            .pragma("max_page_count", "8");
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .unwrap();
        pool.execute("CREATE TABLE t (v TEXT)").await.unwrap();
        let full = loop {
            match sqlx::query("INSERT INTO t VALUES (randomblob(4000))")
                .execute(&pool)
                .await
            {
                Ok(_) => continue,
                Err(error) => break error,
            }
        };
        let error = ApiError::from(StoreError::from(full));
        assert_eq!(
            (error.status(), error.code),
            (507, ErrorCode::InsufficientStorage)
        );
        let syntax = pool.execute("SELEC 1").await.unwrap_err();
        assert_eq!(ApiError::from(StoreError::from(syntax)).status(), 500);
    }
}
