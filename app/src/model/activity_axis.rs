//! The activity chart's time axis: a few round instants (minutes, hours, days or months, as the
//! range asks) between a start and an end in the viewer's wall-clock time. Pure arithmetic, kept
//! here beside [`super::Activity`] so it is tested natively.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// A labelled instant on the axis.
#[derive(Clone, Debug, PartialEq)]
pub struct AxisTick {
    /// Where it falls, from 0.0 (the start) to 1.0 (the end).
    pub at: f64,
    pub label: String,
}

/// A distance between ticks.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Step {
    /// Minutes, counted from midnight (every step divides a day).
    Minutes(i64),
    /// Days, counted from 0001-01-01.
    Days(i64),
    /// Months, counted from January.
    Months(u32),
}

/// The steps tried, finest first.
const STEPS: [Step; 15] = [
    Step::Minutes(1),
    Step::Minutes(5),
    Step::Minutes(15),
    Step::Minutes(30),
    Step::Minutes(60),
    Step::Minutes(3 * 60),
    Step::Minutes(6 * 60),
    Step::Minutes(12 * 60),
    Step::Days(1),
    Step::Days(2),
    Step::Days(7),
    Step::Months(1),
    Step::Months(3),
    Step::Months(6),
    Step::Months(12),
];

impl Step {
    /// Roughly how long the step is, to choose one.
    fn approx_seconds(self) -> i64 {
        match self {
            Step::Minutes(m) => m * 60,
            Step::Days(d) => d * 86_400,
            Step::Months(m) => i64::from(m) * 30 * 86_400,
        }
    }

    /// The first tick at or after `t`.
    fn first_from(self, t: NaiveDateTime) -> Option<NaiveDateTime> {
        let midnight = t.date().and_time(NaiveTime::MIN);
        match self {
            Step::Minutes(m) => {
                let seconds = (t - midnight).num_seconds();
                let steps = (seconds + m * 60 - 1) / (m * 60);
                Some(midnight + Duration::minutes(steps * m))
            }
            Step::Days(d) => {
                let day = i64::from(t.date().num_days_from_ce()) + i64::from(t > midnight);
                let day = (day + d - 1) / d * d;
                NaiveDate::from_num_days_from_ce_opt(i32::try_from(day).ok()?)
                    .map(|date| date.and_time(NaiveTime::MIN))
            }
            Step::Months(m) => {
                let month_start = t.date().with_day(1)?.and_time(NaiveTime::MIN);
                let mut tick = if month_start < t {
                    add_months(month_start, 1)?
                } else {
                    month_start
                };
                while tick.month0() % m != 0 {
                    tick = add_months(tick, 1)?;
                }
                Some(tick)
            }
        }
    }

    /// The tick after `t`.
    fn next(self, t: NaiveDateTime) -> Option<NaiveDateTime> {
        match self {
            Step::Minutes(m) => Some(t + Duration::minutes(m)),
            Step::Days(d) => Some(t + Duration::days(d)),
            Step::Months(m) => add_months(t, m),
        }
    }

    /// How a tick reads: the time of day, the day at midnight, the month, the year in January.
    /// (Written out rather than through chrono's `format`, whose strftime machinery would
    /// otherwise be compiled into the web app for these four patterns.)
    fn label(self, t: NaiveDateTime) -> String {
        let month = MONTHS[t.month0() as usize];
        match self {
            Step::Minutes(_) if t.time() != NaiveTime::MIN => {
                format!("{:02}:{:02}", t.hour(), t.minute())
            }
            Step::Minutes(_) | Step::Days(_) => format!("{month} {}", t.day()),
            Step::Months(_) if t.month() == 1 => t.year().to_string(),
            Step::Months(_) => month.to_owned(),
        }
    }
}

/// Month names as the axis shows them.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn add_months(t: NaiveDateTime, months: u32) -> Option<NaiveDateTime> {
    t.checked_add_months(chrono::Months::new(months))
}

/// At most `max` ticks between `start` and `end`, at the finest step that keeps under it.
pub fn axis_ticks(start: NaiveDateTime, end: NaiveDateTime, max: usize) -> Vec<AxisTick> {
    let span = (end - start).num_seconds();
    if span <= 0 || max == 0 {
        return vec![];
    }
    let max = i64::try_from(max).unwrap_or(i64::MAX);
    let step = STEPS
        .into_iter()
        .find(|s| span / s.approx_seconds() < max)
        .unwrap_or(Step::Months(12));
    let mut ticks = vec![];
    let mut next = step.first_from(start);
    while let Some(t) = next.filter(|t| *t <= end) {
        ticks.push(AxisTick {
            at: (t - start).num_seconds() as f64 / span as f64,
            label: step.label(t),
        });
        next = step.next(t);
    }
    ticks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn labels(start: &str, end: &str) -> Vec<String> {
        axis_ticks(at(start), at(end), 6)
            .into_iter()
            .map(|t| t.label)
            .collect()
    }

    #[test]
    fn a_day_is_marked_every_few_hours_with_midnight_as_the_date() {
        assert_eq!(
            labels("2025-03-04 10:20", "2025-03-05 10:20"),
            ["12:00", "18:00", "Mar 5", "06:00"]
        );
    }

    #[test]
    fn a_month_is_marked_by_days() {
        let labels = labels("2025-03-01 00:00", "2025-03-31 00:00");
        assert!(labels.len() >= 3 && labels.len() <= 6, "{labels:?}");
        assert!(labels.iter().all(|l| l.starts_with("Mar ")), "{labels:?}");
    }

    #[test]
    fn a_year_is_marked_by_months_and_january_by_the_year() {
        assert_eq!(
            labels("2024-11-15 00:00", "2025-11-15 00:00"),
            ["2025", "Apr", "Jul", "Oct"]
        );
    }

    #[test]
    fn ticks_fall_inside_the_range_in_order() {
        let ticks = axis_ticks(at("2025-03-04 10:20"), at("2025-03-04 11:20"), 6);
        assert!(ticks.len() >= 3);
        assert!(ticks.windows(2).all(|w| w[0].at < w[1].at));
        assert!(ticks.iter().all(|t| (0.0..=1.0).contains(&t.at)));
        assert_eq!(ticks[0].label, "10:30");
    }

    #[test]
    fn an_empty_range_has_no_ticks() {
        assert!(axis_ticks(at("2025-03-04 10:20"), at("2025-03-04 10:20"), 6).is_empty());
    }
}
