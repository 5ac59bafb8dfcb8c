//! The values chosen for a list of the filter, each with a button that removes it.

use super::Field;
use leptos::prelude::*;

/// The chips of `field`; `noun` names one value in the remove buttons' labels.
#[component]
pub(super) fn ChipList(field: Field, noun: &'static str) -> impl IntoView {
    let chips = move || {
        field
            .values()
            .into_iter()
            .map(|value| {
                let remove = {
                    let value = value.clone();
                    move |_| field.remove(&value)
                };
                view! {
                    <li class="filter-chip">
                        <code>{value.clone()}</code>
                        <button type="button" class="icon-button" aria-label=format!("Remove {noun} {value}")
                            on:click=remove>"×"</button>
                    </li>
                }
            })
            .collect_view()
    };
    view! { <ul class="filter-chips" aria-label=format!("Chosen {noun}s")>{chips}</ul> }
}
