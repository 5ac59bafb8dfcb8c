//! The actor control: chips, and a combobox whose suggestions are the log's known actors
//! (asked of the server once typing pauses). Typing a value and pressing Enter adds it too; the
//! form adds text still being typed when it is applied.

use super::chips::ChipList;
use super::Field;
use crate::api::audit_logs::known_actors;
use crate::model::KnownActor;
use leptos::prelude::*;
use std::time::Duration;

/// How long typing must pause before the server is asked for suggestions.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// `text` once it has stopped changing for [`DEBOUNCE`].
fn settled(text: RwSignal<String>) -> ReadSignal<String> {
    let settled = RwSignal::new(String::new());
    let pending = StoredValue::new(None::<TimeoutHandle>);
    Effect::watch(
        move || text.get(),
        move |now, _, _| {
            if let Some(handle) = pending.get_value() {
                handle.clear();
            }
            let now = now.clone();
            pending.set_value(set_timeout_with_handle(move || settled.set(now), DEBOUNCE).ok());
        },
        false,
    );
    settled.read_only()
}

/// The actors whose label contains the settled text, leaving out those already chosen. A failed
/// call offers nothing: suggestions are a convenience, never an obstacle.
fn suggestions(text: RwSignal<String>, field: Field) -> Signal<Vec<KnownActor>> {
    let wanted = settled(text);
    let found = LocalResource::new(move || {
        let wanted = wanted.get();
        async move {
            if wanted.trim().is_empty() {
                Vec::new()
            } else {
                known_actors(wanted.trim().to_owned())
                    .await
                    .unwrap_or_default()
            }
        }
    });
    Signal::derive(move || {
        let chosen = field.values();
        let mut list = found.get().unwrap_or_default();
        list.retain(|a| !chosen.contains(&a.label));
        if text.with(|t| t.trim().is_empty()) {
            list.clear();
        }
        list
    })
}

/// Actor chips and the combobox that adds to them; `text` is what is being typed.
#[component]
pub(super) fn ActorPicker(field: Field, text: RwSignal<String>) -> impl IntoView {
    let offered = suggestions(text, field);
    // The highlighted suggestion (arrow keys), if any.
    let active = RwSignal::new(None::<usize>);
    let expanded = move || offered.with(|o| !o.is_empty());
    let add = move |value: &str| {
        field.add(value);
        text.set(String::new());
        active.set(None);
    };
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        let count = offered.with(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if count > 0 => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % count)));
            }
            "ArrowUp" if count > 0 => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(count - 1, |i| (i + count - 1) % count)));
            }
            "Enter" => {
                ev.prevent_default();
                let picked = active
                    .get_untracked()
                    .and_then(|i| offered.with_untracked(|o| o.get(i).map(|a| a.label.clone())));
                add(&picked.unwrap_or_else(|| text.get_untracked()));
            }
            "Escape" => text.set(String::new()),
            _ => {}
        }
    };
    let options = move || {
        offered
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, actor)| {
                let label = actor.label.clone();
                view! {
                    <li role="option" id=format!("filter-actor-option-{i}")
                        aria-selected=move || (active.get() == Some(i)).to_string()
                        on:mousedown=|ev| ev.prevent_default()
                        on:click=move |_| add(&label)>
                        <code>{actor.label}</code>
                        <span class="muted">{format!("{} · {} events", actor.kind.as_str(), actor.events)}</span>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <div class="filter-field typeahead">
            <label for="filter-actor">"Actor"</label>
            <ChipList field noun="actor" />
            <input id="filter-actor" type="text" role="combobox" autocomplete="off" spellcheck="false"
                placeholder="alice@acme.com, api-key:ci-deploy"
                aria-autocomplete="list" aria-controls="filter-actor-options"
                aria-expanded=move || expanded().to_string()
                aria-activedescendant=move || active.get().map(|i| format!("filter-actor-option-{i}"))
                prop:value=move || text.get()
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    active.set(None);
                }
                on:keydown=keydown />
            <ul id="filter-actor-options" class="typeahead-options" role="listbox" aria-label="Suggested actors"
                hidden=move || !expanded()>
                {options}
            </ul>
        </div>
    }
}
