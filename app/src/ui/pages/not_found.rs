//! Any path the app does not know.

use leptos::prelude::*;

/// The 404 page.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main class="notice">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. "<a href="/">"Go to Auditrail"</a></p>
        </main>
    }
}
