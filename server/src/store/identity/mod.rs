//! Organizations, users, roles, memberships, sessions and API keys: one implementation for both
//! databases. The SQL here is the common dialect of SQLite and PostgreSQL (`$N` parameters,
//! `RETURNING`, times as Unix microseconds), run through sqlx's `Any` driver.

mod api_keys;
mod chain_verifications;
mod credentials;
mod invitations;
mod known_actors;
mod log_streams;
mod members;
mod own_events;
mod roles;
mod saved_views;
mod sessions;

pub use invitations::{Invitation, NewInvitation};
pub use log_streams::{NewStoredStream, StoredLogStream, StreamProgress};
pub use own_events::PendingOwnEvent;

use super::pool_guard::{self, released_outside_transaction};
use super::{GatePass, Member, Organization, Role, StoreError, StoreResult, User, WriteGate};
use app::model::{Permission, Plan};
use chrono::{DateTime, TimeZone, Utc};
use futures::FutureExt;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Row, Transaction};

const ORG_COLUMNS: &str = "o.id AS org_id, o.slug, o.name AS org_name, o.plan, o.retention_days, \
     CASE WHEN o.legal_hold THEN 1 ELSE 0 END AS legal_hold";
const USER_COLUMNS: &str = "u.id AS user_id, u.email, u.display_name, u.password_hash";
const ROLE_COLUMNS: &str = "r.id AS role_id, r.org_id AS role_org_id, r.name AS role_name, \
     r.permissions, CASE WHEN r.builtin THEN 1 ELSE 0 END AS builtin";

/// Unix microseconds, the stored form of every identity time.
fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// The time stored as `micros`.
fn from_micros(micros: i64) -> StoreResult<DateTime<Utc>> {
    Utc.timestamp_micros(micros)
        .single()
        .ok_or_else(|| StoreError::Corrupt(format!("time {micros}")))
}

/// Comma-separated permission names, the stored form of a permission set.
fn join_permissions(permissions: &[Permission]) -> String {
    permissions
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn split_permissions(text: &str) -> StoreResult<Vec<Permission>> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| Permission::parse(s).ok_or_else(|| StoreError::Corrupt(format!("permission {s}"))))
        .collect()
}

/// Turns a unique-constraint violation into [`StoreError::Duplicate`] naming `what`.
fn duplicate_as(what: &str) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Duplicate(what.to_owned())
        }
        _ => StoreError::Database(e),
    }
}

fn organization(row: &AnyRow) -> StoreResult<Organization> {
    let plan: String = row.try_get("plan")?;
    let retention: i64 = row.try_get("retention_days")?;
    Ok(Organization {
        id: row.try_get("org_id")?,
        slug: row.try_get("slug")?,
        name: row.try_get("org_name")?,
        plan: Plan::parse(&plan).ok_or_else(|| StoreError::Corrupt(format!("plan {plan}")))?,
        retention_days: u32::try_from(retention)
            .map_err(|_| StoreError::Corrupt(format!("retention {retention}")))?,
        legal_hold: row.try_get::<i64, _>("legal_hold")? != 0,
    })
}

fn user(row: &AnyRow) -> StoreResult<User> {
    Ok(User {
        id: row.try_get("user_id")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        password_hash: row.try_get("password_hash")?,
    })
}

fn role(row: &AnyRow) -> StoreResult<Role> {
    Ok(Role {
        id: row.try_get("role_id")?,
        org_id: row.try_get("role_org_id")?,
        name: row.try_get("role_name")?,
        permissions: split_permissions(&row.try_get::<String, _>("permissions")?)?,
        builtin: row.try_get::<i64, _>("builtin")? != 0,
    })
}

fn member(row: &AnyRow) -> StoreResult<Member> {
    Ok(Member {
        user: user(row)?,
        organization: organization(row)?,
        role: role(row)?,
    })
}

fn member_query(condition: &str) -> String {
    format!(
        "SELECT {USER_COLUMNS}, {ORG_COLUMNS}, {ROLE_COLUMNS}
         FROM memberships m
         JOIN users u ON u.id = m.user_id
         JOIN organizations o ON o.id = m.org_id
         JOIN roles r ON r.id = m.role_id
         {condition}"
    )
}

/// Identity records in either database: the reads. Every write goes through an [`IdentityTx`].
#[derive(Clone)]
pub struct IdentityStore {
    pool: AnyPool,
    sqlite: bool,
    /// Where write transactions wait for their turn (see [`WriteGate`]).
    gate: WriteGate,
}

/// One write transaction over identity records. The self-audit events of its changes are
/// staged in the same transaction ([`IdentityTx::stage_own_event`]), so a change and its record
/// commit together or not at all.
pub struct IdentityTx {
    tx: Transaction<'static, Any>,
    /// This writer's turn at the gate, given back when the transaction ends.
    _pass: GatePass,
}

impl IdentityTx {
    /// Commits every change and staged event of the transaction.
    pub async fn commit(self) -> StoreResult<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl IdentityStore {
    /// Connects to the database at `url` (`sqlite://…` or `postgres://…`). SQLite connections
    /// wait for the writer instead of failing, and enforce foreign keys.
    pub async fn connect(url: &str, gate: WriteGate) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .after_release(|conn, meta| released_outside_transaction(conn, meta).boxed())
            .after_connect(move |conn, _| {
                async move {
                    if sqlite {
                        conn.execute("PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON")
                            .await?;
                    }
                    Ok(())
                }
                .boxed()
            })
            .connect(url)
            .await?;
        Ok(Self { pool, sqlite, gate })
    }

    /// Whether the database answers and every migration this build knows has been applied.
    pub async fn schema_is_current(&self) -> StoreResult<bool> {
        let known = if self.sqlite {
            sqlx::migrate!("./migrations/sqlite")
        } else {
            sqlx::migrate!("./migrations/postgres")
        };
        let applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?;
        Ok(usize::try_from(applied).is_ok_and(|n| n >= known.iter().count()))
    }

    /// Open and idle connections of the pool.
    pub fn connections(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// Waits for this process's turn to write outside a transaction (see [`WriteGate`]).
    async fn turn(&self) -> GatePass {
        self.gate.enter().await
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so a transaction that reads before it writes never fails to upgrade.
    pub async fn begin(&self) -> StoreResult<IdentityTx> {
        let pass = self.gate.enter().await;
        let statement = if self.sqlite {
            "BEGIN IMMEDIATE"
        } else {
            "BEGIN"
        };
        let tx = pool_guard::begin(&self.pool, statement).await?;
        Ok(IdentityTx { tx, _pass: pass })
    }

    /// The organization with this slug.
    pub async fn organization_by_slug(&self, slug: &str) -> StoreResult<Option<Organization>> {
        let sql = format!("SELECT {ORG_COLUMNS} FROM organizations o WHERE o.slug = $1");
        let row = sqlx::query(&sql)
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(organization).transpose()
    }

    /// The organization with this id.
    pub async fn organization_by_id(&self, id: i64) -> StoreResult<Option<Organization>> {
        let sql = format!("SELECT {ORG_COLUMNS} FROM organizations o WHERE o.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(organization).transpose()
    }

    /// Every organization, oldest first.
    pub async fn organizations(&self) -> StoreResult<Vec<Organization>> {
        let sql = format!("SELECT {ORG_COLUMNS} FROM organizations o ORDER BY o.id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(organization).collect()
    }

    /// The user with this email (case-insensitive).
    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE lower(u.email) = lower($1)");
        let row = sqlx::query(&sql)
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user).transpose()
    }

    /// The user with this id.
    pub async fn user_by_id(&self, id: i64) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user).transpose()
    }
}

impl IdentityTx {
    /// Creates an organization and the head of its (empty) hash chain.
    pub async fn create_organization(
        &mut self,
        slug: &str,
        name: &str,
        plan: Plan,
        retention_days: u32,
    ) -> StoreResult<Organization> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organizations (slug, name, plan, retention_days, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(slug)
        .bind(name)
        .bind(plan.as_str())
        .bind(i64::from(retention_days))
        .bind(micros(Utc::now()))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(duplicate_as("organization"))?;
        sqlx::query("INSERT INTO chain_heads (org_id, seq, hash) VALUES ($1, 0, $2)")
            .bind(id)
            .bind(crate::chain::GENESIS)
            .execute(&mut *self.tx)
            .await?;
        Ok(Organization {
            id,
            slug: slug.to_owned(),
            name: name.to_owned(),
            plan,
            retention_days,
            legal_hold: false,
        })
    }

    /// Sets the organization's retention and legal hold, provided they are still `before`'s
    /// (so the change its self-audit event records is the one made); `false` when they were
    /// changed meanwhile and nothing was written.
    pub async fn set_retention(
        &mut self,
        before: &Organization,
        retention_days: u32,
        legal_hold: bool,
    ) -> StoreResult<bool> {
        let changed = sqlx::query(
            "UPDATE organizations SET retention_days = $1, legal_hold = $2
             WHERE id = $3 AND retention_days = $4 AND legal_hold = $5",
        )
        .bind(i64::from(retention_days))
        .bind(legal_hold)
        .bind(before.id)
        .bind(i64::from(before.retention_days))
        .bind(before.legal_hold)
        .execute(&mut *self.tx)
        .await?;
        Ok(changed.rows_affected() == 1)
    }

    /// Creates a user.
    pub async fn create_user(
        &mut self,
        email: &str,
        display_name: &str,
        password_hash: &str,
    ) -> StoreResult<User> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, display_name, password_hash, created_at)
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(email)
        .bind(display_name)
        .bind(password_hash)
        .bind(micros(Utc::now()))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(duplicate_as("user"))?;
        Ok(User {
            id,
            email: email.to_owned(),
            display_name: display_name.to_owned(),
            password_hash: password_hash.to_owned(),
        })
    }

    /// Replaces a user's password hash.
    pub async fn set_password(&mut self, user_id: i64, password_hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
