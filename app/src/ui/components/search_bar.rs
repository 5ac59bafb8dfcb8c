//! The search box: the search syntax (`actor:… action:user.* -result:success "text"`), Apply
//! and Reset, with the parse error shown inline.

use leptos::prelude::*;

/// Example queries shown as the placeholder.
const PLACEHOLDER: &str = r#"actor:alice@acme.com action:user.* -result:success ip:10.0.0.0/8 after:2025-01-01 "free text""#;

/// The search form; `applied` is the search in effect (from the URL).
#[component]
pub fn SearchBar(
    applied: Signal<String>,
    error: Signal<Option<String>>,
    on_apply: Callback<String>,
) -> impl IntoView {
    let text = RwSignal::new(applied.get_untracked());
    Effect::watch(
        move || applied.get(),
        move |now, _, _| text.set(now.clone()),
        false,
    );
    view! {
        <form class="search-bar" role="search" on:submit=move |ev| {
            ev.prevent_default();
            on_apply.run(text.get_untracked());
        }>
            <label class="visually-hidden" for="event-search">"Search events"</label>
            <input id="event-search" type="search" placeholder=PLACEHOLDER autocomplete="off"
                spellcheck="false" bind:value=text />
            <button type="submit" class="primary">"Apply"</button>
            <button type="button" class="secondary" on:click=move |_| on_apply.run(String::new())>
                "Reset"
            </button>
        </form>
        {move || error.get().map(|e| view! { <p class="form-error search-error" role="alert">{e}</p> })}
    }
}
