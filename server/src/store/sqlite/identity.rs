//! Organizations, users, roles, memberships, sessions and API keys on SQLite.

use super::{micros, ApiKey, Member, NewSession, Organization, Role, StoreResult, User};
use crate::store::rows::{self, duplicate_as, join_permissions};
use app::model::{Permission, Plan};
use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

const ORG_COLUMNS: &str = "o.id AS org_id, o.slug, o.name AS org_name, o.plan, o.retention_days";
const USER_COLUMNS: &str = "u.id AS user_id, u.email, u.display_name, u.password_hash";
const ROLE_COLUMNS: &str =
    "r.id AS role_id, r.org_id AS role_org_id, r.name AS role_name, r.permissions, r.builtin";

pub async fn create_organization(
    pool: &SqlitePool,
    slug: &str,
    name: &str,
    plan: Plan,
    retention_days: u32,
) -> StoreResult<Organization> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO organizations (slug, name, plan, retention_days, created_at)
         VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(slug)
    .bind(name)
    .bind(plan.as_str())
    .bind(retention_days)
    .bind(micros(Utc::now()))
    .fetch_one(pool)
    .await
    .map_err(duplicate_as("organization"))?;
    Ok(Organization {
        id,
        slug: slug.to_owned(),
        name: name.to_owned(),
        plan,
        retention_days,
    })
}

pub async fn organization_by_slug(
    pool: &SqlitePool,
    slug: &str,
) -> StoreResult<Option<Organization>> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM organizations o WHERE o.slug = ?");
    let row = sqlx::query(&sql).bind(slug).fetch_optional(pool).await?;
    row.as_ref().map(rows::organization).transpose()
}

pub async fn create_role(
    pool: &SqlitePool,
    org_id: i64,
    name: &str,
    permissions: &[Permission],
    builtin: bool,
) -> StoreResult<Role> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO roles (org_id, name, permissions, builtin) VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(org_id)
    .bind(name)
    .bind(join_permissions(permissions))
    .bind(builtin)
    .fetch_one(pool)
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

pub async fn role_by_name(pool: &SqlitePool, org_id: i64, name: &str) -> StoreResult<Option<Role>> {
    let sql = format!("SELECT {ROLE_COLUMNS} FROM roles r WHERE r.org_id = ? AND r.name = ?");
    let row = sqlx::query(&sql)
        .bind(org_id)
        .bind(name)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(rows::role).transpose()
}

pub async fn create_user(
    pool: &SqlitePool,
    email: &str,
    display_name: &str,
    password_hash: &str,
) -> StoreResult<User> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, display_name, password_hash, created_at)
         VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(email)
    .bind(display_name)
    .bind(password_hash)
    .bind(micros(Utc::now()))
    .fetch_one(pool)
    .await
    .map_err(duplicate_as("user"))?;
    Ok(User {
        id,
        email: email.to_owned(),
        display_name: display_name.to_owned(),
        password_hash: password_hash.to_owned(),
    })
}

pub async fn user_by_email(pool: &SqlitePool, email: &str) -> StoreResult<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.email = ?");
    let row = sqlx::query(&sql).bind(email).fetch_optional(pool).await?;
    row.as_ref().map(rows::user).transpose()
}

pub async fn add_member(
    pool: &SqlitePool,
    org_id: i64,
    user_id: i64,
    role_id: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO memberships (org_id, user_id, role_id, created_at) VALUES (?, ?, ?, ?)",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(role_id)
    .bind(micros(Utc::now()))
    .execute(pool)
    .await
    .map_err(duplicate_as("membership"))?;
    Ok(())
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

pub async fn memberships(pool: &SqlitePool, user_id: i64) -> StoreResult<Vec<Member>> {
    let sql = member_query("WHERE m.user_id = ? ORDER BY m.created_at, m.org_id");
    let found = sqlx::query(&sql).bind(user_id).fetch_all(pool).await?;
    found.iter().map(rows::member).collect()
}

pub async fn create_session(pool: &SqlitePool, session: &NewSession<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, org_id, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(session.token_hash)
    .bind(session.user_id)
    .bind(session.org_id)
    .bind(micros(Utc::now()))
    .bind(micros(session.expires_at))
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn session_member(
    pool: &SqlitePool,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<Member>> {
    let sql = member_query(
        "JOIN sessions s ON s.user_id = m.user_id AND s.org_id = m.org_id
         WHERE s.token_hash = ? AND s.expires_at > ?",
    );
    let row = sqlx::query(&sql)
        .bind(token_hash)
        .bind(micros(now))
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(rows::member).transpose()
}

pub async fn delete_session(pool: &SqlitePool, token_hash: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn create_api_key(
    pool: &SqlitePool,
    org_id: i64,
    name: &str,
    scopes: &[Permission],
    secret_hash: &str,
    last4: &str,
) -> StoreResult<ApiKey> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_keys (org_id, name, scopes, secret_hash, last4, created_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(org_id)
    .bind(name)
    .bind(join_permissions(scopes))
    .bind(secret_hash)
    .bind(last4)
    .bind(micros(Utc::now()))
    .fetch_one(pool)
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

pub async fn api_key_by_secret_hash(
    pool: &SqlitePool,
    secret_hash: &str,
) -> StoreResult<Option<(ApiKey, Organization)>> {
    let sql = format!(
        "SELECT k.id AS key_id, k.name AS key_name, k.scopes, k.last4, {ORG_COLUMNS}
         FROM api_keys k JOIN organizations o ON o.id = k.org_id
         WHERE k.secret_hash = ?"
    );
    let Some(row) = sqlx::query(&sql)
        .bind(secret_hash)
        .fetch_optional(pool)
        .await?
    else {
        return Ok(None);
    };
    let org = rows::organization(&row)?;
    let key = rows::api_key(&row, org.id)?;
    Ok(Some((key, org)))
}
