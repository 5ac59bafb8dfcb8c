//! The signed-in frame: brand, navigation, organization, user and sign-out.

use crate::api::session::sign_out;
use crate::ui::auth::Auth;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

/// Wraps a signed-in page.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let auth = Auth::get();
    let navigate = use_navigate();
    let sign_out_clicked = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            // Signed out locally even if the server is unreachable; the cookie expires anyway.
            let _ = sign_out().await;
            auth.viewer.set(None);
            navigate("/login", Default::default());
        });
    };
    let org = move || auth.viewer.with(|v| v.as_ref().map(|v| v.org_name.clone()));
    let email = move || auth.viewer.with(|v| v.as_ref().map(|v| v.email.clone()));
    view! {
        <div class="shell">
            <header class="topbar">
                <div class="brand"><span class="brand-mark" aria-hidden="true"></span>"Auditrail"</div>
                <nav class="main-nav" aria-label="Main">
                    <A href="/audit-logs">"Audit Logs"</A>
                </nav>
                <span class="org-name">{org}</span>
                <div class="user-menu">
                    <span>{email}</span>
                    <button type="button" class="secondary" on:click=sign_out_clicked>"Sign out"</button>
                </div>
            </header>
            <main class="content">{children()}</main>
        </div>
    }
}
