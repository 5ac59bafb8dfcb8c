//! `/account`: who you are here, and changing your password.

use crate::api::account::change_password;
use crate::ui::auth::Auth;
use crate::ui::components::{Busy, Flash, Notice};
use leptos::prelude::*;

/// The account page.
#[component]
pub fn Account() -> impl IntoView {
    let busy = Busy::new();
    let auth = Auth::get();
    let current = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let notice = RwSignal::new(None::<Notice>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if new_password.get_untracked() != repeat.get_untracked() {
            notice.set(Some(Notice::Failed(
                "The new passwords do not match".into(),
            )));
            return;
        }
        busy.run(async move {
            let result =
                change_password(current.get_untracked(), new_password.get_untracked()).await;
            notice.set(Some(Notice::of(
                &result,
                "Password changed. Your other sessions were signed out.",
            )));
            if result.is_ok() {
                for field in [current, new_password, repeat] {
                    field.set(String::new());
                }
            }
        });
    };
    let facts = move || {
        auth.viewer.get().map(|v| {
            view! {
                <dl class="facts">
                    <dt>"Name"</dt><dd>{v.display_name}</dd>
                    <dt>"Email"</dt><dd>{v.email}</dd>
                    <dt>"Organization"</dt><dd>{v.org_name}</dd>
                    <dt>"Role"</dt><dd>{v.role}</dd>
                </dl>
            }
        })
    };
    view! {
        <section class="admin-page" aria-busy=move || busy.get().to_string()>
            <header class="page-header"><h1>"Account"</h1></header>
            <div class="card">{facts}</div>
            <form class="card" on:submit=submit>
                <h2>"Change password"</h2>
                <Flash notice=notice />
                <label>"Current password"
                    <input type="password" autocomplete="current-password" required bind:value=current /></label>
                <label>"New password"
                    <input type="password" autocomplete="new-password" required minlength="8" bind:value=new_password /></label>
                <label>"Repeat new password"
                    <input type="password" autocomplete="new-password" required minlength="8" bind:value=repeat /></label>
                <button type="submit" class="primary" disabled=move || busy.get()>"Change password"</button>
            </form>
        </section>
    }
}
