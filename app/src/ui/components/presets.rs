//! One-click investigations (the secrets-manager playbook): each fills the search, asking first
//! for the key name or the member when it needs one.

use crate::model::{parse_search, EventFilter};
use chrono::{Duration, SubsecRound, Utc};
use leptos::prelude::*;

/// An investigation that needs one value from the investigator.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Asking {
    LeakedKey,
    Offboarding,
}

impl Asking {
    fn label(self) -> &'static str {
        match self {
            Self::LeakedKey => "API key name",
            Self::Offboarding => "Member email",
        }
    }

    /// The search for `value`: the key's or member's actions over the usual window.
    fn search(self, value: &str) -> String {
        let since = |days| (Utc::now() - Duration::days(days)).date_naive();
        match self {
            Self::LeakedKey => format!("actor:api-key:{value} after:{}", since(7)),
            Self::Offboarding => format!("actor:{value} after:{}", since(30)),
        }
    }
}

/// Narrows `filter` to the last `hours` hours (to the second): its start moves, its end goes.
pub(super) fn within_last(filter: &mut EventFilter, hours: i64) {
    filter.from = Some(Utc::now().trunc_subsecs(0) - Duration::hours(hours));
    filter.until = None;
}

/// The periods offered as one-click time ranges: label and hours.
pub(super) const PERIODS: [(&str, i64); 3] = [
    ("Last 24 h", 24),
    ("Last 7 days", 24 * 7),
    ("Last 30 days", 24 * 30),
];

/// One-click time ranges applied to the current search.
#[component]
pub fn PeriodPresets(current: Signal<String>, on_apply: Callback<String>) -> impl IntoView {
    let buttons = PERIODS
        .into_iter()
        .map(|(label, hours)| {
            view! {
                <button type="button" class="chip"
                    on:click=move |_| {
                        // A search that does not parse keeps its inline error instead.
                        if let Ok(mut filter) = parse_search(&current.get_untracked()) {
                            within_last(&mut filter, hours);
                            on_apply.run(filter.to_search());
                        }
                    }>
                    {label}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="presets" role="group" aria-label="Time range">
            <span class="presets-title">"Period:"</span>
            {buttons}
        </div>
    }
}

/// The investigation buttons; `on_apply` receives the search to run.
#[component]
pub fn Presets(on_apply: Callback<String>) -> impl IntoView {
    let asking = RwSignal::new(None::<Asking>);
    let value = RwSignal::new(String::new());
    let ask = move |what: Asking| {
        value.set(String::new());
        asking.set(Some(what));
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = value.get_untracked().trim().to_owned();
        if let (Some(what), false) = (asking.get_untracked(), text.is_empty()) {
            asking.set(None);
            on_apply.run(what.search(&text));
        }
    };
    view! {
        <div class="presets" role="group" aria-label="Investigations">
            <span class="presets-title">"Investigate:"</span>
            <button type="button" class="chip" on:click=move |_| ask(Asking::LeakedKey)>
                "Suspected leaked API key"
            </button>
            <button type="button" class="chip" on:click=move |_| ask(Asking::Offboarding)>
                "Off-boarding follow-up"
            </button>
            <button type="button" class="chip"
                on:click=move |_| on_apply.run("type:secret action:SECRET_SET env:production".into())>
                "Unexpected production change"
            </button>
            {move || asking.get().map(|what| view! {
                <form class="preset-form" on:submit=submit>
                    <label>
                        {what.label()}
                        <input type="text" required autofocus bind:value=value />
                    </label>
                    <button type="submit" class="primary">"Investigate"</button>
                    <button type="button" class="secondary" on:click=move |_| asking.set(None)>"Cancel"</button>
                </form>
            })}
        </div>
    }
}
