//! `/`: sends the visitor to the first page their role may open, or to the sign-in page.

use crate::ui::auth::Auth;
use crate::ui::navigation::landing_page;
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// The root route.
#[component]
pub fn Home() -> impl IntoView {
    let auth = Auth::get();
    move || {
        if !auth.known.get() {
            return None;
        }
        let path = auth
            .viewer
            .with(|v| v.as_ref().map(|v| landing_page(&v.access)))
            .unwrap_or("/login");
        Some(view! { <Redirect path=path /> })
    }
}
