//! A checkbox per permission, for a role's permissions or a key's scopes.

use crate::model::Permission;
use leptos::prelude::*;

/// One checkbox per permission of `choices`, bound to `chosen`.
#[component]
pub fn PermissionChecklist(
    choices: &'static [Permission],
    chosen: RwSignal<Vec<Permission>>,
    legend: &'static str,
) -> impl IntoView {
    let boxes = choices
        .iter()
        .map(|&p| {
            let toggle = move |ev: leptos::ev::Event| {
                let on = event_target_checked(&ev);
                chosen.update(|list| {
                    list.retain(|x| *x != p);
                    if on {
                        list.push(p);
                    }
                });
            };
            view! {
                <label class="check">
                    <input type="checkbox" value=p.as_str()
                        prop:checked=move || chosen.with(|list| list.contains(&p))
                        on:change=toggle />
                    <code>{p.as_str()}</code>" "<span class="muted">{p.description()}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="checklist">
            <legend>{legend}</legend>
            {boxes}
        </fieldset>
    }
}
