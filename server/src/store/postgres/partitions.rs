//! Monthly partitions of `events`, created ahead of time.

use crate::store::StoreResult;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sqlx::PgPool;

/// How many months ahead of the current one get a partition.
const MONTHS_AHEAD: u32 = 3;

/// The first day of the month `offset` months after `day`'s.
fn month_start(day: NaiveDate, offset: u32) -> NaiveDate {
    let months = day.year() * 12 + day.month0() as i32 + offset as i32;
    NaiveDate::from_ymd_opt(months.div_euclid(12), months.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(day)
}

/// Creates the partitions of the current month and the next [`MONTHS_AHEAD`] if missing.
/// A month whose rows already landed in the default partition keeps living there (PostgreSQL
/// refuses to carve a partition out of a default that holds its rows); that is logged, not fatal.
pub async fn ensure_ahead(pool: &PgPool, now: DateTime<Utc>) -> StoreResult<()> {
    let today = now.date_naive();
    for offset in 0..=MONTHS_AHEAD {
        let (start, end) = (month_start(today, offset), month_start(today, offset + 1));
        let sql = format!(
            "CREATE TABLE IF NOT EXISTS events_{} PARTITION OF events \
             FOR VALUES FROM ('{start}T00:00:00Z') TO ('{end}T00:00:00Z')",
            start.format("%Y_%m")
        );
        if let Err(error) = sqlx::query(&sql).execute(pool).await {
            tracing::warn!(%error, month = %start, "could not create the month's events partition");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_starts_roll_over_the_year() {
        let d = NaiveDate::from_ymd_opt(2025, 11, 17).unwrap();
        assert_eq!(month_start(d, 0).to_string(), "2025-11-01");
        assert_eq!(month_start(d, 2).to_string(), "2026-01-01");
        assert_eq!(month_start(d, 14).to_string(), "2027-01-01");
    }
}
