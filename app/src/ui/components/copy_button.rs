//! A button that copies a text to the clipboard and says when it has.

use leptos::prelude::*;

/// Copies `text`; labelled `label` until clicked, then "Copied".
#[component]
pub fn CopyButton(text: String, label: &'static str) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&text);
            copied.set(true);
        }
    };
    view! {
        <button type="button" class="secondary copy-button" on:click=copy>
            {move || if copied.get() { "Copied" } else { label }}
        </button>
    }
}
