//! Who is signed in, as the SPA knows it, and the guard for pages that need a viewer.

use crate::api::session::current_viewer;
use crate::model::Viewer;
use crate::ui::components::Shell;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Redirect;

/// The signed-in state, shared through context.
#[derive(Clone, Copy)]
pub struct Auth {
    /// The signed-in user, `None` when signed out.
    pub viewer: RwSignal<Option<Viewer>>,
    /// Whether the server has answered who is signed in.
    pub known: RwSignal<bool>,
}

impl Auth {
    /// Starts asking the server who is signed in.
    pub fn load() -> Self {
        let auth = Self {
            viewer: RwSignal::new(None),
            known: RwSignal::new(false),
        };
        spawn_local(async move {
            auth.viewer.set(current_viewer().await.ok().flatten());
            auth.known.set(true);
        });
        auth
    }

    /// The state provided by [`crate::ui::App`].
    pub fn get() -> Self {
        expect_context::<Self>()
    }
}

/// Shows its children inside the app shell to a signed-in viewer; sends others to `/login`.
#[component]
pub fn RequireViewer(children: ChildrenFn) -> impl IntoView {
    let auth = Auth::get();
    move || {
        if !auth.known.get() {
            view! { <p class="state state-loading" role="status">"Loading…"</p> }.into_any()
        } else if auth.viewer.with(Option::is_some) {
            let children = children.clone();
            view! { <Shell>{children()}</Shell> }.into_any()
        } else {
            view! { <Redirect path="/login" /> }.into_any()
        }
    }
}
