//! `/log-streams`: where the organization's events are pushed as they arrive (a SIEM's webhook,
//! Splunk, Datadog, syslog). The streams' state and lag, and an open delivery log, refresh every
//! few seconds; a form adds a stream; each stream pauses, resumes, sends a test event, gets a new
//! signing secret (webhooks) and is deleted from its card.

mod delivery_log;
mod new_stream_form;
mod stream_card;

use crate::api::log_streams::list_log_streams;
use crate::model::ApiError;
use crate::ui::components::{Flash, Notice, RetryBanner};
use leptos::prelude::*;
use new_stream_form::NewStreamForm;
use std::time::Duration;
use stream_card::StreamCard;

/// How often the page asks again for the streams (and an open delivery log).
const REFRESH_EVERY: Duration = Duration::from_secs(5);

/// The page's clock: it ticks every few seconds, and at once after an action changed a stream.
#[derive(Clone, Copy)]
struct Refresh(RwSignal<u32>);

impl Refresh {
    /// A clock ticking every [`REFRESH_EVERY`] until the page is left.
    fn every_few_seconds() -> Self {
        let refresh = Self(RwSignal::new(0));
        let ticking = set_interval_with_handle(move || refresh.now(), REFRESH_EVERY).ok();
        on_cleanup(move || {
            if let Some(handle) = ticking {
                handle.clear();
            }
        });
        refresh
    }

    /// Makes the running closure (a resource's fetcher) run again at every tick.
    fn track(self) {
        self.0.track();
    }

    /// Ticks now.
    fn now(self) {
        self.0.update(|tick| *tick = tick.wrapping_add(1));
    }
}

/// The latest value `resource` loaded: kept while it reloads or when a reload fails, and not
/// changed (nothing is drawn again) when a reload brings the same.
fn last_loaded<T>(resource: LocalResource<Result<T, ApiError>>) -> Memo<Option<T>>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    Memo::new(move |previous: Option<&Option<T>>| match resource.get() {
        Some(Ok(value)) => Some(value),
        _ => previous.cloned().flatten(),
    })
}

/// Why the latest load of `resource` failed, while it does.
fn load_failure<T>(resource: LocalResource<Result<T, ApiError>>) -> Memo<Option<String>>
where
    T: Clone + Send + Sync + 'static,
{
    Memo::new(move |_| resource.get().and_then(Result::err).map(|e| e.message))
}

/// The log streams page.
#[component]
pub fn LogStreams() -> impl IntoView {
    let refresh = Refresh::every_few_seconds();
    let streams = LocalResource::new(move || {
        refresh.track();
        list_log_streams()
    });
    let loaded = last_loaded(streams);
    let failure = load_failure(streams);
    let notice = RwSignal::new(None::<Notice>);

    let loading = move || loaded.with(Option::is_none) && failure.with(Option::is_none);
    let none_yet = move || loaded.with(|list| list.as_ref().is_some_and(Vec::is_empty));
    let listed = move || loaded.with(|list| list.as_ref().is_some_and(|l| !l.is_empty()));
    let ids = move || {
        loaded.with(|list| {
            list.iter()
                .flatten()
                .map(|stream| stream.id)
                .collect::<Vec<_>>()
        })
    };
    // Each card follows its own stream, so a refresh redraws only what changed and keeps what
    // a card shows (an open delivery log, a test's outcome, a new secret).
    let card = move |id: i64| {
        let stream = Memo::new(move |_| {
            loaded.with(|list| list.iter().flatten().find(|s| s.id == id).cloned())
        });
        view! { <li><StreamCard id stream refresh page_notice=notice /></li> }
    };

    view! {
        <section class="admin-page">
            <header class="page-header">
                <div>
                    <h1>"Log streams"</h1>
                    <p class="page-subtitle">"Push your organization's events to a SIEM or log collector as they arrive."</p>
                </div>
            </header>
            <Flash notice=notice />
            {move || failure.get().map(|message| view! {
                <RetryBanner message on_retry=Callback::new(move |()| refresh.now()) />
            })}
            <Show when=loading>
                <p class="state state-loading" role="status">"Loading log streams…"</p>
            </Show>
            <Show when=none_yet>
                <p class="state">"No log streams yet: add one below."</p>
            </Show>
            <Show when=listed>
                <ul class="stream-list" aria-label="Log streams">
                    <For each=ids key=|id| *id children=card />
                </ul>
            </Show>
            <NewStreamForm on_created=Callback::new(move |()| refresh.now()) />
        </section>
    }
}
