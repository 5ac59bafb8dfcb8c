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
mod tail;
#[cfg(test)]
pub(crate) mod testing;
mod user_agent;
mod verify;

pub use export::CSV_COLUMNS;
pub use indexing::IndexBehind;
pub use ingest::MAX_BATCH;
pub use passwords::generate_password;
pub use proofs::CheckpointPolicy;
pub use retention::PurgeReport;
pub use sign_in::{LockoutPolicy, SessionSettings, DEVICE_COOKIE, SESSION_COOKIE};
pub use tail::Credential;
pub use verify::VerifyProgress;

use crate::store::{StoreError, Stores};
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
        }
    }

    /// The underlying stores.
    pub fn stores(&self) -> &Stores {
        &self.stores
    }
}

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
            other => {
                tracing::error!(error = %other, "storage failure");
                ApiError::internal()
            }
        }
    }
}
