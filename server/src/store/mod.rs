//! The storage interface. All SQL lives behind [`Store`]; `sqlite/` implements it (PostgreSQL
//! will implement the same trait). Nothing outside this module knows which database is in use.

mod postgres;
mod rows;
mod sqlite;

use app::model::{AuditEvent, Cursor, EventFilter, Permission, Plan};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

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

/// Everything Auditrail keeps.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Brings the schema up to date.
    async fn migrate(&self) -> StoreResult<()>;

    /// Creates an organization.
    async fn create_organization(
        &self,
        slug: &str,
        name: &str,
        plan: Plan,
        retention_days: u32,
    ) -> StoreResult<Organization>;
    /// The organization with this slug.
    async fn organization_by_slug(&self, slug: &str) -> StoreResult<Option<Organization>>;

    /// Creates a role in an organization.
    async fn create_role(
        &self,
        org_id: i64,
        name: &str,
        permissions: &[Permission],
        builtin: bool,
    ) -> StoreResult<Role>;
    /// The organization's role with this name.
    async fn role_by_name(&self, org_id: i64, name: &str) -> StoreResult<Option<Role>>;

    /// Creates a user.
    async fn create_user(
        &self,
        email: &str,
        display_name: &str,
        password_hash: &str,
    ) -> StoreResult<User>;
    /// The user with this email (case-insensitive).
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    /// Makes a user a member of an organization with a role.
    async fn add_member(&self, org_id: i64, user_id: i64, role_id: i64) -> StoreResult<()>;
    /// Every membership of a user, oldest first.
    async fn memberships(&self, user_id: i64) -> StoreResult<Vec<Member>>;

    /// Opens a session.
    async fn create_session(&self, session: &NewSession<'_>) -> StoreResult<()>;
    /// The member behind an unexpired session.
    async fn session_member(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Member>>;
    /// Closes a session.
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;

    /// Stores a new API key.
    async fn create_api_key(
        &self,
        org_id: i64,
        name: &str,
        scopes: &[Permission],
        secret_hash: &str,
        last4: &str,
    ) -> StoreResult<ApiKey>;
    /// The key with this secret hash and its organization.
    async fn api_key_by_secret_hash(
        &self,
        secret_hash: &str,
    ) -> StoreResult<Option<(ApiKey, Organization)>>;

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
    /// How many events match.
    async fn count_events(&self, org_id: i64, filter: &EventFilter) -> StoreResult<u64>;
    /// One event by id.
    async fn event_by_id(&self, org_id: i64, id: &str) -> StoreResult<Option<AuditEvent>>;
}

/// Opens the store a database URL names (`sqlite://path` or `postgres://…`); a SQLite file is
/// created if missing.
pub async fn open(database_url: &str) -> StoreResult<Arc<dyn Store>> {
    if database_url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(database_url).await?))
    } else if database_url.starts_with("postgres:") || database_url.starts_with("postgresql:") {
        Ok(Arc::new(PostgresStore::connect(database_url).await?))
    } else {
        Err(StoreError::Database(sqlx::Error::Configuration(
            "DATABASE_URL must start with sqlite:// or postgres://".into(),
        )))
    }
}
