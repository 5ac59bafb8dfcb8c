//! The pages off the audit-log path, each compiled into its own WASM chunk: the browser fetches a
//! page's chunk on the first visit to it, so signing in and reading the audit log download none
//! of them. `#[wasm_split]` marks each split point; the build cuts the chunks out
//! (`scripts/bin/wasm-bindgen` runs `wasm-split-cli` before wasm-bindgen).

use crate::ui::components::RetryBanner;
use crate::ui::pages;
use leptos::prelude::*;
use leptos::wasm_split::{wasm_split, SplitLoaderError};
use std::future::Future;

/// A page's view, as a function in its chunk.
pub type PageView = fn() -> AnyView;

/// Shows the page `load` fetches: "Loading…" until its chunk has arrived (at once after the
/// first visit), and a retry banner if the chunk could not be fetched.
pub fn split_page<F>(load: fn() -> F) -> impl IntoView
where
    F: Future<Output = Result<PageView, SplitLoaderError>> + 'static,
{
    let page = LocalResource::new(load);
    move || match page.get() {
        None => view! { <p class="state state-loading" role="status">"Loading…"</p> }.into_any(),
        // Untracked: the page's own reads must not re-render it from here.
        Some(Ok(page_view)) => untrack(page_view),
        Some(Err(_)) => view! {
            <RetryBanner
                message="This page could not be loaded: the connection failed.".to_string()
                on_retry=Callback::new(move |()| page.refetch())
            />
        }
        .into_any(),
    }
}

/// One split point per page: `$chunk()` loads the chunk holding `$page` and answers its view.
macro_rules! split_points {
    ($($chunk:ident => $page:path,)*) => {$(
        #[doc = concat!("Loads the chunk holding [`", stringify!($page), "`].")]
        #[wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible)]
        pub fn $chunk() -> Result<PageView, SplitLoaderError> {
            Ok(|| $page().into_any())
        }
    )*};
}

split_points! {
    members => pages::Members,
    roles => pages::Roles,
    api_keys => pages::ApiKeys,
    log_streams => pages::LogStreams,
    settings => pages::Settings,
    account => pages::Account,
    invitation => pages::Invitation,
    forgot_password => pages::ForgotPassword,
    reset_password => pages::ResetPassword,
}
