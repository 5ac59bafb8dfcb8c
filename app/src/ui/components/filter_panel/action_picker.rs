//! The action control: chips, a box that narrows the catalogue's actions (grouped by category,
//! one checkbox each) and adds what is typed (a key or a pattern like `user.*`) on Enter.

use super::checklist::Checklist;
use super::chips::ChipList;
use super::Field;
use crate::catalog::{EventType, ENTRIES};
use leptos::prelude::*;

/// The catalogue's categories, sorted, each once.
pub(super) fn catalogue_categories() -> Vec<&'static str> {
    let mut categories: Vec<&str> = ENTRIES.iter().map(|t| t.category).collect();
    categories.sort_unstable();
    categories.dedup();
    categories
}

/// Whether the catalogue entry `t` matches the lower-cased `wanted` (its key or its label
/// contains it; a trailing `*` is ignored so a pattern shows what it covers).
fn matches(t: &EventType, wanted: &str) -> bool {
    let wanted = wanted.trim().trim_end_matches('*');
    t.key.to_lowercase().contains(wanted) || t.label.to_lowercase().contains(wanted)
}

/// Action chips, the narrowing box and the grouped checkboxes.
#[component]
pub(super) fn ActionPicker(field: Field) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" {
            ev.prevent_default();
            field.add(&text.get_untracked());
            text.set(String::new());
        }
    };
    let groups = move || {
        let wanted = text.get().to_lowercase();
        catalogue_categories()
            .into_iter()
            .filter_map(|category| {
                let options: Vec<(String, String)> = ENTRIES
                    .iter()
                    .filter(|t| t.category == category && matches(t, &wanted))
                    .map(|t| (t.key.to_owned(), t.label.to_owned()))
                    .collect();
                (!options.is_empty()).then(|| view! { <Checklist legend=category options field /> })
            })
            .collect_view()
    };
    view! {
        <div class="filter-field">
            <label for="filter-action">"Action"</label>
            <ChipList field noun="action" />
            <input id="filter-action" type="search" autocomplete="off" spellcheck="false"
                placeholder="Narrow the list, or type user.* and press Enter"
                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))
                on:keydown=keydown />
            <div class="filter-action-list" role="group" aria-label="Catalogue actions">{groups}</div>
        </div>
    }
}
