//! The activity chart: matching events per time bucket over the filter's period.

use super::Services;
use app::model::{Access, Activity, ActivityBucket, ApiError, EventFilter, Permission};
use chrono::{DateTime, Duration, Utc};

/// Bucket widths a chart may use, in seconds: the first that gives at most [`MAX_BARS`] wins;
/// past the last, a multiple of it.
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

/// The buckets of a period: their width, and the numbers (start / width, in µs since the Unix
/// epoch) of the first and the last.
#[derive(Debug)]
struct Buckets {
    seconds: i64,
    first: i64,
    last: i64,
}

impl Buckets {
    /// The buckets of width `seconds` that `[from, until)` touches.
    fn at_width(seconds: i64, from: DateTime<Utc>, until: DateTime<Utc>) -> Self {
        let width = seconds * 1_000_000;
        Self {
            seconds,
            first: from.timestamp_micros().div_euclid(width),
            last: (until.timestamp_micros() - 1).div_euclid(width),
        }
    }

    /// At most [`MAX_BARS`] buckets over `[from, until)` (a non-empty period within the
    /// years a filter allows): the narrowest width of [`BUCKET_SECONDS`] that fits, else the
    /// narrowest multiple of the widest that is at least the period / (`MAX_BARS` - 1) — the
    /// one bar spare absorbs the alignment of the first bucket.
    fn over(from: DateTime<Utc>, until: DateTime<Utc>) -> Self {
        let fitting = BUCKET_SECONDS
            .into_iter()
            .map(|seconds| Self::at_width(seconds, from, until))
            .find(|b| b.count() <= MAX_BARS);
        fitting.unwrap_or_else(|| {
            let widest = BUCKET_SECONDS[BUCKET_SECONDS.len() - 1];
            let period = until.timestamp_micros() - from.timestamp_micros();
            let span = widest * 1_000_000 * (MAX_BARS - 1);
            let multiple = (period + span - 1) / span;
            Self::at_width(widest * multiple, from, until)
        })
    }

    fn count(&self) -> i64 {
        self.last - self.first + 1
    }

    fn width_micros(&self) -> i64 {
        self.seconds * 1_000_000
    }
}

fn at_micros(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

impl Services {
    /// The histogram of an organization's events matching `filter` over its period (the last
    /// 30 days when it names no start), every bucket included, at most [`MAX_BARS`] of them.
    /// The caller needs `audit_logs:read`.
    pub async fn activity(
        &self,
        caller: &Access,
        filter: EventFilter,
    ) -> Result<Activity, ApiError> {
        caller.require(Permission::AuditLogsRead)?;
        filter.validate()?;
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
        let buckets = Buckets::over(from, until);
        let width = buckets.width_micros();
        let window = EventFilter {
            from: Some(from),
            until: Some(until),
            ..filter
        };
        let rows = self.stores.events.histogram(org_id, &window, width).await?;
        let mut counts = rows.into_iter().peekable();
        let bars = (buckets.first..=buckets.last)
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
            bucket_seconds: buckets.seconds,
            buckets: bars,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn over(from: &str, period: Duration) -> Buckets {
        let from: DateTime<Utc> = from.parse().unwrap();
        Buckets::over(from, from + period)
    }

    #[test]
    fn buckets_take_the_narrowest_preset_width_that_fits() {
        let midnight = "2025-01-01T00:00:00Z";
        assert_eq!(over(midnight, Duration::hours(1)).seconds, 60);
        assert_eq!(over(midnight, Duration::hours(24)).seconds, 900);
        assert_eq!(over(midnight, Duration::days(7)).seconds, 3 * 3600);
        assert_eq!(over(midnight, Duration::days(30)).seconds, 12 * 3600);
        assert_eq!(over(midnight, Duration::days(90)).seconds, 86_400);
    }

    #[test]
    fn past_the_widest_preset_buckets_widen_by_its_multiples() {
        let ten_years = over("2015-01-01T00:00:00Z", Duration::days(3650));
        assert_eq!(ten_years.seconds, 2 * 30 * 86_400);
        assert!(ten_years.count() <= MAX_BARS);
    }

    #[test]
    fn an_eight_thousand_year_period_has_at_most_a_hundred_buckets() {
        let eight_millennia = over("1975-06-15T12:34:56.789Z", Duration::days(8000 * 365));
        assert!(eight_millennia.count() <= MAX_BARS, "{eight_millennia:?}");
        assert!(
            eight_millennia.count() > MAX_BARS / 2,
            "{eight_millennia:?}"
        );
    }

    #[test]
    fn no_period_or_alignment_gives_more_than_a_hundred_buckets() {
        let starts = [
            "1970-01-01T00:00:00Z",
            "2025-01-01T00:00:30Z",
            "2025-03-07T13:17:29.123456Z",
        ];
        let periods = [
            Duration::microseconds(1),
            Duration::minutes(100),
            Duration::hours(25),
            Duration::days(100),
            Duration::days(2970),
            Duration::days(2971),
            Duration::days(3000 * 365),
            Duration::days(8000 * 365),
        ];
        for start in starts {
            for period in periods {
                let buckets = over(start, period);
                assert!(
                    buckets.count() <= MAX_BARS,
                    "{start} + {period}: {buckets:?}"
                );
            }
        }
    }
}
