//! `/audit-logs`: the organization's events, newest first, paged by keyset cursors. The URL holds
//! the view — `search` (the search syntax), `size`, `tz=utc` and the open `event` — so a reload,
//! Back or a pasted link shows the same thing.

use crate::api::audit_logs::{activity_histogram, list_events};
use crate::model::{
    parse_search, AuditEvent, Cursor, EventFilter, EventPage, EventQuery, Permission,
};
use crate::ui::auth::Auth;
use crate::ui::chunks::{event_detail, split_view, DrawerView};
use crate::ui::components::{
    ActivityChart, ChainBadge, EventsTable, ExportLinks, FilterPanel, Pager, PeriodPresets,
    Presets, RetryBanner, SavedViews, SearchBar, PAGE_SIZES,
};
use crate::ui::live::LiveTail;
use crate::ui::url::with_query;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

/// The view the URL describes.
#[derive(Clone, Debug, PartialEq)]
struct View {
    search: String,
    size: u32,
    utc: bool,
    event: Option<String>,
}

impl View {
    fn url(&self) -> String {
        with_query(
            "/audit-logs",
            [
                ("search", self.search.clone()),
                (
                    "size",
                    if self.size == PAGE_SIZES[0] {
                        String::new()
                    } else {
                        self.size.to_string()
                    },
                ),
                (
                    "tz",
                    if self.utc {
                        "utc".to_owned()
                    } else {
                        String::new()
                    },
                ),
                ("event", self.event.clone().unwrap_or_default()),
            ],
        )
    }
}

/// The Audit Logs page.
#[component]
pub fn AuditLogs() -> impl IntoView {
    let query = use_query_map();
    let view_state = Memo::new(move |_| {
        query.with(|q| View {
            search: q.get("search").unwrap_or_default(),
            size: q
                .get("size")
                .and_then(|s| s.parse().ok())
                .filter(|s| PAGE_SIZES.contains(s))
                .unwrap_or(PAGE_SIZES[0]),
            utc: q.get("tz").as_deref() == Some("utc"),
            event: q.get("event"),
        })
    });
    let navigate = use_navigate();
    let go = Callback::new(move |next: View| navigate(&next.url(), NavigateOptions::default()));
    let change = move |edit: &dyn Fn(&mut View)| {
        let mut next = view_state.get_untracked();
        edit(&mut next);
        go.run(next);
    };

    let parsed = Memo::new(move |_| view_state.with(|v| parse_search(&v.search)));
    // A search that does not parse keeps the last one that did: its results stay on screen.
    let filter: Signal<EventFilter> = Memo::new(move |previous: Option<&EventFilter>| {
        parsed.with(|p| match p {
            Ok(filter) => filter.clone(),
            Err(_) => previous.cloned().unwrap_or_default(),
        })
    })
    .into();
    let search_error =
        Signal::derive(move || parsed.with(|p| p.as_ref().err().map(|e| e.to_string())));
    let page_size = Signal::derive(move || view_state.with(|v| v.size));

    // The cursor that starts each page visited so far; the last one is the current page.
    let starts = RwSignal::new(vec![None::<Cursor>]);
    Effect::watch(
        move || (filter.get(), page_size.get()),
        move |_, _, _| starts.set(vec![None]),
        false,
    );
    let query = Memo::new(move |_| EventQuery {
        filter: filter.get(),
        limit: page_size.get(),
        cursor: starts.with(|s| s.last().cloned().flatten()),
        include_total: true,
        after_seq: None,
    });
    // Each answer with the query it answers: while the next one loads, the resource still holds
    // the previous answer, which must not be paged from.
    let page = LocalResource::new(move || {
        let query = query.get();
        async move { (query.clone(), list_events(query).await) }
    });
    let answer = move || {
        page.get()
            .filter(|(asked, _)| query.with(|now| asked == now))
            .map(|(_, answer)| answer)
    };

    let activity = LocalResource::new(move || activity_histogram(filter.get()));

    // Live tail: events that arrived since "Live" was switched on, newest first.
    let live = RwSignal::new(false);
    let arrived = RwSignal::new(Vec::<AuditEvent>::new());
    let tail = StoredValue::new_local(None::<LiveTail>);
    // Why the server ended the last live stream, shown until Live is switched on again.
    let live_ended = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let on = live.get();
        let pairs = filter.with(EventFilter::to_pairs);
        arrived.set(vec![]);
        tail.set_value(None);
        if on {
            live_ended.set(None);
            let url = with_query(
                "/api/v1/audit-logs/stream",
                pairs.iter().map(|(k, v)| (k.as_str(), v.clone())),
            );
            tail.set_value(LiveTail::open(
                &url,
                move |event| keep_scroll_position(|| arrived.update(|a| a.insert(0, event))),
                move |reason| {
                    live_ended.set(Some(reason));
                    live.set(false);
                },
            ));
        }
    });
    // The last page that arrived: an error leaves it on screen under the retry banner.
    let last_page = Memo::new(
        move |previous: Option<&Option<EventPage>>| match page.get() {
            Some((_, Ok(p))) => Some(p),
            _ => previous.cloned().flatten(),
        },
    );
    // Paging follows the page of the current request only, never one kept on screen.
    let current = move || answer().and_then(Result::ok);
    let total = Signal::derive(move || {
        last_page
            .with(|p| p.as_ref().and_then(|p| p.total))
            .map(|t| t + arrived.with(Vec::len) as u64)
    });
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
    let on_page_size = Callback::new(move |size: u32| change(&|v| v.size = size));
    let on_search = Callback::new(move |search: String| {
        change(&|v| {
            v.search = search.trim().to_owned();
            v.event = None;
        })
    });
    let narrow = Callback::new(move |range: String| {
        change(&|v| v.search = format!("{} {range}", v.search).trim().to_owned())
    });
    let open = Callback::new(move |id: String| change(&|v| v.event = Some(id.clone())));
    let close = Callback::new(move |()| change(&|v| v.event = None));
    let utc = move || view_state.with(|v| v.utc);
    let toggle_utc = move |_| change(&|v| v.utc = !v.utc);

    // Results that do not answer the search in the box (it does not parse, the next page is
    // loading, or the server failed): kept on screen, dimmed.
    let stale = move || search_error.with(Option::is_some) || answer().is_none_or(|a| a.is_err());
    let retry = move || {
        answer().and_then(Result::err).map(|e| {
            view! { <RetryBanner message=e.message on_retry=Callback::new(move |()| page.refetch()) /> }
        })
    };
    let table = move || {
        match last_page.get() {
        None if page.with(Option::is_none) => {
            Some(view! { <p class="state state-loading" role="status">"Loading events…"</p> }.into_any())
        }
        None => None,
        Some(p) if p.data.is_empty() => Some(view! {
            <p class="state state-empty">"No events match. Widen the search, or send one to POST /api/v1/events."</p>
        }
        .into_any()),
        Some(p) => {
            let mut events = if page_number.get() == 1 { arrived.get() } else { vec![] };
            events.extend(p.data);
            Some(view! { <EventsTable events utc=utc() on_open=open /> }.into_any())
        }
    }
    };

    let auth = Auth::get();
    let can_export = move || {
        auth.viewer.with(|v| {
            v.as_ref()
                .is_some_and(|v| v.access.has(Permission::AuditLogsExport))
        })
    };
    let applied = Signal::derive(move || view_state.with(|v| v.search.clone()));

    view! {
        <div class="page-header">
            <div>
                <h1>"Audit Logs"</h1>
                <p class="page-subtitle">"Every security event of your organization, newest first."</p>
            </div>
            <div class="page-actions">
                <button type="button" class="secondary live-toggle" aria-pressed=move || live.get().to_string()
                    on:click=move |_| live.update(|on| *on = !*on)>
                    {move || if live.get() { "● Live" } else { "Live" }}
                </button>
                <button type="button" class="secondary" aria-pressed=move || utc().to_string()
                    on:click=toggle_utc>
                    {move || if utc() { "Show local time" } else { "Show UTC" }}
                </button>
                <Show when=can_export>
                    <ExportLinks filter />
                </Show>
            </div>
        </div>
        <ChainBadge />
        {move || live_ended.get().map(|reason| view! {
            <p class="form-error" role="alert">"Live stopped: "{reason}</p>
        })}
        <SearchBar applied error=search_error on_apply=on_search />
        <FilterPanel applied=filter on_apply=on_search />
        <PeriodPresets current=applied on_apply=on_search />
        <Presets on_apply=on_search />
        <SavedViews current=applied on_apply=on_search />
        {move || activity.get().and_then(Result::ok).map(|a| view! { <ActivityChart activity=a on_select=narrow /> })}
        {retry}
        <div class="results" class:stale=stale>
            <div class="table-wrap">{table}</div>
            <Pager page=page_number total page_size on_page_size has_next on_previous on_next />
        </div>
        {move || view_state.with(|v| v.event.clone()).map(|id| split_view(event_detail, "event details", move |drawer: DrawerView| drawer(id.clone(), close)))}
    }
}

/// Runs `update`, then scrolls by however much it grew the page above the viewport, so rows
/// arriving at the top do not move what the viewer is reading.
fn keep_scroll_position(update: impl FnOnce()) {
    let height = || {
        document()
            .document_element()
            .map_or(0, |e| e.scroll_height())
    };
    let before = height();
    update();
    request_animation_frame(move || {
        let grown = height() - before;
        if grown > 0 && window().scroll_y().unwrap_or(0.0) > 0.0 {
            window().scroll_by_with_x_and_y(0.0, f64::from(grown));
        }
    });
}
