//! A text input for a list of the filter, values separated by commas, optionally checked one
//! by one (an invalid value blocks the form's submission and is explained under the input).

use super::Field;
use leptos::prelude::*;

/// Checks one value: `Err` says why it is refused.
type Check = fn(&str) -> Result<(), String>;

/// The comma-separated values of `field`; `check` refuses a value with the reason.
#[component]
pub(super) fn ListField(
    label: &'static str,
    field: Field,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional)] check: Option<Check>,
) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    let error = RwSignal::new(None::<String>);
    let text = field.draft.with_untracked(field.get).join(", ");
    let edit = move |ev: leptos::ev::Event| {
        let values: Vec<String> = event_target_value(&ev)
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect();
        let problem = check.and_then(|check| values.iter().find_map(|v| check(v).err()));
        if let Some(element) = input.get_untracked() {
            element.set_custom_validity(problem.as_deref().unwrap_or_default());
        }
        if problem.is_none() {
            field.set(values);
        }
        error.set(problem);
    };
    view! {
        <label class="filter-field">
            {label}
            <input type="text" node_ref=input autocomplete="off" spellcheck="false" placeholder=placeholder
                value=text aria-invalid=move || error.with(Option::is_some).to_string() on:input=edit />
            {move || error.get().map(|e| view! { <span class="form-error" role="alert">{e}</span> })}
        </label>
    }
}
