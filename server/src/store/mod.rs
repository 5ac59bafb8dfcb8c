//! Storage: all SQL lives here. [`IdentityStore`] serves both databases with one dialect;
//! [`EventStore`] has a SQLite and a PostgreSQL implementation, because events are where the
//! databases differ (partitions, batch inserts, the chain lock). Nothing outside this module
//! knows which database is in use.

mod actors;
mod chain_reads;
mod filter_sql;
mod hourly_counts;
mod identity;
mod postgres;
mod sqlite;

use app::model::{Access, AuditEvent, Criteria, Cursor, EventFilter, Permission, Plan};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hourly_counts::{CountPlan, CountTable};
use std::sync::Arc;

pub use identity::{IdentityStore, IdentityTx, Invitation, NewInvitation, PendingOwnEvent};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

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
    /// SHA-256 of the event as posted, compared when its idempotency key is reused.
    pub content_hash: String,
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

/// An organization's chain head as stored, read in one snapshot with how many events the
/// hourly tallies hold (what verify compares the chain against).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TalliedHead {
    /// The `seq` of the latest event (0 before the first).
    pub seq: i64,
    /// Its hash ([`crate::chain::GENESIS`] before the first).
    pub hash: String,
    /// How many events the hourly counts hold.
    pub tallied: i64,
}

/// The audit events of every organization: the part whose SQL differs per database.
#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Brings the whole schema (identity and events) up to date.
    async fn migrate(&self) -> StoreResult<()>;

    /// Appends a batch atomically, linking each new event into the organization's chain. An
    /// event whose idempotency key was seen with the same content yields the original event.
    /// Returns the stored events in input order.
    async fn append_events(
        &self,
        org_id: i64,
        batch: Vec<EventDraft>,
    ) -> StoreResult<Vec<AuditEvent>>;
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
    /// How many events match: from the hourly counts each append keeps where they can answer
    /// (see [`hourly_counts::plan`]), else by counting the events.
    async fn count_events(&self, org_id: i64, filter: &EventFilter) -> StoreResult<u64> {
        match hourly_counts::plan(filter) {
            CountPlan::Everything => Ok(u64::try_from(self.head_seq(org_id).await?).unwrap_or(0)),
            CountPlan::Scan => self.count_scanned(org_id, filter).await,
            CountPlan::Hourly {
                table,
                from_hour,
                until_hour,
                edges,
            } => {
                let mut total = self
                    .sum_hourly(org_id, table, from_hour, until_hour, &filter.include)
                    .await?;
                for edge in &edges {
                    total += self.count_scanned(org_id, edge).await?;
                }
                Ok(total)
            }
        }
    }
    /// How many events match, counted from the events themselves.
    async fn count_scanned(&self, org_id: i64, filter: &EventFilter) -> StoreResult<u64>;
    /// The sum of an hourly count table over `[from_hour, until_hour)` for `criteria` (whose
    /// constrained fields are columns of that table).
    async fn sum_hourly(
        &self,
        org_id: i64,
        table: CountTable,
        from_hour: Option<i64>,
        until_hour: Option<i64>,
        criteria: &Criteria,
    ) -> StoreResult<u64>;
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
    /// The organization's chain head and tallies (`None` when it has no head row).
    async fn chain_head(&self, org_id: i64) -> StoreResult<Option<TalliedHead>>;
}

/// Everything Auditrail keeps, in one database.
#[derive(Clone)]
pub struct Stores {
    /// Organizations, members, roles, sessions, API keys.
    pub identity: IdentityStore,
    /// Audit events.
    pub events: Arc<dyn EventStore>,
}

/// Opens the database a URL names (`sqlite://path`, created if missing, or `postgres://…`) and
/// brings its schema up to date.
pub async fn open(database_url: &str) -> StoreResult<Stores> {
    let events: Arc<dyn EventStore> = if database_url.starts_with("sqlite:") {
        Arc::new(SqliteStore::connect(database_url).await?)
    } else if database_url.starts_with("postgres:") || database_url.starts_with("postgresql:") {
        Arc::new(PostgresStore::connect(database_url).await?)
    } else {
        return Err(StoreError::Database(sqlx::Error::Configuration(
            "DATABASE_URL must start with sqlite:// or postgres://".into(),
        )));
    };
    events.migrate().await?;
    let identity = IdentityStore::connect(database_url).await?;
    Ok(Stores { identity, events })
}

/// The stored form of an event's IP: 16 bytes (IPv4 mapped), comparable as bytes.
fn stored_ip(event: &AuditEvent) -> Option<Vec<u8>> {
    let ip = event.context.ip.as_deref()?.parse().ok()?;
    Some(app::model::ip_bytes(ip).to_vec())
}

/// Decodes an event stored as its API JSON.
fn decode_event(data: &str) -> StoreResult<AuditEvent> {
    serde_json::from_str(data).map_err(|e| StoreError::Corrupt(format!("event: {e}")))
}

/// The stored JSON of an event.
fn encode_event(event: &AuditEvent) -> StoreResult<String> {
    serde_json::to_string(event).map_err(|e| StoreError::Corrupt(format!("event: {e}")))
}
