//! The filter panel: separate controls (date range, actor, category, action, target, IP,
//! result, environment, free text) that edit a draft of the filter in effect. Apply writes the
//! draft into the search (the URL stays the single source of truth); Reset clears it.

mod action_picker;
mod actor_picker;
mod checklist;
mod chips;
mod date_range;
mod list_field;

use crate::model::{EventFilter, EventResult, IpRange};
use action_picker::{catalogue_categories, ActionPicker};
use actor_picker::ActorPicker;
use checklist::Checklist;
use date_range::DateRange;
use leptos::prelude::*;
use list_field::ListField;

/// One list of the draft filter, seen as strings: what a control reads and replaces.
#[derive(Clone, Copy)]
struct Field {
    draft: RwSignal<EventFilter>,
    get: fn(&EventFilter) -> Vec<String>,
    put: fn(&mut EventFilter, Vec<String>),
}

impl Field {
    /// The values (tracked).
    fn values(self) -> Vec<String> {
        self.draft.with(self.get)
    }

    fn set(self, values: Vec<String>) {
        self.draft.update(|f| (self.put)(f, values));
    }

    /// Adds `value` unless it is blank or already there.
    fn add(self, value: &str) {
        let value = value.trim();
        let mut values = self.draft.with_untracked(self.get);
        if !value.is_empty() && !values.iter().any(|v| v == value) {
            values.push(value.to_owned());
            self.set(values);
        }
    }

    fn remove(self, value: &str) {
        let mut values = self.draft.with_untracked(self.get);
        values.retain(|v| v != value);
        self.set(values);
    }
}

/// The toggle ("Filters (n)") and, when open, the form; `applied` is the filter in effect,
/// `on_apply` receives the search to run.
#[component]
pub fn FilterPanel(applied: Signal<EventFilter>, on_apply: Callback<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    // Every bound and value counts as one filter.
    let count = move || match applied.with(|f| f.to_pairs().len()) {
        0 => String::new(),
        n => format!(" ({n})"),
    };
    // Bumped by Reset so the form starts afresh even when the search was already empty.
    let generation = RwSignal::new(0u32);
    let on_reset = Callback::new(move |()| {
        generation.update(|g| *g += 1);
        on_apply.run(String::new());
    });
    let form = move || {
        open.get().then(|| {
            generation.track();
            let start = applied.get();
            view! { <FilterForm start on_apply on_reset /> }
        })
    };
    view! {
        <section class="filter-panel">
            <button type="button" class="secondary filter-toggle" aria-controls="filter-form"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>
                "Filters"{count}
            </button>
            {form}
        </section>
    }
}

/// The controls over a draft that starts as `start`.
#[component]
fn FilterForm(
    start: EventFilter,
    on_apply: Callback<String>,
    on_reset: Callback<()>,
) -> impl IntoView {
    let draft = RwSignal::new(start);
    let field = |get, put| Field { draft, get, put };
    let actors = field(|f| f.include.actors.clone(), |f, v| f.include.actors = v);
    let actions = field(|f| f.include.actions.clone(), |f, v| f.include.actions = v);
    let categories = field(
        |f| f.include.categories.clone(),
        |f, v| f.include.categories = v,
    );
    let target_types = field(
        |f| f.include.target_types.clone(),
        |f, v| f.include.target_types = v,
    );
    let target_ids = field(
        |f| f.include.target_ids.clone(),
        |f, v| f.include.target_ids = v,
    );
    let environments = field(
        |f| f.include.environments.clone(),
        |f, v| f.include.environments = v,
    );
    let ips = field(
        |f| f.include.ips.iter().map(IpRange::to_string).collect(),
        // The field only passes values that parsed (see `check_ip`).
        |f, v| f.include.ips = v.iter().filter_map(|ip| IpRange::parse(ip).ok()).collect(),
    );
    let results = field(
        |f| {
            f.include
                .results
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect()
        },
        |f, v| {
            f.include.results = [EventResult::Success, EventResult::Failure]
                .into_iter()
                .filter(|r| v.iter().any(|s| s == r.as_str()))
                .collect()
        },
    );
    let category_options = catalogue_categories()
        .into_iter()
        .map(|c| (c.to_owned(), String::new()))
        .collect::<Vec<_>>();
    let result_options = vec![
        ("success".to_owned(), String::new()),
        ("failure".to_owned(), String::new()),
    ];
    let free_text = move || draft.with(|f| f.q.clone().unwrap_or_default());
    let set_free_text = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        draft.update(|f| f.q = Some(text).filter(|t| !t.trim().is_empty()));
    };
    // What the panel has no control for stays as it is, and is shown.
    let excluded = move || {
        let only = draft.with(|f| EventFilter {
            exclude: f.exclude.clone(),
            ..EventFilter::default()
        });
        let text = only.to_search();
        (!text.is_empty()).then(|| {
            view! {
                <p class="filter-note">"Also excluded (edit in the search box): "<code>{text}</code></p>
            }
        })
    };
    let actor_text = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        actors.add(&actor_text.get_untracked());
        on_apply.run(draft.with_untracked(EventFilter::to_search));
    };
    view! {
        <form id="filter-form" class="filter-form" aria-label="Event filters" on:submit=submit>
            <DateRange draft />
            <div class="filter-row">
                <ActorPicker field=actors text=actor_text />
                <ActionPicker field=actions />
            </div>
            <Checklist legend="Category" options=category_options field=categories />
            <div class="filter-row">
                <ListField label="Target type" field=target_types placeholder="secret, user" />
                <ListField label="Target id" field=target_ids placeholder="secret_database_url" />
                <ListField label="IP address or CIDR" field=ips check=check_ip
                    placeholder="10.0.0.0/8, 2001:db8::/32" />
                <ListField label="Environment" field=environments placeholder="production" />
            </div>
            <div class="filter-row">
                <Checklist legend="Result" options=result_options field=results />
                <label class="filter-field">
                    "Free text"
                    <input type="text" autocomplete="off" prop:value=free_text on:input=set_free_text />
                </label>
            </div>
            {excluded}
            <div class="form-actions">
                <button type="submit" class="primary">"Apply"</button>
                <button type="button" class="secondary" on:click=move |_| on_reset.run(())>"Reset"</button>
            </div>
        </form>
    }
}

/// Whether `value` is an IP address or CIDR block.
fn check_ip(value: &str) -> Result<(), String> {
    IpRange::parse(value).map(|_| ())
}
