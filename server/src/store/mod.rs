//! Storage: all SQL lives here. [`IdentityStore`] serves both databases with one dialect;
//! [`EventStore`] has a SQLite and a PostgreSQL implementation over shared SQL (the log in
//! [`log`], the index's reads in [`index_reads`]), each adding only what its database spells
//! differently (the index's bulk writes, partitions, migrations). Nothing outside this module
//! knows which database is in use.
//!
//! An append writes only the log (`event_log`: the event, its chain link, its idempotency key)
//! and the chain head; the [`indexer`] fills the index behind it.

mod actors;
mod backlog;
mod chain_reads;
mod filter_sql;
mod group_commit;
mod hourly_counts;
mod identity;
mod index_reads;
pub mod indexer;
mod log;
mod pool_guard;
mod postgres;
mod retention;
mod sqlite;
mod tail;
mod tail_cache;
mod tree;
mod write_gate;

use app::model::{Access, AuditEvent, Cursor, EventFilter, Permission, Plan};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

pub use backlog::IndexBacklog;
pub use group_commit::GroupCommit;
pub use identity::{
    IdentityStore, IdentityTx, Invitation, NewInvitation, NewStoredStream, PendingOwnEvent,
    StoredLogStream, StreamProgress,
};
pub use log::{AppendOutcomes, AppendRequest};
pub use postgres::PostgresStore;
pub use retention::{PurgeStore, RetentionStore};
pub use sqlite::SqliteStore;
use tail_cache::TailCache;
pub use tree::{
    event_leaf, ProofStore, StoredCheckpoint, TreeState, TreeStore, LOWEST_STORED_LEVEL,
};
pub use write_gate::{GatePass, WriteGate};

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique value (slug, email, role name) is taken.
    #[error("{0} already exists")]
    Duplicate(String),
    /// The event at `index` reuses an idempotency key with different content.
    #[error("idempotency key of event {index} was used with different content")]
    IdempotencyConflict { index: usize },
    /// A stored value cannot be read back.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// The database said no.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// The schema could not be migrated.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The write transaction that held this append failed (nothing of it was written), for a
    /// reason `class` says.
    #[error("the write transaction failed: {message}")]
    GroupCommit { message: String, class: Failure },
}

/// What a caller can do about a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Retry shortly: the database cannot be reached (down, restarting, out of connections).
    Unavailable,
    /// Nothing until space is freed: the database's disk is full.
    StorageFull,
    /// Anything else.
    Other,
}

impl StoreError {
    /// What a caller can do about this failure.
    pub fn class(&self) -> Failure {
        match self {
            Self::GroupCommit { class, .. } => *class,
            Self::Database(error) => database_failure(error),
            _ => Failure::Other,
        }
    }

    /// The same failure for each request a group commit held (database errors cannot be
    /// cloned): its message and class.
    pub fn for_each_request(&self) -> StoreError {
        Self::GroupCommit {
            message: self.to_string(),
            class: self.class(),
        }
    }
}

/// The class of a database error: connection-level errors, PostgreSQL's connection and
/// shutdown states (08…, 57P01–57P03, 53300), SQLite's busy and locked; a full disk (SQLite's
/// SQLITE_FULL, PostgreSQL's 53100).
fn database_failure(error: &sqlx::Error) -> Failure {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_) => Failure::Unavailable,
        sqlx::Error::Database(db) => match db.code().as_deref() {
            Some("13" | "53100") => Failure::StorageFull,
            Some("5" | "6" | "57P01" | "57P02" | "57P03" | "53300") => Failure::Unavailable,
            Some(code) if code.starts_with("08") => Failure::Unavailable,
            _ => Failure::Other,
        },
        _ => Failure::Other,
    }
}

/// Results of storage calls.
pub type StoreResult<T> = Result<T, StoreError>;

/// A tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organization {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub plan: Plan,
    pub retention_days: u32,
    /// While held, nothing of the organization is purged.
    pub legal_hold: bool,
}

impl Organization {
    /// What the operator at the command line may do here: everything.
    pub fn operator_access(&self) -> Access {
        Access {
            org_id: self.id,
            org_slug: self.slug.clone(),
            plan: self.plan,
            permissions: Permission::API_KEY_SCOPES
                .into_iter()
                .chain(Permission::ROLE_PERMISSIONS)
                .collect(),
        }
    }
}

/// A person who can sign in.
#[derive(Clone, Debug)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
}

/// A named set of permissions in one organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub permissions: Vec<Permission>,
    pub builtin: bool,
}

/// A user's membership: the organization and the role held there.
#[derive(Clone, Debug)]
pub struct Member {
    pub user: User,
    pub organization: Organization,
    pub role: Role,
}

/// An API key's stored form (never the secret).
#[derive(Clone, Debug)]
pub struct ApiKey {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub scopes: Vec<Permission>,
    pub last4: String,
}

/// A session about to be opened.
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: i64,
    pub org_id: i64,
    pub expires_at: DateTime<Utc>,
}

/// An event ready to append: complete but for `seq`, `received_at`, `prev_hash` and `hash`,
/// which the store assigns inside the transaction that links it into the chain.
pub struct EventDraft {
    pub event: AuditEvent,
    /// SHA-256 of the event as posted, compared when its idempotency key is reused (so only
    /// an event with an idempotency key has one).
    pub content_hash: Option<String>,
}

/// One stored event as chain verification reads it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ChainLink {
    pub seq: i64,
    /// The `hash` column (the chain head and the next event link to it).
    pub hash: String,
    /// The event's stored JSON.
    pub data: String,
}

/// An organization's chain head as stored, read in one snapshot with the index's position and
/// how many events the hourly counts hold (what verify compares the chain against).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TalliedHead {
    /// The `seq` of the latest event (0 before the first).
    pub seq: i64,
    /// Its hash ([`crate::chain::GENESIS`] before the first).
    pub hash: String,
    /// The last `seq` the index holds.
    pub indexed: i64,
    /// How many events the hourly counts hold.
    pub tallied: i64,
    /// How many events the Merkle tree holds.
    pub tree_size: i64,
    /// The size of the latest signed checkpoint (0 before the first).
    pub checkpointed: i64,
    /// Every event up to this `seq` was purged by retention (0 when none was).
    pub purged: i64,
    /// The hash of event `purged`: what the first kept event's `prev_hash` links to.
    pub purged_hash: Option<String>,
}

/// How far an organization's index is behind its log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexLag {
    pub org_id: i64,
    /// The `seq` of its latest event.
    pub head: i64,
    /// The last `seq` the index holds.
    pub indexed: i64,
}

/// The chains of every organization, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainTotals {
    /// Organizations with at least one event.
    pub chains: i64,
    /// Events in all chains (the sum of their heads' `seq`).
    pub events: i64,
}

/// The audit events of every organization.
#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Brings the whole schema (identity and events) up to date.
    async fn migrate(&self) -> StoreResult<()>;

    /// Appends each request's batch atomically, all in one transaction (a group commit),
    /// linking each new event into its organization's chain. An event whose idempotency key was
    /// seen with the same content yields the original event. Answers each request's stored
    /// events in input order, or why that request alone was refused; `Err` when nothing was
    /// written.
    async fn append_all(&self, requests: Vec<AppendRequest>) -> StoreResult<AppendOutcomes>;
    /// Appends one batch atomically, see [`Self::append_all`].
    async fn append_events(
        &self,
        org_id: i64,
        batch: Vec<EventDraft>,
    ) -> StoreResult<Vec<AuditEvent>> {
        let mut outcomes = self.append_all(vec![(org_id, batch)]).await?;
        outcomes
            .pop()
            .unwrap_or_else(|| Err(StoreError::Corrupt("an append answered nothing".into())))
    }
    /// Up to `limit` matching events after `cursor`, newest first.
    async fn list_events(
        &self,
        org_id: i64,
        filter: &EventFilter,
        cursor: Option<&Cursor>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>>;
    /// Up to `limit` matching events with `seq` above `after_seq`, oldest `seq` first: how a
    /// collector polls without missing events that arrive late with an old `occurred_at`.
    async fn list_events_after_seq(
        &self,
        org_id: i64,
        filter: &EventFilter,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>>;
    /// Matching events per `bucket_micros` of `occurred_at`: `(bucket, total, failures)` rows,
    /// ascending, where `bucket` is the bucket's start (Unix µs) divided by `bucket_micros`;
    /// empty buckets are left out.
    async fn histogram(
        &self,
        org_id: i64,
        filter: &EventFilter,
        bucket_micros: i64,
    ) -> StoreResult<Vec<(i64, i64, i64)>>;
    /// How many events match (exactly, from the hourly counts where they can answer).
    async fn count_events(&self, org_id: i64, filter: &EventFilter) -> StoreResult<u64>;
    /// One event by id.
    async fn event_by_id(&self, org_id: i64, id: &str) -> StoreResult<Option<AuditEvent>>;
    /// The `seq` of the organization's latest event (0 before the first).
    async fn head_seq(&self, org_id: i64) -> StoreResult<i64>;
    /// Up to `limit` stored events with `after < seq <= until`, in `seq` order.
    async fn chain_links(
        &self,
        org_id: i64,
        after: i64,
        until: i64,
        limit: u32,
    ) -> StoreResult<Vec<ChainLink>>;
    /// The stored JSON of up to `limit` events with `after < seq <= until`, in `seq` order, read
    /// row by row: slower than [`Self::chain_links`] on SQLite, but it allocates no chunk-sized
    /// text per read, so a reader that goes through the whole log (an export) keeps the
    /// server's memory flat.
    async fn stored_events(
        &self,
        org_id: i64,
        after: i64,
        until: i64,
        limit: u32,
    ) -> StoreResult<Vec<String>>;
    /// The organization's chain head and tallies (`None` when it has no head row).
    async fn chain_head(&self, org_id: i64) -> StoreResult<Option<TalliedHead>>;
    /// Every organization whose index is behind its log.
    async fn index_lag(&self) -> StoreResult<Vec<IndexLag>>;
    /// How many organizations have a chain, and the events of all chains.
    async fn chain_totals(&self) -> StoreResult<ChainTotals>;
    /// Open and idle connections of the events' pool.
    fn connections(&self) -> (u32, usize);
    /// Indexes `events` (the log's next events after `after`, in `seq` order) and advances the
    /// organization's index position past them, atomically; `false` (and nothing written) when
    /// the position is no longer `after`.
    async fn index_events(
        &self,
        org_id: i64,
        after: i64,
        events: &[AuditEvent],
    ) -> StoreResult<bool>;
    /// Decoded events of the unindexed tails kept in memory for the reads.
    fn tail_events_kept(&self) -> usize;
}

/// Everything Auditrail keeps, in one database.
#[derive(Clone)]
pub struct Stores {
    /// Organizations, members, roles, sessions, API keys.
    pub identity: IdentityStore,
    /// Audit events.
    pub events: Arc<dyn EventStore>,
    /// Each organization's Merkle tree over its events, and its signed checkpoints.
    pub proofs: Arc<dyn ProofStore>,
    /// Each organization's retention purges.
    pub retention: Arc<dyn RetentionStore>,
    /// Where appends go: into the events' next group commit.
    pub appender: GroupCommit,
    /// How far each organization's index is behind its log (what ingest waits on).
    pub backlog: Arc<IndexBacklog>,
}

/// Opens the database a URL names (`sqlite://path`, created if missing, or `postgres://…`) and
/// brings its schema up to date.
pub async fn open(database_url: &str) -> StoreResult<Stores> {
    type Parts = (
        Arc<dyn EventStore>,
        Arc<dyn ProofStore>,
        Arc<dyn RetentionStore>,
    );
    let gate = WriteGate::for_url(database_url);
    let (events, proofs, retention): Parts = if database_url.starts_with("sqlite:") {
        let store = SqliteStore::connect(database_url, gate.clone()).await?;
        let (pool, writer) = (store.pool().clone(), store.writer().clone());
        (
            Arc::new(store),
            Arc::new(TreeStore::new(pool.clone(), writer.clone(), gate.clone())),
            Arc::new(PurgeStore::new(pool, writer, gate.clone())),
        )
    } else if database_url.starts_with("postgres:") || database_url.starts_with("postgresql:") {
        let store = PostgresStore::connect(database_url, gate.clone()).await?;
        let (pool, writer) = (store.pool().clone(), store.writer().clone());
        (
            Arc::new(store),
            Arc::new(TreeStore::new(pool.clone(), writer.clone(), gate.clone())),
            Arc::new(PurgeStore::new(pool, writer, gate.clone())),
        )
    } else {
        return Err(StoreError::Database(sqlx::Error::Configuration(
            "DATABASE_URL must start with sqlite:// or postgres://".into(),
        )));
    };
    events.migrate().await?;
    let identity = IdentityStore::connect(database_url, gate).await?;
    let backlog = Arc::new(IndexBacklog::default());
    let appender = GroupCommit::start(events.clone(), backlog.clone());
    Ok(Stores {
        identity,
        events,
        proofs,
        retention,
        appender,
        backlog,
    })
}

/// The stored form of an event's IP: 16 bytes (IPv4 mapped), comparable as bytes.
fn stored_ip(event: &AuditEvent) -> Option<Vec<u8>> {
    let ip = event.context.ip.as_deref()?.parse().ok()?;
    Some(app::model::ip_bytes(ip).to_vec())
}

/// Decodes an event stored as its API JSON.
pub fn decode_event(data: &str) -> StoreResult<AuditEvent> {
    serde_json::from_str(data).map_err(|e| StoreError::Corrupt(format!("event: {e}")))
}
