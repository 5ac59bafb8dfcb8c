//! The activity chart: matching events per time bucket over the filter's period.

use super::Services;
use app::model::{Access, Activity, ActivityBucket, ApiError, EventFilter, Permission};
use chrono::{DateTime, Duration, Utc};

/// Bucket widths a chart may use, in seconds: the first that gives at most [`MAX_BARS`] wins.
const BUCKET_SECONDS: [i64; 10] = [
    60,
    300,
    900,
    3600,
    3 * 3600,
    6 * 3600,
    12 * 3600,
    86_400,
    7 * 86_400,
    30 * 86_400,
];
/// Most bars a chart draws.
const MAX_BARS: i64 = 100;
/// The period shown when the filter names no start.
const DEFAULT_DAYS: i64 = 30;

/// The bucket width (seconds) for a period.
fn bucket_seconds(period: Duration) -> i64 {
    let seconds = period.num_seconds().max(1);
    BUCKET_SECONDS
        .into_iter()
        .find(|b| seconds / b <= MAX_BARS)
        .unwrap_or(BUCKET_SECONDS[BUCKET_SECONDS.len() - 1])
}

fn at_micros(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

impl Services {
    /// The histogram of an organization's events matching `filter` over its period (the last
    /// 30 days when it names no start), every bucket included.
    pub async fn activity(
        &self,
        caller: &Access,
        filter: EventFilter,
    ) -> Result<Activity, ApiError> {
        caller.require(Permission::AuditLogsRead)?;
        let org_id = caller.org_id;
        let now = Utc::now();
        let until = filter.until.unwrap_or(now);
        let from = filter.from.unwrap_or(until - Duration::days(DEFAULT_DAYS));
        if from >= until {
            return Ok(Activity {
                bucket_seconds: 60,
                buckets: vec![],
            });
        }
        let seconds = bucket_seconds(until - from);
        let width = seconds * 1_000_000;
        let window = EventFilter {
            from: Some(from),
            until: Some(until),
            ..filter
        };
        let rows = self.stores.events.histogram(org_id, &window, width).await?;
        let first = from.timestamp_micros().div_euclid(width);
        let last = (until.timestamp_micros() - 1).div_euclid(width);
        let mut counts = rows.into_iter().peekable();
        let buckets = (first..=last)
            .map(|bucket| {
                let (total, failures) = match counts.peek() {
                    Some(&(b, total, failures)) if b == bucket => {
                        counts.next();
                        (total, failures)
                    }
                    _ => (0, 0),
                };
                ActivityBucket {
                    start: at_micros(bucket * width),
                    total: u64::try_from(total).unwrap_or(0),
                    failures: u64::try_from(failures).unwrap_or(0),
                }
            })
            .collect();
        Ok(Activity {
            bucket_seconds: seconds,
            buckets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_keep_the_chart_at_most_a_hundred_bars() {
        assert_eq!(bucket_seconds(Duration::hours(1)), 60);
        assert_eq!(bucket_seconds(Duration::hours(24)), 900);
        assert_eq!(bucket_seconds(Duration::days(7)), 3 * 3600);
        assert_eq!(bucket_seconds(Duration::days(30)), 12 * 3600);
        assert_eq!(bucket_seconds(Duration::days(90)), 86_400);
        assert_eq!(bucket_seconds(Duration::days(3650)), 30 * 86_400);
    }
}
