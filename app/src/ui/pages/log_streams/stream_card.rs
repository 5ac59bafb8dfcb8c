//! One stream as a card: where it delivers, which events, its state and lag (following the
//! page's refreshes), and its actions: pause or resume, a test event, a new signing secret
//! (webhooks), the delivery log, delete.

use super::delivery_log::DeliveryLog;
use super::Refresh;
use crate::api::log_streams::{
    delete_log_stream, rotate_log_stream_secret, test_log_stream, update_log_stream,
};
use crate::model::{Delivery, LogStream, LogStreamUpdate, RotatedSecret, StreamState};
use crate::ui::components::{confirm, Busy, Flash, Notice, SecretOnce};
use crate::ui::time;
use leptos::prelude::*;

/// A number of seconds, roughly: `40s`, `12 min`, `3 h`, `2 days`.
fn duration(seconds: i64) -> String {
    match seconds.max(0) {
        s @ 0..120 => format!("{s}s"),
        s @ 120..7_200 => format!("{} min", s / 60),
        s @ 7_200..172_800 => format!("{} h", s / 3_600),
        s => format!("{} days", s / 86_400),
    }
}

/// How far behind the stream is: `Caught up`, or `12 events · 40s behind`.
fn lag(stream: &LogStream) -> String {
    match stream.lag_events {
        0 => "Caught up".to_owned(),
        1 => format!("1 event · {} behind", duration(stream.lag_seconds)),
        n => format!("{n} events · {} behind", duration(stream.lag_seconds)),
    }
}

/// The badge classes of a state.
fn state_class(state: Option<StreamState>) -> &'static str {
    match state {
        Some(StreamState::Active) => "badge badge-success",
        Some(StreamState::Failing) => "badge badge-failure",
        Some(StreamState::Paused) | None => "badge badge-category",
    }
}

/// Why a failing stream fails, and since when.
fn failing_reason(stream: &LogStream) -> Option<String> {
    if stream.state != StreamState::Failing {
        return None;
    }
    let error = stream
        .last_error
        .as_deref()
        .unwrap_or("The destination refuses deliveries");
    Some(match stream.failing_since {
        Some(since) => format!("{error} (since {})", time::local(since)),
        None => error.to_owned(),
    })
}

/// What a test attempt did: `Test event delivered (HTTP 204 in 12 ms)`, or why it failed.
fn test_outcome(delivery: &Delivery) -> Notice {
    let ms = delivery.latency_ms;
    let took = match delivery.status {
        Some(status) => format!("HTTP {status} in {ms} ms"),
        None => format!("{ms} ms"),
    };
    if delivery.ok {
        Notice::Done(format!("Test event delivered ({took})"))
    } else {
        let error = delivery.error.as_deref().unwrap_or("refused");
        Notice::Failed(format!("Test event failed ({took}): {error}"))
    }
}

/// The card of stream `id`; `stream` follows it through the page's refreshes.
#[component]
pub(super) fn StreamCard(
    id: i64,
    stream: Memo<Option<LogStream>>,
    refresh: Refresh,
    /// Where the page says a stream was deleted (its card is gone by then).
    page_notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let busy = Busy::new();
    let notice = RwSignal::new(None::<Notice>);
    let rotated = RwSignal::new(None::<RotatedSecret>);
    let log_open = RwSignal::new(false);
    let (heading_id, log_id) = (
        format!("stream-{id}-name"),
        format!("stream-{id}-deliveries"),
    );
    let (labelled_by, controls) = (heading_id.clone(), log_id.clone());

    // One fact of the stream, redrawn when it changes.
    let fact = move |read: fn(&LogStream) -> String| {
        move || stream.with(|s| s.as_ref().map(read).unwrap_or_default())
    };
    let state = move || stream.with(|s| s.as_ref().map(|s| s.state));
    let paused = move || state() == Some(StreamState::Paused);
    let signed = move || stream.with(|s| s.as_ref().is_some_and(|s| s.destination.is_signed()));

    let toggle_pause = move |_| {
        let pause =
            stream.with_untracked(|s| s.as_ref().is_some_and(|s| s.state != StreamState::Paused));
        busy.run(async move {
            let update = LogStreamUpdate {
                paused: Some(pause),
                ..Default::default()
            };
            let result = update_log_stream(id, update).await;
            let done = if pause {
                "Paused: new events wait until the stream is resumed."
            } else {
                "Resumed: delivery picks up where it stopped."
            };
            notice.set(Some(Notice::of(&result, done)));
            refresh.now();
        });
    };
    let send_test = move |_| {
        busy.run(async move {
            let result = test_log_stream(id).await;
            notice.set(Some(match &result {
                Ok(delivery) => test_outcome(delivery),
                Err(e) => Notice::Failed(e.message.clone()),
            }));
            refresh.now();
        });
    };
    let rotate = move |_| {
        busy.run(async move {
            match rotate_log_stream_secret(id).await {
                Ok(secret) => {
                    notice.set(None);
                    rotated.set(Some(secret));
                }
                Err(e) => notice.set(Some(Notice::Failed(e.message))),
            }
            refresh.now();
        });
    };
    let delete = move |_| {
        let (name, address) = stream.with_untracked(|s| {
            s.as_ref()
                .map(|s| (s.name.clone(), s.destination.address()))
                .unwrap_or_default()
        });
        if !confirm(&format!(
            "Delete the stream {name}? Events stop going to {address}."
        )) {
            return;
        }
        busy.run(async move {
            match delete_log_stream(id).await {
                Ok(()) => page_notice.set(Some(Notice::Done(format!("Stream {name} deleted")))),
                Err(e) => notice.set(Some(Notice::Failed(e.message))),
            }
            refresh.now();
        });
    };

    let credential = move || {
        stream.with(|s| {
            let s = s.as_ref()?;
            let last4 = s.credential_last4.as_deref()?;
            Some(view! { <dt>"Credential"</dt><dd><code>{format!("***{last4}")}</code></dd> })
        })
    };
    let previous_secret = move || {
        stream
            .with(|s| s.as_ref().and_then(|s| s.previous_secret_expires_at))
            .map(|until| {
                view! { <dt>"Previous secret"</dt><dd>{format!("Also signs until {}", time::local(until))}</dd> }
            })
    };
    let new_secret = move || {
        rotated.get().map(|r| {
            view! {
                <SecretOnce secret=r.signing_secret copy_label="Copy secret" testid="signing-secret">
                    <p>"Copy the new signing secret now: it will not be shown again. Deliveries are "
                       "also signed with the previous one until "{time::local(r.previous_secret_expires_at)}
                       ", so receivers can switch in the meantime."</p>
                </SecretOnce>
            }
        })
    };
    let rotate_button = move || {
        signed().then(|| {
            view! {
                <button type="button" class="secondary" disabled=move || busy.get() on:click=rotate>"Rotate secret"</button>
            }
        })
    };

    view! {
        <article class="card stream-card" aria-labelledby=labelled_by aria-busy=move || busy.get().to_string()>
            <h2 id=heading_id>{fact(|s| s.name.clone())}</h2>
            <dl class="facts stream-facts">
                <dt>"Kind"</dt><dd>{fact(|s| s.destination.kind_label().to_owned())}</dd>
                <dt>"Address"</dt><dd><code>{fact(|s| s.destination.address())}</code></dd>
                <dt>"Filter"</dt>
                <dd>{move || stream.with(|s| match s.as_ref().map(|s| s.filter.as_str()) {
                    Some(filter) if !filter.is_empty() => view! { <code>{filter.to_owned()}</code> }.into_any(),
                    _ => view! { "All events" }.into_any(),
                })}</dd>
                <dt>"State"</dt>
                <dd>
                    <span class=move || state_class(state()) data-testid="stream-state">
                        {move || state().map(StreamState::label)}
                    </span>
                    {move || stream.with(|s| s.as_ref().and_then(failing_reason)).map(|reason| view! {
                        " " <span class="stream-error">{reason}</span>
                    })}
                </dd>
                <dt>"Lag"</dt><dd>{fact(lag)}</dd>
                <dt>"Last delivered"</dt>
                <dd>{fact(|s| s.last_delivered_at.map_or_else(|| "Never".to_owned(), time::local))}</dd>
                {credential}
                {previous_secret}
            </dl>
            <Flash notice=notice />
            {new_secret}
            <div class="stream-actions">
                <button type="button" class="secondary" disabled=move || busy.get() on:click=toggle_pause>
                    {move || if paused() { "Resume" } else { "Pause" }}
                </button>
                <button type="button" class="secondary" disabled=move || busy.get() on:click=send_test>"Send test event"</button>
                {rotate_button}
                <button type="button" class="secondary" aria-expanded=move || log_open.get().to_string()
                    aria-controls=controls on:click=move |_| log_open.update(|open| *open = !*open)>
                    "Delivery log"
                </button>
                <button type="button" class="danger" disabled=move || busy.get() on:click=delete>"Delete"</button>
            </div>
            <div id=log_id class="stream-deliveries" hidden=move || !log_open.get()>
                <Show when=move || log_open.get()>
                    <DeliveryLog id refresh />
                </Show>
            </div>
        </article>
    }
}
