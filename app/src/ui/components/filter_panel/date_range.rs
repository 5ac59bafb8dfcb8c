//! The date range of the draft: the one-click periods and a custom from/to in whole UTC days.

use super::super::presets::{within_last, PERIODS};
use crate::model::{parse_date, EventFilter};
use chrono::{DateTime, Days, Duration, NaiveTime, Utc};
use leptos::prelude::*;

/// The first instant (UTC) of a `YYYY-MM-DD` input's day, `days` later; `None` when empty.
fn day_start(value: &str, days: u64) -> Option<DateTime<Utc>> {
    parse_date(value)
        .and_then(|d| d.checked_add_days(Days::new(days)))
        .map(|d| d.and_time(NaiveTime::MIN).and_utc())
}

fn date_input(t: DateTime<Utc>) -> String {
    t.date_naive().to_string()
}

/// Periods, From and To; `to` includes its whole day (the filter's `until` is exclusive).
#[component]
pub(super) fn DateRange(draft: RwSignal<EventFilter>) -> impl IntoView {
    let periods = PERIODS
        .into_iter()
        .map(|(label, hours)| {
            let pick = move |_| draft.update(|f| within_last(f, hours));
            view! { <button type="button" class="chip" on:click=pick>{label}</button> }
        })
        .collect_view();
    let from = move || draft.with(|f| f.from.map(date_input).unwrap_or_default());
    let to = move || {
        draft.with(|f| {
            f.until
                .map(|t| date_input(t - Duration::nanoseconds(1)))
                .unwrap_or_default()
        })
    };
    let set_from = move |ev: leptos::ev::Event| {
        let day = day_start(&event_target_value(&ev), 0);
        draft.update(|f| f.from = day);
    };
    let set_to = move |ev: leptos::ev::Event| {
        let next_day = day_start(&event_target_value(&ev), 1);
        draft.update(|f| f.until = next_day);
    };
    view! {
        <fieldset class="filter-dates">
            <legend>"Date range"</legend>
            <div class="presets" role="group" aria-label="Periods">{periods}</div>
            <label class="filter-field">
                "From (UTC)"
                <input type="date" prop:value=from on:change=set_from />
            </label>
            <label class="filter-field">
                "To (UTC, inclusive)"
                <input type="date" prop:value=to on:change=set_to />
            </label>
        </fieldset>
    }
}
