//! An organization's retention: how long its events are kept, whether a legal hold stops the
//! purge, and what the last purge removed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What `GET /api/v1/settings/retention` answers and the Settings page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RetentionSettings {
    /// Events received longer ago than this many days are archived, then purged.
    pub retention_days: u32,
    /// The longest retention the organization's plan allows.
    pub max_retention_days: u32,
    /// While held, nothing of the organization is purged, whatever its age.
    pub legal_hold: bool,
    /// Every event up to this `seq` has been purged (0 when nothing has been).
    pub purged_through_seq: i64,
    /// The latest purge, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_purge: Option<PurgeRecord>,
}

/// What `PUT /api/v1/settings/retention` takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RetentionUpdate {
    /// From 1 to the plan's maximum.
    pub retention_days: u32,
    /// Left as it is when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_hold: Option<bool>,
}

/// One purge: a range of events archived to a file, then deleted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PurgeRecord {
    /// The first and last `seq` purged.
    pub first_seq: i64,
    pub through_seq: i64,
    /// The hash of the event at `through_seq`: the `prev_hash` the first kept event links to.
    pub through_hash: String,
    /// The archive file's name (in the server's archive directory).
    pub archive: String,
    /// SHA-256 of the archive file, hex.
    pub archive_sha256: String,
    pub purged_at: DateTime<Utc>,
}
