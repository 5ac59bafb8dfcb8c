//! The banner shown when the server could not answer: what went wrong and a way to ask again.

use leptos::prelude::*;

/// `message` and a Retry button calling `on_retry`.
#[component]
pub fn RetryBanner(message: String, on_retry: Callback<()>) -> impl IntoView {
    view! {
        <div class="retry-banner" role="alert">
            <span>{message}</span>
            <button type="button" class="secondary" on:click=move |_| on_retry.run(())>"Retry"</button>
        </div>
    }
}
