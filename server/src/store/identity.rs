//! Organizations, users, roles, memberships, sessions and API keys: one implementation for both
//! databases. The SQL here is the common dialect of SQLite and PostgreSQL (`$N` parameters,
//! `RETURNING`, times as Unix microseconds), run through sqlx's `Any` driver.

use super::{ApiKey, Member, NewSession, Organization, Role, StoreError, StoreResult, User};
use app::model::{Permission, Plan, SavedView};
use chrono::{DateTime, Utc};
use futures::FutureExt;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};

const ORG_COLUMNS: &str = "o.id AS org_id, o.slug, o.name AS org_name, o.plan, o.retention_days";
const USER_COLUMNS: &str = "u.id AS user_id, u.email, u.display_name, u.password_hash";
const ROLE_COLUMNS: &str = "r.id AS role_id, r.org_id AS role_org_id, r.name AS role_name, \
     r.permissions, CASE WHEN r.builtin THEN 1 ELSE 0 END AS builtin";

/// Unix microseconds, the stored form of every identity time.
fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
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

/// Identity records in either database.
#[derive(Clone)]
pub struct IdentityStore {
    pool: AnyPool,
}

impl IdentityStore {
    /// Connects to the database at `url` (`sqlite://…` or `postgres://…`). SQLite connections
    /// wait for the writer instead of failing, and enforce foreign keys.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        let pool = AnyPoolOptions::new()
            .max_connections(8)
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
        Ok(Self { pool })
    }

    /// Creates an organization and the head of its (empty) hash chain.
    pub async fn create_organization(
        &self,
        slug: &str,
        name: &str,
        plan: Plan,
        retention_days: u32,
    ) -> StoreResult<Organization> {
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organizations (slug, name, plan, retention_days, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(slug)
        .bind(name)
        .bind(plan.as_str())
        .bind(i64::from(retention_days))
        .bind(micros(Utc::now()))
        .fetch_one(&mut *tx)
        .await
        .map_err(duplicate_as("organization"))?;
        sqlx::query("INSERT INTO chain_heads (org_id, seq, hash) VALUES ($1, 0, $2)")
            .bind(id)
            .bind(crate::chain::GENESIS)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Organization {
            id,
            slug: slug.to_owned(),
            name: name.to_owned(),
            plan,
            retention_days,
        })
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

    /// Creates a role in an organization.
    pub async fn create_role(
        &self,
        org_id: i64,
        name: &str,
        permissions: &[Permission],
        builtin: bool,
    ) -> StoreResult<Role> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO roles (org_id, name, permissions, builtin)
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(org_id)
        .bind(name)
        .bind(join_permissions(permissions))
        .bind(builtin)
        .fetch_one(&self.pool)
        .await
        .map_err(duplicate_as("role"))?;
        Ok(Role {
            id,
            org_id,
            name: name.to_owned(),
            permissions: permissions.to_vec(),
            builtin,
        })
    }

    /// The organization's role with this name.
    pub async fn role_by_name(&self, org_id: i64, name: &str) -> StoreResult<Option<Role>> {
        let sql = format!("SELECT {ROLE_COLUMNS} FROM roles r WHERE r.org_id = $1 AND r.name = $2");
        let row = sqlx::query(&sql)
            .bind(org_id)
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(role).transpose()
    }

    /// Creates a user.
    pub async fn create_user(
        &self,
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
        .fetch_one(&self.pool)
        .await
        .map_err(duplicate_as("user"))?;
        Ok(User {
            id,
            email: email.to_owned(),
            display_name: display_name.to_owned(),
            password_hash: password_hash.to_owned(),
        })
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

    /// Makes a user a member of an organization with a role.
    pub async fn add_member(&self, org_id: i64, user_id: i64, role_id: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO memberships (org_id, user_id, role_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(role_id)
        .bind(micros(Utc::now()))
        .execute(&self.pool)
        .await
        .map_err(duplicate_as("membership"))?;
        Ok(())
    }

    /// Every membership of a user, oldest first.
    pub async fn memberships(&self, user_id: i64) -> StoreResult<Vec<Member>> {
        let sql = member_query("WHERE m.user_id = $1 ORDER BY m.created_at, m.org_id");
        let found = sqlx::query(&sql)
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        found.iter().map(member).collect()
    }

    /// Opens a session.
    pub async fn create_session(&self, session: &NewSession<'_>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, org_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(session.token_hash)
        .bind(session.user_id)
        .bind(session.org_id)
        .bind(micros(Utc::now()))
        .bind(micros(session.expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The member behind an unexpired session.
    pub async fn session_member(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Member>> {
        let sql = member_query(
            "JOIN sessions s ON s.user_id = m.user_id AND s.org_id = m.org_id
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        );
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .bind(micros(now))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(member).transpose()
    }

    /// Closes a session.
    pub async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores a new API key.
    pub async fn create_api_key(
        &self,
        org_id: i64,
        name: &str,
        scopes: &[Permission],
        secret_hash: &str,
        last4: &str,
    ) -> StoreResult<ApiKey> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_keys (org_id, name, scopes, secret_hash, last4, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(org_id)
        .bind(name)
        .bind(join_permissions(scopes))
        .bind(secret_hash)
        .bind(last4)
        .bind(micros(Utc::now()))
        .fetch_one(&self.pool)
        .await
        .map_err(duplicate_as("API key"))?;
        Ok(ApiKey {
            id,
            org_id,
            name: name.to_owned(),
            scopes: scopes.to_vec(),
            last4: last4.to_owned(),
        })
    }

    /// The key with this secret hash and its organization.
    pub async fn api_key_by_secret_hash(
        &self,
        secret_hash: &str,
    ) -> StoreResult<Option<(ApiKey, Organization)>> {
        let sql = format!(
            "SELECT k.id AS key_id, k.name AS key_name, k.scopes, k.last4, {ORG_COLUMNS}
             FROM api_keys k JOIN organizations o ON o.id = k.org_id
             WHERE k.secret_hash = $1"
        );
        let Some(row) = sqlx::query(&sql)
            .bind(secret_hash)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let org = organization(&row)?;
        let key = ApiKey {
            id: row.try_get("key_id")?,
            org_id: org.id,
            name: row.try_get("key_name")?,
            scopes: split_permissions(&row.try_get::<String, _>("scopes")?)?,
            last4: row.try_get("last4")?,
        };
        Ok(Some((key, org)))
    }

    /// Saves a named search for a member (a name is unique per member and organization).
    pub async fn create_saved_view(
        &self,
        org_id: i64,
        user_id: i64,
        name: &str,
        search: &str,
    ) -> StoreResult<SavedView> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO saved_views (org_id, user_id, name, search, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(name)
        .bind(search)
        .bind(micros(Utc::now()))
        .fetch_one(&self.pool)
        .await
        .map_err(duplicate_as("saved view"))?;
        Ok(SavedView {
            id,
            name: name.to_owned(),
            search: search.to_owned(),
        })
    }

    /// A member's saved views in an organization, by name.
    pub async fn saved_views(&self, org_id: i64, user_id: i64) -> StoreResult<Vec<SavedView>> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, name, search FROM saved_views
             WHERE org_id = $1 AND user_id = $2 ORDER BY name",
        )
        .bind(org_id)
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, search)| SavedView { id, name, search })
            .collect())
    }

    /// Deletes one of a member's saved views; answers whether it existed.
    pub async fn delete_saved_view(&self, org_id: i64, user_id: i64, id: i64) -> StoreResult<bool> {
        let done =
            sqlx::query("DELETE FROM saved_views WHERE id = $1 AND org_id = $2 AND user_id = $3")
                .bind(id)
                .bind(org_id)
                .bind(user_id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }
}
