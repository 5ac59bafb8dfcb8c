//! `/invite/:token`: accept an invitation: a new user picks a name and password; someone who
//! already has an account signs in first and accepts with one click. Both land signed in to
//! the organization. (No password is ever checked here, so the page is no door for guessing.)

use crate::api::account::{accept_invitation, invitation};
use crate::ui::auth::Auth;
use crate::ui::components::{AuthCard, Busy};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

/// The invitation page.
#[component]
pub fn Invitation() -> impl IntoView {
    let busy = Busy::new();
    let auth = Auth::get();
    let navigate = use_navigate();
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let preview = LocalResource::new(move || invitation(token()));
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);

    let accept = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let navigate = navigate.clone();
        let token = token();
        busy.run(async move {
            match accept_invitation(token, name.get_untracked(), password.get_untracked()).await {
                Ok(viewer) => navigate(auth.signed_in(viewer), Default::default()),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let body = move || {
        preview.get().map(|result| match result {
            Err(e) => view! { <p class="form-error" role="alert">{e.message}</p> }.into_any(),
            Ok(p) => {
                let new_account = !p.signed_in_as_invitee;
                let login = format!("/login?next=/invite/{}", token());
                view! {
                    <p>"Join "<strong>{p.org_name}</strong>" as "<strong>{p.role}</strong>"."</p>
                    <form class="auth-form" aria-busy=move || busy.get().to_string() on:submit=accept.clone()>
                        <label>"Email" <input type="email" value=p.email readonly /></label>
                        <Show when=move || new_account>
                            <label>"Your name" <input type="text" required maxlength="100" bind:value=name /></label>
                            <label>
                                "Choose a password"
                                <input type="password" required autocomplete="new-password"
                                    minlength="8" bind:value=password />
                            </label>
                        </Show>
                        {move || error.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                        <button type="submit" class="primary" disabled=move || busy.get()>"Accept invitation"</button>
                        <Show when=move || new_account>
                            <a class="auth-link" href=login.clone()>
                                "Already have an Auditrail account with this email? Sign in first"
                            </a>
                        </Show>
                    </form>
                }
                .into_any()
            }
        })
    };
    view! { <AuthCard title="You are invited to Auditrail">{body}</AuthCard> }
}
