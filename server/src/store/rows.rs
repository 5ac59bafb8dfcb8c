//! Row → record mapping shared by the SQLite and PostgreSQL stores (same column names and types).

use super::{Member, Organization, Role, StoreError, StoreResult, User};
use app::model::{Permission, Plan};
use sqlx::{ColumnIndex, Decode, Row, Type};

/// Comma-separated permission names, the stored form of a permission set.
pub fn join_permissions(permissions: &[Permission]) -> String {
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

fn parse_plan(text: &str) -> StoreResult<Plan> {
    Plan::parse(text).ok_or_else(|| StoreError::Corrupt(format!("plan {text}")))
}

/// Columns: org_id, slug, org_name, plan, retention_days.
pub fn organization<'r, R>(row: &'r R) -> StoreResult<Organization>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
{
    let retention: i64 = row.try_get("retention_days")?;
    Ok(Organization {
        id: row.try_get("org_id")?,
        slug: row.try_get("slug")?,
        name: row.try_get("org_name")?,
        plan: parse_plan(&row.try_get::<String, _>("plan")?)?,
        retention_days: u32::try_from(retention)
            .map_err(|_| StoreError::Corrupt(format!("retention {retention}")))?,
    })
}

/// Columns: user_id, email, display_name, password_hash.
pub fn user<'r, R>(row: &'r R) -> StoreResult<User>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(User {
        id: row.try_get("user_id")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        password_hash: row.try_get("password_hash")?,
    })
}

/// Columns: role_id, role_org_id, role_name, permissions, builtin.
pub fn role<'r, R>(row: &'r R) -> StoreResult<Role>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    bool: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(Role {
        id: row.try_get("role_id")?,
        org_id: row.try_get("role_org_id")?,
        name: row.try_get("role_name")?,
        permissions: split_permissions(&row.try_get::<String, _>("permissions")?)?,
        builtin: row.try_get("builtin")?,
    })
}

/// The user, organization and role columns of one membership.
pub fn member<'r, R>(row: &'r R) -> StoreResult<Member>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    bool: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(Member {
        user: user(row)?,
        organization: organization(row)?,
        role: role(row)?,
    })
}

/// The API key columns (key_id, key_name, scopes, last4) of a row that also holds its organization.
pub fn api_key<'r, R>(row: &'r R, org_id: i64) -> StoreResult<super::ApiKey>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(super::ApiKey {
        id: row.try_get("key_id")?,
        org_id,
        name: row.try_get("key_name")?,
        scopes: split_permissions(&row.try_get::<String, _>("scopes")?)?,
        last4: row.try_get("last4")?,
    })
}

/// Decodes an event stored as its API JSON.
pub fn event(data: &str) -> StoreResult<app::model::AuditEvent> {
    serde_json::from_str(data).map_err(|e| StoreError::Corrupt(format!("event: {e}")))
}

/// The stored JSON of an event.
pub fn event_json(event: &app::model::AuditEvent) -> StoreResult<String> {
    serde_json::to_string(event).map_err(|e| StoreError::Corrupt(format!("event: {e}")))
}

/// Turns a unique-constraint violation into [`StoreError::Duplicate`] naming `what`.
pub fn duplicate_as(what: &str) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Duplicate(what.to_owned())
        }
        _ => StoreError::Database(e),
    }
}
