//! The box that shows a secret once (an API key, a webhook's signing secret): what it is, the
//! secret in full and a button that copies it.

use super::CopyButton;
use leptos::prelude::*;

/// `children` (what the secret is, and that it will not be shown again), then `secret` with a
/// copy button labelled `copy_label`; `testid` names the secret for the end-to-end specs.
#[component]
pub fn SecretOnce(
    secret: String,
    copy_label: &'static str,
    testid: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="card secret-box" role="status">
            {children()}
            <code class="secret" data-testid=testid>{secret.clone()}</code>
            <CopyButton text=secret label=copy_label />
        </div>
    }
}
