//! A checkbox per value of a list of the filter (categories, results, a category's actions).

use super::Field;
use leptos::prelude::*;

/// One checkbox per `(value, hint)` of `options`, checked when `field` holds the value.
#[component]
pub(super) fn Checklist(
    #[prop(into)] legend: String,
    options: Vec<(String, String)>,
    field: Field,
) -> impl IntoView {
    let boxes = options
        .into_iter()
        .map(|(value, hint)| {
            let checked = {
                let value = value.clone();
                move || field.values().contains(&value)
            };
            let toggle = {
                let value = value.clone();
                move |ev: leptos::ev::Event| {
                    if event_target_checked(&ev) {
                        field.add(&value);
                    } else {
                        field.remove(&value);
                    }
                }
            };
            let hint = (!hint.is_empty()).then(|| view! { " "<span class="muted">{hint}</span> });
            view! {
                <label class="check">
                    <input type="checkbox" prop:checked=checked on:change=toggle />
                    <code>{value}</code>{hint}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="filter-checklist">
            <legend>{legend}</legend>
            {boxes}
        </fieldset>
    }
}
