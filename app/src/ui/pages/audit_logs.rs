//! `/audit-logs`: the organization's events, newest first, paged by keyset cursors, with the
//! open event's detail in the URL (`?event=<id>`).

use crate::api::audit_logs::list_events;
use crate::model::Permission;
use crate::model::{Cursor, EventQuery};
use crate::ui::auth::Auth;
use crate::ui::components::{EventDetail, EventsTable, ExportLinks, Pager};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

/// The Audit Logs page.
#[component]
pub fn AuditLogs() -> impl IntoView {
    let page_size = RwSignal::new(25u32);
    // The cursor that starts each page visited so far; the last one is the current page.
    let starts = RwSignal::new(vec![None::<Cursor>]);
    Effect::watch(
        move || page_size.get(),
        move |_, _, _| starts.set(vec![None]),
        false,
    );

    let page = LocalResource::new(move || {
        let query = EventQuery {
            limit: page_size.get(),
            cursor: starts.with(|s| s.last().cloned().flatten()),
            include_total: true,
            ..EventQuery::default()
        };
        list_events(query)
    });

    let current = move || page.get().and_then(Result::ok);
    let total = Signal::derive(move || current().and_then(|p| p.total));
    let has_next = Signal::derive(move || current().is_some_and(|p| p.has_more));
    let page_number = Signal::derive(move || starts.with(Vec::len));
    let on_next = Callback::new(move |()| {
        if let Some(next) = current().and_then(|p| p.next_cursor) {
            starts.update(|s| s.push(Some(next)));
        }
    });
    let on_previous = Callback::new(move |()| {
        starts.update(|s| {
            if s.len() > 1 {
                s.pop();
            }
        })
    });

    let navigate = use_navigate();
    let open_id = move || use_query_map().with(|q| q.get("event"));
    let open = {
        let navigate = navigate.clone();
        Callback::new(move |id: String| {
            navigate(&format!("/audit-logs?event={id}"), Default::default())
        })
    };
    let close = Callback::new(move |()| navigate("/audit-logs", Default::default()));

    let table = move || match page.get() {
        None => {
            view! { <p class="state state-loading" role="status">"Loading events…"</p> }.into_any()
        }
        Some(Err(e)) => {
            view! { <p class="state state-error" role="alert">{e.message}</p> }.into_any()
        }
        Some(Ok(p)) if p.data.is_empty() => view! {
            <p class="state state-empty">"No events yet. Send one to POST /api/v1/events."</p>
        }
        .into_any(),
        Some(Ok(p)) => view! { <EventsTable events=p.data on_open=open /> }.into_any(),
    };

    let auth = Auth::get();
    let can_export = move || {
        auth.viewer.with(|v| {
            v.as_ref()
                .is_some_and(|v| v.access.has(Permission::AuditLogsExport))
        })
    };

    view! {
        <div class="page-header">
            <div>
                <h1>"Audit Logs"</h1>
                <p class="page-subtitle">"Every security event of your organization, newest first."</p>
            </div>
            <Show when=can_export>
                <ExportLinks />
            </Show>
        </div>
        <div class="table-wrap">{table}</div>
        <Pager page=page_number total page_size has_next on_previous on_next />
        {move || open_id().map(|id| view! { <EventDetail id on_close=close /> })}
    }
}
