//! Who is signed in, as the SPA knows it, and the guard for pages that need a viewer.

use crate::api::session::current_viewer;
use crate::model::{ErrorCode, Permission, Viewer};
use crate::ui::components::Shell;
use crate::ui::navigation::landing_page;
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

    /// Records a fresh sign-in and answers the page the viewer lands on.
    pub fn signed_in(&self, viewer: Viewer) -> &'static str {
        let path = landing_page(&viewer.access);
        self.viewer.set(Some(viewer));
        self.known.set(true);
        path
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

/// Shows its children to a viewer whose role holds `permission` (and whose plan includes it);
/// otherwise a page that says why not. Use inside [`RequireViewer`].
#[component]
pub fn RequirePermission(
    permission: Permission,
    /// What the page shows, for the no-access message ("security logs", "members"…).
    what: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let auth = Auth::get();
    move || {
        let verdict = auth
            .viewer
            .with(|v| v.as_ref().map(|v| v.access.require(permission)));
        match verdict {
            Some(Ok(())) => children().into_any(),
            Some(Err(e)) if e.code == ErrorCode::PaymentRequired => view! {
                <section class="notice" role="alert">
                    <h1>"Audit logs require a paid plan"</h1>
                    <p>"This organization is on the free plan: its applications can send events, "
                       "but viewing and exporting them needs the Pro or Enterprise plan."</p>
                </section>
            }
            .into_any(),
            _ => view! {
                <section class="notice" role="alert">
                    <h1>{format!("You don't have access to {what}")}</h1>
                    <p>"Your role in this organization does not include this page. "
                       "Ask an administrator if you need it."</p>
                    <p><a href="/">"Go to your start page"</a></p>
                </section>
            }
            .into_any(),
        }
    }
}
