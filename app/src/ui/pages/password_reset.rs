//! `/forgot-password` asks for a reset link; `/reset-password/:token` sets a new password.

use crate::api::account::{request_password_reset, reset_password};
use crate::ui::components::{AuthCard, Busy, Flash, Notice};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// Asks for a reset link. The answer is the same whether or not the email has an account.
#[component]
pub fn ForgotPassword() -> impl IntoView {
    let busy = Busy::new();
    let email = RwSignal::new(String::new());
    let notice = RwSignal::new(None::<Notice>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.run(async move {
            let result = request_password_reset(email.get_untracked()).await;
            notice.set(Some(Notice::of(
                &result,
                "Request recorded. If an account uses this email, ask your Auditrail \
                 administrator for a reset link: they issue one that works once, for one hour.",
            )));
        });
    };
    view! {
        <AuthCard title="Reset your password">
            <form class="auth-form" aria-busy=move || busy.get().to_string() on:submit=submit>
                <label>"Email" <input type="email" autocomplete="username" required bind:value=email /></label>
                <Flash notice=notice />
                <button type="submit" class="primary" disabled=move || busy.get()>"Request a reset link"</button>
                <a class="auth-link" href="/login">"Back to sign-in"</a>
            </form>
        </AuthCard>
    }
}

/// Sets a new password with the token from a reset link.
#[component]
pub fn ResetPassword() -> impl IntoView {
    let busy = Busy::new();
    let params = use_params_map();
    let password = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let notice = RwSignal::new(None::<Notice>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if password.get_untracked() != repeat.get_untracked() {
            notice.set(Some(Notice::Failed("The passwords do not match".into())));
            return;
        }
        let token = params.with_untracked(|p| p.get("token").unwrap_or_default());
        busy.run(async move {
            let result = reset_password(token, password.get_untracked()).await;
            notice.set(Some(Notice::of(
                &result,
                "Password changed. You can sign in now.",
            )));
        });
    };
    view! {
        <AuthCard title="Choose a new password">
            <form class="auth-form" aria-busy=move || busy.get().to_string() on:submit=submit>
                <label>"New password"
                    <input type="password" autocomplete="new-password" required minlength="8" bind:value=password /></label>
                <label>"Repeat new password"
                    <input type="password" autocomplete="new-password" required minlength="8" bind:value=repeat /></label>
                <Flash notice=notice />
                <button type="submit" class="primary" disabled=move || busy.get()>"Set password"</button>
                <a class="auth-link" href="/login">"Back to sign-in"</a>
            </form>
        </AuthCard>
    }
}
