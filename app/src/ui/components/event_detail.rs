//! The detail drawer of one event: every field, changes before → after, raw JSON, chain, and
//! its inclusion in the latest signed checkpoint.

use crate::api::audit_logs::{event_inclusion, get_event};
use crate::model::AuditEvent;
use crate::ui::components::events_table::ResultBadge;
use crate::ui::components::CopyButton;
use crate::ui::time;
use crate::ui::url::with_query;
use leptos::prelude::*;

/// A search term `key:value`, quoted when the value holds spaces.
fn term(key: &str, value: &str) -> String {
    if value.contains(char::is_whitespace) {
        format!("{key}:\"{}\"", value.replace('"', ""))
    } else {
        format!("{key}:{value}")
    }
}

/// Links to the searches an investigator runs next from this event.
fn investigate_links(e: &AuditEvent) -> impl IntoView {
    let link = |label: &'static str, search: String| {
        let href = with_query("/audit-logs", [("search", search)]);
        view! { <li><a href=href>{label}</a></li> }
    };
    view! {
        <section class="drawer-section">
            <h3>"Investigate"</h3>
            <ul class="investigate-links">
                {link("More by this actor", term("actor", &e.actor.label()))}
                {e.targets.first().map(|t| link("More on this target", term("target", &t.id)))}
                {e.context.ip.as_deref().map(|ip| link("More from this IP", term("ip", ip)))}
            </ul>
        </section>
    }
}

fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "—".to_owned(),
        other => other.to_string(),
    }
}

/// A `<dt>`/`<dd>` pair, left out when the value is absent.
fn field(label: &'static str, value: Option<String>) -> impl IntoView {
    value.map(|v| view! { <dt>{label}</dt><dd>{v}</dd> })
}

fn details_view(e: &AuditEvent) -> impl IntoView {
    let c = &e.context;
    let targets = e
        .targets
        .iter()
        .map(|t| format!("{} {} ({})", t.kind, t.label(), t.id))
        .collect::<Vec<_>>()
        .join(", ");
    let changes = (!e.changes.is_empty()).then(|| {
        let rows = e
            .changes
            .iter()
            .map(|ch| {
                view! {
                    <tr>
                        <td>{ch.field.clone()}</td>
                        <td class="before">{json_text(&ch.before)}</td>
                        <td class="after">{json_text(&ch.after)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <section class="drawer-section">
                <h3>"Changes"</h3>
                <table class="changes">
                    <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </section>
        }
    });
    let raw = serde_json::to_string_pretty(e).unwrap_or_default();
    view! {
        <section class="drawer-section">
            <p class="page-subtitle">{e.message.clone()}</p>
            <dl class="detail-list">
                <dt>"Event"</dt><dd><code>{e.action.clone()}</code></dd>
                <dt>"Category"</dt><dd><span class="badge badge-category">{e.category.clone()}</span></dd>
                <dt>"Result"</dt><dd><ResultBadge result=e.result /></dd>
                <dt>"Occurred"</dt><dd title=time::utc(e.occurred_at)>{time::local(e.occurred_at)}</dd>
                <dt>"Received"</dt><dd title=time::utc(e.received_at)>{time::local(e.received_at)}</dd>
                <dt>"Actor"</dt><dd>{format!("{} ({} {})", e.actor.label(), e.actor.kind.as_str(), e.actor.id)}</dd>
                {field("Targets", (!targets.is_empty()).then_some(targets))}
                {field("IP", c.ip.clone())}
                {field("User agent", c.user_agent.clone())}
                {field("Location", c.location.clone())}
                {field("Device", c.device_id.clone())}
                {field("Environment", c.environment.clone())}
                {field("Version", c.version.clone())}
                {field("Request", c.request_id.clone())}
                {field("Recorded from", e.source.as_ref().map(|s| s.label()))}
                <dt>"Event ID"</dt><dd><code>{e.id.clone()}</code></dd>
                <dt>"Sequence"</dt><dd>{e.seq}</dd>
            </dl>
        </section>
        {changes}
        {investigate_links(e)}
        <section class="drawer-section">
            <h3>"Chain"</h3>
            <dl class="detail-list chain">
                <dt>"Previous hash"</dt><dd>{e.prev_hash.clone()}</dd>
                <dt>"Hash"</dt><dd>{e.hash.clone()}</dd>
            </dl>
            <Inclusion id=e.id.clone() />
        </section>
        <section class="drawer-section">
            <h3>"Raw JSON"</h3>
            <CopyButton text=raw.clone() label="Copy JSON" />
            <pre class="raw-json">{raw}</pre>
        </section>
    }
}

/// Whether the event is in the latest signed checkpoint (the server checks the proof before it
/// answers; `auditrail verify --offline` checks it without trusting the server).
#[component]
fn Inclusion(id: String) -> impl IntoView {
    let proof = LocalResource::new(move || event_inclusion(id.clone()));
    move || {
        match proof.get() {
        None => view! { <p class="state state-loading" role="status">"Checking its inclusion…"</p> }
            .into_any(),
        Some(Err(e)) => view! { <p class="state state-error" role="alert">{e.message}</p> }.into_any(),
        Some(Ok(None)) => view! {
            <p class="inclusion pending">"Not in a signed checkpoint yet: checkpoints follow within a minute."</p>
        }
        .into_any(),
        Some(Ok(Some(p))) => view! {
            <p class="inclusion included">
                {format!("✓ Included in the signed checkpoint of {} events (leaf {}).", p.tree_size, p.leaf_index)}
            </p>
            <details class="signed-checkpoint">
                <summary>"Signed checkpoint"</summary>
                <pre class="raw-json">{p.checkpoint}</pre>
            </details>
        }
        .into_any(),
    }
    }
}

/// The drawer for the event with `id`; `on_close` closes it.
#[component]
pub fn EventDetail(id: String, on_close: Callback<()>) -> impl IntoView {
    let event = LocalResource::new(move || get_event(id.clone()));
    // Keyboard users land on Close, and Escape closes from anywhere while the drawer is open.
    let close_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = close_button.get() {
            let _ = button.focus();
        }
    });
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            on_close.run(());
        }
    });
    on_cleanup(move || escape.remove());
    let body = move || match event.get() {
        None => {
            view! { <p class="state state-loading" role="status">"Loading event…"</p> }.into_any()
        }
        Some(Err(e)) => {
            view! { <p class="state state-error" role="alert">{e.message}</p> }.into_any()
        }
        Some(Ok(e)) => details_view(&e).into_any(),
    };
    view! {
        <div class="drawer-backdrop" on:click=move |_| on_close.run(())></div>
        <aside class="drawer" role="dialog" aria-modal="true" aria-label="Event details">
            <div class="drawer-header">
                <h2>"Event details"</h2>
                <button type="button" class="icon-button" aria-label="Close" node_ref=close_button
                    on:click=move |_| on_close.run(())>"✕"</button>
            </div>
            {body}
        </aside>
    }
}
