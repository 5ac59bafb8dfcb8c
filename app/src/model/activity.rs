//! The activity chart's data: matching events per time bucket, failures apart.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Events in one bucket `[start, start + bucket_seconds)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityBucket {
    pub start: DateTime<Utc>,
    pub total: u64,
    pub failures: u64,
}

/// A histogram of matching events over the filter's period, every bucket present (empty ones
/// included) so it draws as a continuous series.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub bucket_seconds: i64,
    pub buckets: Vec<ActivityBucket>,
}
