//! The outcome of verifying an organization's hash chain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What `GET /api/v1/audit-logs/verify` answers: whether every event's hash, every link and the
/// chain head hold, how many events were checked, and where and why the chain breaks if it does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChainVerification {
    /// Whether the whole chain is intact.
    pub ok: bool,
    /// How many events were checked (up to the break, when there is one).
    pub checked: u64,
    /// The first `seq` at which the chain does not hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broken_at_seq: Option<i64>,
    /// Why the chain breaks there, in a sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the verification finished.
    pub verified_at: DateTime<Utc>,
}
