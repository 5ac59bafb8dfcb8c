//! The centred card of the signed-out pages (sign-in, invitation, password reset).

use leptos::prelude::*;

/// A signed-out page: brand, title, content.
#[component]
pub fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <main class="auth">
            <div class="auth-card">
                <div class="brand"><span class="brand-mark" aria-hidden="true"></span>"Auditrail"</div>
                <h1>{title}</h1>
                {children()}
            </div>
        </main>
    }
}
