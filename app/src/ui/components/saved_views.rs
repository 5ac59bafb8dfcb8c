//! Saved views: the member's named searches, applied with one click, saved from the current
//! search, deleted when no longer useful.

use super::Busy;
use crate::api::saved_views::{delete_view, save_view, saved_views};
use leptos::prelude::*;

/// The saved-views bar; `current` is the search in effect, `on_apply` runs a saved one.
#[component]
pub fn SavedViews(current: Signal<String>, on_apply: Callback<String>) -> impl IntoView {
    let busy = Busy::new();
    let version = RwSignal::new(0u32);
    let views = LocalResource::new(move || {
        version.track();
        saved_views()
    });
    let naming = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (n, search) = (name.get_untracked(), current.get_untracked());
        busy.run(async move {
            match save_view(n, search).await {
                Ok(_) => {
                    naming.set(false);
                    error.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let remove = move |id: i64| {
        busy.run(async move {
            if delete_view(id).await.is_ok() {
                version.update(|v| *v += 1);
            }
        });
    };
    let list = move || {
        views.get().and_then(Result::ok).map(|views| {
            views
                .into_iter()
                .map(|view| {
                    let (search, id) = (view.search.clone(), view.id);
                    view! {
                        <span class="saved-view">
                            <button type="button" class="chip" title=view.search.clone()
                                on:click=move |_| on_apply.run(search.clone())>{view.name.clone()}</button>
                            <button type="button" class="icon-button"
                                aria-label=format!("Delete view {}", view.name)
                                on:click=move |_| remove(id)>"×"</button>
                        </span>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <div class="presets saved-views" role="group" aria-label="Saved views">
            <span class="presets-title">"Saved views:"</span>
            {list}
            <Show
                when=move || naming.get()
                fallback=move || view! {
                    <button type="button" class="chip" on:click=move |_| {
                        name.set(String::new());
                        naming.set(true);
                    }>"Save this view"</button>
                }
            >
                <form class="preset-form" aria-busy=move || busy.get().to_string() on:submit=save>
                    <label>"View name" <input type="text" required bind:value=name /></label>
                    <button type="submit" class="primary" disabled=move || busy.get()>"Save"</button>
                    <button type="button" class="secondary" on:click=move |_| naming.set(false)>"Cancel"</button>
                </form>
            </Show>
            {move || error.get().map(|e| view! { <span class="form-error" role="alert">{e}</span> })}
        </div>
    }
}
