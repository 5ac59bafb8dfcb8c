//! `/`: sends the visitor to the log when signed in, to the sign-in page otherwise.

use crate::ui::auth::Auth;
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// The root route.
#[component]
pub fn Home() -> impl IntoView {
    let auth = Auth::get();
    move || {
        if !auth.known.get() {
            None
        } else if auth.viewer.with(Option::is_some) {
            Some(view! { <Redirect path="/audit-logs" /> })
        } else {
            Some(view! { <Redirect path="/login" /> })
        }
    }
}
