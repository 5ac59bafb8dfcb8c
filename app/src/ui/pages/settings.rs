//! `/settings`: how long the organization keeps its events, the legal hold that stops purges,
//! and what the last purge archived.

use crate::api::settings::{load_retention, save_retention};
use crate::model::{PurgeRecord, RetentionSettings, RetentionUpdate};
use crate::ui::components::{Busy, Flash, Notice, RetryBanner};
use crate::ui::time;
use leptos::prelude::*;

/// The field the server names when it refuses the number of days.
const DAYS_FIELD: &str = "retention_days";

/// What a successful save says: the policy now in force.
fn saved_message(settings: &RetentionSettings) -> String {
    let kept = format!(
        "Saved: events are kept for {} days",
        settings.retention_days
    );
    if settings.legal_hold {
        format!("{kept}, and the legal hold stops purges.")
    } else {
        format!("{kept}.")
    }
}

/// The retention form: days within the plan's maximum, the legal hold, and Save.
#[component]
fn RetentionForm(initial: RetentionSettings) -> impl IntoView {
    let busy = Busy::new();
    let notice = RwSignal::new(None::<Notice>);
    let max = initial.max_retention_days;
    let days = RwSignal::new(initial.retention_days.to_string());
    let hold = RwSignal::new(initial.legal_hold);
    let days_refused = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // The range is the server's to check (its message names the plan's limit); a box that
        // holds no whole number never leaves the page.
        let Ok(retention_days) = days.get_untracked().trim().parse() else {
            days_refused.set(true);
            notice.set(Some(Notice::Failed(format!(
                "Enter a whole number of days, from 1 to {max}"
            ))));
            return;
        };
        let update = RetentionUpdate {
            retention_days,
            legal_hold: Some(hold.get_untracked()),
        };
        busy.run(async move {
            let result = save_retention(update).await;
            days_refused.set(
                result
                    .as_ref()
                    .is_err_and(|e| e.field.as_deref() == Some(DAYS_FIELD)),
            );
            let done = result.as_ref().map(saved_message).unwrap_or_default();
            notice.set(Some(Notice::of(&result, done)));
            if let Ok(saved) = result {
                days.set(saved.retention_days.to_string());
                hold.set(saved.legal_hold);
            }
        });
    };
    // `novalidate`: a number out of range reaches the server, whose error is shown in the page
    // rather than in the browser's transient bubble.
    view! {
        <form class="card" novalidate aria-busy=move || busy.get().to_string() on:submit=save>
            <h2>"Retention"</h2>
            <Flash notice=notice />
            <label>"Keep events for"
                <span class="retention-days">
                    <input type="number" inputmode="numeric" min="1" max=max.to_string() step="1" required
                        aria-describedby="retention-days-note"
                        aria-invalid=move || days_refused.get().to_string()
                        bind:value=days />
                    "days"
                </span>
            </label>
            <p id="retention-days-note" class="field-note">{format!("Your plan allows up to {max} days.")}</p>
            <label class="check">
                <input type="checkbox" bind:checked=hold />
                "Legal hold: keep every event, whatever its age (stops purges)"
            </label>
            <div class="form-actions">
                <button type="submit" class="primary" disabled=move || busy.get()>"Save"</button>
            </div>
        </form>
    }
}

/// The last purge in a sentence, or that nothing has been purged yet.
#[component]
fn LastPurge(purge: Option<PurgeRecord>) -> impl IntoView {
    let summary = match purge {
        None => view! { <p>"Nothing has been purged yet."</p> }.into_any(),
        Some(p) => {
            let short = p
                .archive_sha256
                .get(..12)
                .unwrap_or(&p.archive_sha256)
                .to_owned();
            view! {
                <p>"Events "{p.first_seq}"–"{p.through_seq}" purged on "{time::local(p.purged_at)}
                   ", archived to "<code>{p.archive}</code>
                   " (SHA-256 "<code title=p.archive_sha256>{short}"…"</code>")."</p>
            }
            .into_any()
        }
    };
    view! {
        <section class="card last-purge">
            <h2>"Last purge"</h2>
            {summary}
            <p class="field-note">"Before expired events are deleted, they are archived to NDJSON.gz "
               "files with their inclusion proofs; the chain keeps verifying from the first event kept."</p>
        </section>
    }
}

/// The settings page.
#[component]
pub fn Settings() -> impl IntoView {
    let settings = LocalResource::new(load_retention);
    let body = move || match settings.get() {
        None => view! { <p class="state state-loading" role="status">"Loading settings…"</p> }
            .into_any(),
        Some(Err(e)) => view! {
            <RetryBanner message=e.message on_retry=Callback::new(move |()| settings.refetch()) />
        }
        .into_any(),
        Some(Ok(initial)) => {
            let purge = initial.last_purge.clone();
            view! { <RetentionForm initial /> <LastPurge purge /> }.into_any()
        }
    };
    view! {
        <section class="admin-page">
            <header class="page-header"><h1>"Settings"</h1></header>
            {body}
        </section>
    }
}
