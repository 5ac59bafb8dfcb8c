//! The browser app: the router, the signed-in state, and one page per route.

mod auth;
mod components;
mod live;
mod pages;
mod time;
mod url;

use auth::{Auth, RequireViewer};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The whole SPA.
#[component]
pub fn App() -> impl IntoView {
    let auth = Auth::load();
    provide_context(auth);
    view! {
        <Router>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/") view=pages::Home />
                <Route path=path!("/login") view=pages::Login />
                <Route
                    path=path!("/audit-logs")
                    view=|| view! { <RequireViewer><pages::AuditLogs /></RequireViewer> }
                />
            </Routes>
        </Router>
    }
}
