//! The latest verification of each organization's chain, kept for the web app's badge.

use super::{from_micros, micros, IdentityStore};
use crate::store::StoreResult;
use app::model::ChainVerification;

impl IdentityStore {
    /// Records `verification` as the organization's latest, replacing the one before.
    pub async fn record_chain_verification(
        &self,
        org_id: i64,
        verification: &ChainVerification,
    ) -> StoreResult<()> {
        let _turn = self.turn().await;
        sqlx::query(
            "INSERT INTO chain_verifications (org_id, verified_at, checked, broken_at_seq, reason)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (org_id) DO UPDATE SET verified_at = excluded.verified_at,
                 checked = excluded.checked, broken_at_seq = excluded.broken_at_seq,
                 reason = excluded.reason",
        )
        .bind(org_id)
        .bind(micros(verification.verified_at))
        .bind(i64::try_from(verification.checked).unwrap_or(i64::MAX))
        .bind(verification.broken_at_seq)
        .bind(&verification.reason)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The organization's latest recorded verification, if any.
    pub async fn last_chain_verification(
        &self,
        org_id: i64,
    ) -> StoreResult<Option<ChainVerification>> {
        let row: Option<(i64, i64, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT verified_at, checked, broken_at_seq, reason
             FROM chain_verifications WHERE org_id = $1",
        )
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(verified_at, checked, broken_at_seq, reason)| {
            Ok(ChainVerification {
                ok: broken_at_seq.is_none(),
                checked: u64::try_from(checked).unwrap_or(0),
                broken_at_seq,
                reason,
                verified_at: from_micros(verified_at)?,
            })
        })
        .transpose()
    }
}
