//! The chain-status badge: whether the organization's hash chain was intact when last verified,
//! or where and why it breaks, with "Verify now" (open to every role that reads the log, as the
//! API's `audit_logs:read` is: whoever reads the events may check they are what was recorded).

use crate::api::audit_logs::{chain_status, verify_chain};
use crate::model::ChainVerification;
use crate::ui::time::{ago, utc};
use chrono::Utc;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The badge above the events table.
#[component]
pub fn ChainBadge() -> impl IntoView {
    let recorded = LocalResource::new(chain_status);
    let fresh = RwSignal::new(None::<ChainVerification>);
    let running = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let verify = move |_| {
        running.set(true);
        error.set(None);
        spawn_local(async move {
            match verify_chain().await {
                Ok(v) => fresh.set(Some(v)),
                Err(e) => error.set(Some(e.message)),
            }
            running.set(false);
        });
    };
    let status = move || {
        fresh
            .get()
            .or_else(|| recorded.get().and_then(Result::ok).flatten())
    };
    let text = move || match status() {
        None => "Chain not verified yet".to_owned(),
        Some(v) => describe(&v),
    };
    let class = move || match status() {
        Some(v) if v.ok => "chain-badge chain-intact",
        Some(_) => "chain-badge chain-broken",
        None => "chain-badge",
    };
    let title = move || status().map(|v| utc(v.verified_at));
    view! {
        <div class=class role="status" aria-label="Chain status">
            <span class="chain-badge-text" title=title>{text}</span>
            <button type="button" class="secondary" on:click=verify disabled=move || running.get()>
                {move || if running.get() { "Verifying…" } else { "Verify now" }}
            </button>
            {move || error.get().map(|e| view! { <span class="form-error" role="alert">{e}</span> })}
        </div>
    }
}

/// "Chain intact · verified N events · 2 min ago", or where and why it breaks.
fn describe(v: &ChainVerification) -> String {
    let when = ago(v.verified_at, Utc::now());
    match (v.broken_at_seq, &v.reason) {
        (Some(seq), Some(reason)) => format!("Chain broken at event {seq}: {reason} · {when}"),
        _ => format!("Chain intact · verified {} events · {when}", v.checked),
    }
}
