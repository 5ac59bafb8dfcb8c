//! The outcome of the last action on a page: a confirmation or an error, announced to screen
//! readers.

use leptos::prelude::*;

/// What the last action did.
#[derive(Clone, Debug)]
pub enum Notice {
    Done(String),
    Failed(String),
}

impl Notice {
    /// The notice for an action's result: `done` on success, the error's message on failure.
    pub fn of<T>(result: &Result<T, crate::model::ApiError>, done: impl Into<String>) -> Self {
        match result {
            Ok(_) => Self::Done(done.into()),
            Err(e) => Self::Failed(e.message.clone()),
        }
    }
}

/// Shows the current notice, if any.
#[component]
pub fn Flash(notice: RwSignal<Option<Notice>>) -> impl IntoView {
    move || {
        notice.get().map(|n| match n {
            Notice::Done(m) => {
                view! { <p class="flash flash-done" role="status">{m}</p> }.into_any()
            }
            Notice::Failed(m) => {
                view! { <p class="flash form-error" role="alert">{m}</p> }.into_any()
            }
        })
    }
}

/// Asks the browser to confirm a destructive action.
pub fn confirm(question: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(false)
}
