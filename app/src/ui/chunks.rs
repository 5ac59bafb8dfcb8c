//! What the browser fetches in WASM chunks of their own, when first shown: the pages off the
//! audit-log path and the audit log's event drawer, so signing in and reading the audit log
//! download none of them. `#[wasm_split]` marks each split point; the build cuts the chunks out
//! (`scripts/bin/wasm-bindgen` runs `wasm-split-cli` before wasm-bindgen).

use crate::ui::components::{EventDetail, RetryBanner};
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
    split_view(load, "page", |page_view: PageView| page_view())
}

/// Shows what `show` makes of the function `load` fetches from its chunk: "Loading…" until the
/// chunk has arrived, and a retry banner naming `what` it shows if the chunk could not be fetched.
pub fn split_view<V, F>(
    load: fn() -> F,
    what: &'static str,
    show: impl Fn(V) -> AnyView + Send + 'static,
) -> impl IntoView
where
    V: Clone + 'static,
    F: Future<Output = Result<V, SplitLoaderError>> + 'static,
{
    let loaded = LocalResource::new(load);
    move || {
        match loaded.get() {
            None => {
                view! { <p class="state state-loading" role="status">"Loading…"</p> }.into_any()
            }
            // Untracked: the view's own reads must not re-render it from here.
            Some(Ok(function)) => untrack(|| show(function)),
            Some(Err(_)) => view! {
                <RetryBanner
                    message=format!("The {what} could not be loaded: the connection failed.")
                    on_retry=Callback::new(move |()| loaded.refetch())
                />
            }
            .into_any(),
        }
    }
}

/// The event drawer, as a function in its chunk: the event's id, and what closes the drawer.
pub type DrawerView = fn(String, Callback<()>) -> AnyView;

/// Loads the chunk holding the event drawer ([`crate::ui::components::EventDetail`]).
#[wasm_split(event_detail, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn event_detail() -> Result<DrawerView, SplitLoaderError> {
    Ok(|id, on_close| view! { <EventDetail id on_close /> }.into_any())
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
