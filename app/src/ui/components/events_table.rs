//! The events table: Time, Event, Actor, Target, IP, Result, Message. Narrow screens keep Time,
//! Event, Actor and Result (the stylesheet hides the rest, which the row's detail drawer shows).

use crate::model::{AuditEvent, EventResult};
use crate::ui::time;
use leptos::prelude::*;

/// A result as a coloured badge.
#[component]
pub fn ResultBadge(result: EventResult) -> impl IntoView {
    let class = match result {
        EventResult::Success => "badge badge-success",
        EventResult::Failure => "badge badge-failure",
    };
    view! { <span class=class>{result.as_str()}</span> }
}

/// One page of events, times in UTC or the viewer's timezone; `on_open` receives the id of a
/// clicked (or Enter-pressed) row.
#[component]
pub fn EventsTable(events: Vec<AuditEvent>, utc: bool, on_open: Callback<String>) -> impl IntoView {
    let [shown, hover] = if utc {
        [time::utc, time::local]
    } else {
        [time::local, time::utc]
    };
    let rows = events
        .into_iter()
        .map(|e| {
            let id = e.id.clone();
            let id_for_key = e.id.clone();
            let target = e
                .targets
                .first()
                .map(|t| t.label().to_owned())
                .unwrap_or_default();
            view! {
                <tr
                    class="event-row"
                    tabindex="0"
                    on:click=move |_| on_open.run(id.clone())
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" {
                            // Focus moves into the drawer: keep this Enter from pressing Close.
                            ev.prevent_default();
                            on_open.run(id_for_key.clone());
                        }
                    }
                >
                    <td class="cell-time" title=hover(e.occurred_at)>{shown(e.occurred_at)}</td>
                    <td class="cell-event"><code>{e.action}</code></td>
                    <td class="cell-actor">{e.actor.label()}</td>
                    <td class="cell-target">{target}</td>
                    <td class="cell-ip">{e.context.ip.unwrap_or_default()}</td>
                    <td class="cell-result"><ResultBadge result=e.result /></td>
                    <td class="cell-message" title=e.message.clone()>{e.message.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="events-table" aria-label="Audit events">
            <thead>
                <tr>
                    <th scope="col">{if utc { "Time (UTC)" } else { "Time (local)" }}</th>
                    <th scope="col">"Event"</th>
                    <th scope="col">"Actor"</th>
                    <th scope="col" class="col-target">"Target"</th>
                    <th scope="col" class="col-ip">"IP"</th>
                    <th scope="col">"Result"</th>
                    <th scope="col" class="col-message">"Message"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
