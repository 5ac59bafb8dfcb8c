//! The SQLite implementation of [`Store`]: one file in WAL mode, writes serialised by
//! `BEGIN IMMEDIATE` so the chain head is read and advanced by one writer at a time.

mod events;
mod identity;

use super::{
    ApiKey, EventDraft, Member, NewSession, Organization, Role, Store, StoreResult, User,
};
use app::model::{AuditEvent, Cursor, EventFilter, Permission, Plan};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

/// Auditrail's data in one SQLite database.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at a `sqlite://` URL.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }
}

/// Unix microseconds, the stored form of every time.
fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations/sqlite").run(&self.pool).await?;
        Ok(())
    }

    async fn create_organization(
        &self,
        slug: &str,
        name: &str,
        plan: Plan,
        retention_days: u32,
    ) -> StoreResult<Organization> {
        identity::create_organization(&self.pool, slug, name, plan, retention_days).await
    }

    async fn organization_by_slug(&self, slug: &str) -> StoreResult<Option<Organization>> {
        identity::organization_by_slug(&self.pool, slug).await
    }

    async fn create_role(
        &self,
        org_id: i64,
        name: &str,
        permissions: &[Permission],
        builtin: bool,
    ) -> StoreResult<Role> {
        identity::create_role(&self.pool, org_id, name, permissions, builtin).await
    }

    async fn role_by_name(&self, org_id: i64, name: &str) -> StoreResult<Option<Role>> {
        identity::role_by_name(&self.pool, org_id, name).await
    }

    async fn create_user(
        &self,
        email: &str,
        display_name: &str,
        password_hash: &str,
    ) -> StoreResult<User> {
        identity::create_user(&self.pool, email, display_name, password_hash).await
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        identity::user_by_email(&self.pool, email).await
    }

    async fn add_member(&self, org_id: i64, user_id: i64, role_id: i64) -> StoreResult<()> {
        identity::add_member(&self.pool, org_id, user_id, role_id).await
    }

    async fn memberships(&self, user_id: i64) -> StoreResult<Vec<Member>> {
        identity::memberships(&self.pool, user_id).await
    }

    async fn create_session(&self, session: &NewSession<'_>) -> StoreResult<()> {
        identity::create_session(&self.pool, session).await
    }

    async fn session_member(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Member>> {
        identity::session_member(&self.pool, token_hash, now).await
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        identity::delete_session(&self.pool, token_hash).await
    }

    async fn create_api_key(
        &self,
        org_id: i64,
        name: &str,
        scopes: &[Permission],
        secret_hash: &str,
        last4: &str,
    ) -> StoreResult<ApiKey> {
        identity::create_api_key(&self.pool, org_id, name, scopes, secret_hash, last4).await
    }

    async fn api_key_by_secret_hash(
        &self,
        secret_hash: &str,
    ) -> StoreResult<Option<(ApiKey, Organization)>> {
        identity::api_key_by_secret_hash(&self.pool, secret_hash).await
    }

    async fn append_events(
        &self,
        org_id: i64,
        batch: Vec<EventDraft>,
    ) -> StoreResult<Vec<AuditEvent>> {
        events::append(&self.pool, org_id, batch).await
    }

    async fn list_events(
        &self,
        org_id: i64,
        filter: &EventFilter,
        cursor: Option<&Cursor>,
        limit: u32,
    ) -> StoreResult<Vec<AuditEvent>> {
        events::list(&self.pool, org_id, filter, cursor, limit).await
    }

    async fn count_events(&self, org_id: i64, filter: &EventFilter) -> StoreResult<u64> {
        events::count(&self.pool, org_id, filter).await
    }

    async fn event_by_id(&self, org_id: i64, id: &str) -> StoreResult<Option<AuditEvent>> {
        events::by_id(&self.pool, org_id, id).await
    }
}
