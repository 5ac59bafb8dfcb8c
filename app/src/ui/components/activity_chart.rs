//! The activity chart above the table: matching events per time bucket, failures in red;
//! clicking a bar narrows the search to that bucket.

use crate::model::{Activity, ActivityBucket};
use crate::ui::time;
use chrono::{DateTime, Duration, Utc};
use leptos::prelude::*;

/// The drawing's own units: the SVG scales to the card's width.
const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 90.0;

fn bar(
    b: &ActivityBucket,
    x: f64,
    width: f64,
    peak: u64,
    on_select: Callback<DateTime<Utc>>,
) -> impl IntoView {
    let scale = |n: u64| {
        if peak == 0 {
            0.0
        } else {
            HEIGHT * n as f64 / peak as f64
        }
    };
    let (total, failures) = (scale(b.total), scale(b.failures));
    let label = format!(
        "{}: {} events, {} failed",
        time::local(b.start),
        b.total,
        b.failures
    );
    let start = b.start;
    view! {
        <g class="bar" on:click=move |_| on_select.run(start)>
            <title>{label}</title>
            <rect class="bar-hit" x=x y="0" width=width height=HEIGHT />
            <rect class="bar-total" x=x y=HEIGHT - total width=(width - 1.0).max(1.0) height=total />
            <rect class="bar-failures" x=x y=HEIGHT - failures width=(width - 1.0).max(1.0) height=failures />
        </g>
    }
}

/// The chart; `on_select` receives the search (`after:… before:…`) of a clicked bar.
#[component]
pub fn ActivityChart(activity: Activity, on_select: Callback<String>) -> impl IntoView {
    let peak = activity.buckets.iter().map(|b| b.total).max().unwrap_or(0);
    let total: u64 = activity.buckets.iter().map(|b| b.total).sum();
    let failures: u64 = activity.buckets.iter().map(|b| b.failures).sum();
    let width = WIDTH / activity.buckets.len().max(1) as f64;
    let span = Duration::seconds(activity.bucket_seconds);
    let rfc3339 = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let select = Callback::new(move |start: DateTime<Utc>| {
        on_select.run(format!(
            "after:{} before:{}",
            rfc3339(start),
            rfc3339(start + span)
        ));
    });
    let bars = activity
        .buckets
        .iter()
        .enumerate()
        .map(|(i, b)| bar(b, i as f64 * width, width, peak, select))
        .collect_view();
    let (first, last) = (activity.buckets.first(), activity.buckets.last());
    let range = first
        .zip(last)
        .map(|(f, l)| format!("{} – {}", time::local(f.start), time::local(l.start + span)));
    let summary = format!("Activity: {total} events, {failures} failed");
    view! {
        <figure class="activity-chart">
            <figcaption>
                <span>{summary.clone()}</span>
                <span class="activity-range">{range}</span>
            </figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") preserveAspectRatio="none" role="img"
                aria-label=summary>
                {bars}
            </svg>
        </figure>
    }
}
