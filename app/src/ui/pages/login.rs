//! `/login`: email and password; `?next=/path` returns to a page of this site afterwards
//! (how an invited member with an account gets back to their invitation).

use crate::api::session::sign_in;
use crate::ui::auth::Auth;
use crate::ui::components::AuthCard;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

/// The sign-in page.
#[component]
pub fn Login() -> impl IntoView {
    let auth = Auth::get();
    let navigate = use_navigate();
    let query = use_query_map();
    // Only a path of this site: never `//host` or an absolute URL.
    let next = move || {
        query
            .with_untracked(|q| q.get("next"))
            .filter(|p| p.starts_with('/') && !p.starts_with("//"))
    };
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        pending.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            match sign_in(email.get_untracked(), password.get_untracked()).await {
                Ok(viewer) => {
                    let landing = auth.signed_in(viewer);
                    navigate(
                        &next().unwrap_or_else(|| landing.to_owned()),
                        Default::default(),
                    )
                }
                Err(e) => error.set(Some(e.message)),
            }
            pending.set(false);
        });
    };

    view! {
        <AuthCard title="Sign in to Auditrail">
            <form class="auth-form" on:submit=submit>
                <label>
                    "Email"
                    <input type="email" name="email" autocomplete="username" required
                        bind:value=email />
                </label>
                <label>
                    "Password"
                    <input type="password" name="password" autocomplete="current-password" required
                        bind:value=password />
                </label>
                {move || error.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
                <a class="auth-link" href="/forgot-password">"Forgot your password?"</a>
            </form>
        </AuthCard>
    }
}
