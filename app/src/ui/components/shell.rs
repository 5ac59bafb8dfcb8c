//! The signed-in frame: brand, the navigation the role may use, the organization switcher, the
//! user and sign-out.

use crate::api::session::{sign_out, switch_organization};
use crate::ui::auth::Auth;
use crate::ui::navigation::PAGES;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

/// Reloads the app at `/`, so every page and resource starts over in the new organization.
fn reload_home() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href("/");
    }
}

/// The organization switcher, shown when the user belongs to more than one.
#[component]
fn OrganizationSwitcher() -> impl IntoView {
    let auth = Auth::get();
    let error = RwSignal::new(None::<String>);
    let change = move |ev: leptos::ev::Event| {
        let slug = event_target_value(&ev);
        spawn_local(async move {
            match switch_organization(slug).await {
                Ok(_) => reload_home(),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    move || {
        let viewer = auth.viewer.get()?;
        if viewer.organizations.len() < 2 {
            return Some(view! { <span class="org-name">{viewer.org_name}</span> }.into_any());
        }
        let current = viewer.access.org_slug.clone();
        let options = viewer
            .organizations
            .into_iter()
            .map(|org| {
                let selected = org.slug == current;
                view! { <option value=org.slug selected=selected>{org.name}</option> }
            })
            .collect_view();
        Some(
            view! {
                <label class="org-switcher">
                    <span class="visually-hidden">"Organization"</span>
                    <select on:change=change>{options}</select>
                    {move || error.get().map(|e| view! { <span class="form-error" role="alert">{e}</span> })}
                </label>
            }
            .into_any(),
        )
    }
}

/// Wraps a signed-in page.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let auth = Auth::get();
    let navigate = use_navigate();
    let sign_out_clicked = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            // Signed out locally even if the server is unreachable; the cookie expires anyway.
            let _ = sign_out().await;
            auth.viewer.set(None);
            navigate("/login", Default::default());
        });
    };
    let links = move || {
        auth.viewer.with(|viewer| {
            let access = viewer.as_ref().map(|v| v.access.clone())?;
            Some(
                PAGES
                    .iter()
                    .filter(|page| page.visible_to(&access))
                    .map(|page| view! { <A href=page.path>{page.label}</A> })
                    .collect_view(),
            )
        })
    };
    // On narrow screens the navigation folds behind a Menu button; following a link folds it.
    let menu_open = RwSignal::new(false);
    let email = move || auth.viewer.with(|v| v.as_ref().map(|v| v.email.clone()));
    let role = move || auth.viewer.with(|v| v.as_ref().map(|v| v.role.clone()));
    view! {
        <div class="shell">
            <header class="topbar">
                <div class="brand"><span class="brand-mark" aria-hidden="true"></span>"Auditrail"</div>
                <button type="button" class="secondary menu-toggle" aria-controls="main-nav"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| menu_open.update(|open| *open = !*open)>"Menu"</button>
                <nav id="main-nav" class="main-nav" class:open=menu_open aria-label="Main"
                    on:click=move |_| menu_open.set(false)>{links}</nav>
                <OrganizationSwitcher />
                <div class="user-menu">
                    <span>{email}" · "<span class="user-role">{role}</span></span>
                    <button type="button" class="secondary" on:click=sign_out_clicked>"Sign out"</button>
                </div>
            </header>
            <main class="content">{children()}</main>
        </div>
    }
}
