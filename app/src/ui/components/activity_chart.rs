//! The activity chart above the table: matching events per time bucket, failures in red, a time
//! axis under the bars and a tooltip per bar (on hover or keyboard focus); clicking a bar, or
//! Enter on it, narrows the search to that bucket.

use crate::model::{axis_ticks, Activity, ActivityBucket};
use crate::ui::time;
use chrono::{DateTime, Duration, Local, Utc};
use leptos::prelude::*;

/// The drawing's own units: the SVG scales to the card's width.
const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 90.0;
/// Labels on the time axis, at most: room for each even on a phone.
const MAX_TICKS: usize = 6;

/// What a bar's tooltip and accessible name say.
fn describe(b: &ActivityBucket, span: Duration) -> String {
    format!(
        "{} – {}: {} events, {} failed",
        time::local(b.start),
        time::local(b.start + span),
        b.total,
        b.failures
    )
}

/// One bar; `active` is the bar whose tooltip shows.
fn bar(
    i: usize,
    b: &ActivityBucket,
    width: f64,
    peak: u64,
    span: Duration,
    active: RwSignal<Option<usize>>,
    on_select: Callback<DateTime<Utc>>,
) -> impl IntoView {
    let scale = |n: u64| {
        if peak == 0 {
            0.0
        } else {
            HEIGHT * n as f64 / peak as f64
        }
    };
    let (x, total, failures) = (i as f64 * width, scale(b.total), scale(b.failures));
    let start = b.start;
    view! {
        <g class="bar" tabindex="0" role="button" aria-label=describe(b, span)
            on:click=move |_| on_select.run(start)
            on:keydown=move |ev| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    on_select.run(start);
                }
            }
            on:mouseenter=move |_| active.set(Some(i))
            on:focus=move |_| active.set(Some(i))
            on:mouseleave=move |_| active.set(None)
            on:blur=move |_| active.set(None)>
            <rect class="bar-hit" x=x y="0" width=width height=HEIGHT />
            <rect class="bar-total" x=x y=HEIGHT - total width=(width - 1.0).max(1.0) height=total />
            <rect class="bar-failures" x=x y=HEIGHT - failures width=(width - 1.0).max(1.0) height=failures />
        </g>
    }
}

/// The tooltip over bar `i` of `n`, kept inside the card: anchored by its left edge on the left
/// half, by its right edge on the right half.
fn tooltip(text: String, i: usize, n: usize) -> impl IntoView {
    let centre = (i as f64 + 0.5) / n.max(1) as f64 * 100.0;
    // Set through the CSSOM (`style:`), which the Content-Security-Policy allows; a `style`
    // attribute would be refused as inline style.
    let (left, right) = if centre <= 50.0 {
        (Some(format!("{centre:.2}%")), None)
    } else {
        (None, Some(format!("{:.2}%", 100.0 - centre)))
    };
    view! { <div class="chart-tooltip" role="tooltip" style:left=left style:right=right>{text}</div> }
}

/// The axis under the bars, from the first bucket's start to the last one's end.
fn time_axis(start: DateTime<Utc>, end: DateTime<Utc>) -> impl IntoView {
    let local = |t: DateTime<Utc>| t.with_timezone(&Local).naive_local();
    let ticks = axis_ticks(local(start), local(end), MAX_TICKS)
        .into_iter()
        .map(|tick| {
            let left = format!("{:.2}%", tick.at * 100.0);
            view! { <span class="chart-tick" style:left=left>{tick.label}</span> }
        })
        .collect_view();
    view! { <div class="chart-axis" aria-hidden="true">{ticks}</div> }
}

/// The chart; `on_select` receives the search (`after:… before:…`) of a chosen bar.
#[component]
pub fn ActivityChart(activity: Activity, on_select: Callback<String>) -> impl IntoView {
    let buckets = activity.buckets;
    let peak = buckets.iter().map(|b| b.total).max().unwrap_or(0);
    let total: u64 = buckets.iter().map(|b| b.total).sum();
    let failures: u64 = buckets.iter().map(|b| b.failures).sum();
    let n = buckets.len();
    let width = WIDTH / n.max(1) as f64;
    let span = Duration::seconds(activity.bucket_seconds);
    let rfc3339 = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let select = Callback::new(move |start: DateTime<Utc>| {
        on_select.run(format!(
            "after:{} before:{}",
            rfc3339(start),
            rfc3339(start + span)
        ));
    });
    let active = RwSignal::new(None::<usize>);
    let bars = buckets
        .iter()
        .enumerate()
        .map(|(i, b)| bar(i, b, width, peak, span, active, select))
        .collect_view();
    let range = buckets
        .first()
        .zip(buckets.last())
        .map(|(f, l)| (f.start, l.start + span));
    let caption = range.map(|(from, to)| format!("{} – {}", time::local(from), time::local(to)));
    let axis = range.map(|(from, to)| time_axis(from, to));
    let descriptions: Vec<String> = buckets.iter().map(|b| describe(b, span)).collect();
    let shown_tooltip = move || {
        active
            .get()
            .and_then(|i| descriptions.get(i).map(|text| tooltip(text.clone(), i, n)))
    };
    let summary = format!("Activity: {total} events, {failures} failed");
    let label = summary.clone();
    view! {
        <figure class="activity-chart" aria-label=label>
            <figcaption>
                <span>{summary}</span>
                <span class="activity-range">{caption}</span>
            </figcaption>
            <div class="chart-plot">
                <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") preserveAspectRatio="none">{bars}</svg>
                {shown_tooltip}
            </div>
            {axis}
        </figure>
    }
}
