//! Invitations: a single-use, expiring token that makes its holder a member with a role.

use super::{from_micros, micros, IdentityStore, IdentityTx};
use crate::store::StoreResult;
use app::model::InvitationSummary;
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

/// An invitation as stored.
#[derive(Clone, Debug)]
pub struct Invitation {
    pub summary: InvitationSummary,
    pub org_id: i64,
    pub org_name: String,
    pub role_id: i64,
}

/// An invitation about to be stored.
pub struct NewInvitation<'a> {
    pub org_id: i64,
    pub email: &'a str,
    pub role_id: i64,
    pub token_hash: &'a str,
    pub invited_by: i64,
    pub expires_at: DateTime<Utc>,
}

const INVITATION_QUERY: &str = "SELECT i.id, i.org_id, o.name AS org_name, i.email, i.role_id,
        r.name AS role_name, i.created_at, i.expires_at
     FROM invitations i
     JOIN roles r ON r.id = i.role_id
     JOIN organizations o ON o.id = i.org_id";

fn invitation(row: &AnyRow) -> StoreResult<Invitation> {
    Ok(Invitation {
        summary: InvitationSummary {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            role: row.try_get("role_name")?,
            created_at: from_micros(row.try_get("created_at")?)?,
            expires_at: from_micros(row.try_get("expires_at")?)?,
        },
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        role_id: row.try_get("role_id")?,
    })
}

impl IdentityStore {
    /// The organization's invitations that can still be accepted, newest first.
    pub async fn pending_invitations(
        &self,
        org_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<InvitationSummary>> {
        let sql = format!(
            "{INVITATION_QUERY}
             WHERE i.org_id = $1 AND i.accepted_at IS NULL AND i.expires_at > $2
             ORDER BY i.created_at DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(org_id)
            .bind(micros(now))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| invitation(row).map(|i| i.summary))
            .collect()
    }

    /// The pending, unexpired invitation behind a token.
    pub async fn open_invitation(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Invitation>> {
        let sql = format!(
            "{INVITATION_QUERY}
             WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.expires_at > $2"
        );
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .bind(micros(now))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(invitation).transpose()
    }
}

impl IdentityTx {
    /// Stores an invitation.
    pub async fn create_invitation(&mut self, new: &NewInvitation<'_>) -> StoreResult<Invitation> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO invitations
                 (org_id, email, role_id, token_hash, invited_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(new.org_id)
        .bind(new.email)
        .bind(new.role_id)
        .bind(new.token_hash)
        .bind(new.invited_by)
        .bind(micros(Utc::now()))
        .bind(micros(new.expires_at))
        .fetch_one(&mut *self.tx)
        .await?;
        let sql = format!("{INVITATION_QUERY} WHERE i.id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_one(&mut *self.tx).await?;
        invitation(&row)
    }

    /// Marks an invitation used and makes the user a member, atomically; answers false when
    /// the invitation was used meanwhile.
    pub async fn accept_invitation(
        &mut self,
        invitation: &Invitation,
        user_id: i64,
    ) -> StoreResult<bool> {
        let now = micros(Utc::now());
        let claimed = sqlx::query(
            "UPDATE invitations SET accepted_at = $1 WHERE id = $2 AND accepted_at IS NULL",
        )
        .bind(now)
        .bind(invitation.summary.id)
        .execute(&mut *self.tx)
        .await?;
        if claimed.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO memberships (org_id, user_id, role_id, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (org_id, user_id) DO NOTHING",
        )
        .bind(invitation.org_id)
        .bind(user_id)
        .bind(invitation.role_id)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(true)
    }

    /// Withdraws a pending invitation; answers whether there was one.
    pub async fn delete_invitation(&mut self, org_id: i64, id: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "DELETE FROM invitations WHERE org_id = $1 AND id = $2 AND accepted_at IS NULL",
        )
        .bind(org_id)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
