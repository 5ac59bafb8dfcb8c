//! `/invite/:token`: accept an invitation: a new user picks a name and password, an existing
//! user confirms with theirs; both land signed in to the organization.

use crate::api::account::{accept_invitation, invitation};
use crate::ui::auth::Auth;
use crate::ui::components::AuthCard;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};

/// The invitation page.
#[component]
pub fn Invitation() -> impl IntoView {
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
        spawn_local(async move {
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
                let new_user = !p.existing_user;
                view! {
                    <p>"Join "<strong>{p.org_name}</strong>" as "<strong>{p.role}</strong>"."</p>
                    <form class="auth-form" on:submit=accept.clone()>
                        <label>"Email" <input type="email" value=p.email readonly /></label>
                        <Show when=move || new_user>
                            <label>"Your name" <input type="text" required maxlength="100" bind:value=name /></label>
                        </Show>
                        <label>
                            {if new_user { "Choose a password" } else { "Your password" }}
                            <input type="password" required
                                autocomplete=if new_user { "new-password" } else { "current-password" }
                                minlength=if new_user { "8" } else { "1" }
                                bind:value=password />
                        </label>
                        {move || error.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                        <button type="submit" class="primary">"Accept invitation"</button>
                    </form>
                }
                .into_any()
            }
        })
    };
    view! { <AuthCard title="You are invited to Auditrail">{body}</AuthCard> }
}
