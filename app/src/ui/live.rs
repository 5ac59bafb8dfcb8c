//! Live tail in the browser: an `EventSource` on `/api/v1/audit-logs/stream` whose events are
//! handed to a callback until the subscription is dropped, or until the server ends the stream
//! (the caller's access ended), which is told to a second callback with the reason.

use crate::model::{AuditEvent, ErrorEnvelope};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

/// An open live-tail connection; closes when dropped.
pub struct LiveTail {
    source: EventSource,
    _on_event: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(MessageEvent)>,
}

impl LiveTail {
    /// Opens the stream at `url` (same origin: the session cookie goes along). `on_end` gets
    /// why the stream ended: the server's error, or a connection that cannot be reopened.
    pub fn open(
        url: &str,
        mut on_event: impl FnMut(AuditEvent) + 'static,
        mut on_end: impl FnMut(String) + 'static,
    ) -> Option<Self> {
        let source = EventSource::new(url).ok()?;
        let on_event = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
            let event = message
                .data()
                .as_string()
                .and_then(|text| serde_json::from_str::<AuditEvent>(&text).ok());
            if let Some(event) = event {
                on_event(event);
            }
        });
        source
            .add_event_listener_with_callback("audit_event", on_event.as_ref().unchecked_ref())
            .ok()?;
        let closing = source.clone();
        // The server's `error` event carries a JSON error; the browser's own `error` event (a
        // dropped connection) carries nothing and is retried, unless the browser gave up.
        let on_error = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
            let told = message
                .data()
                .as_string()
                .and_then(|text| serde_json::from_str::<ErrorEnvelope>(&text).ok());
            let reason = match told {
                Some(envelope) => envelope.error.message,
                None if closing.ready_state() == EventSource::CLOSED => {
                    "the connection was refused".to_owned()
                }
                None => return,
            };
            closing.close();
            on_end(reason);
        });
        source
            .add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref())
            .ok()?;
        Some(Self {
            source,
            _on_event: on_event,
            _on_error: on_error,
        })
    }
}

impl Drop for LiveTail {
    fn drop(&mut self) {
        self.source.close();
    }
}
