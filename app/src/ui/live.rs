//! Live tail in the browser: an `EventSource` on `/api/v1/audit-logs/stream` whose events are
//! handed to a callback until the subscription is dropped.

use crate::model::AuditEvent;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

/// An open live-tail connection; closes when dropped.
pub struct LiveTail {
    source: EventSource,
    _on_event: Closure<dyn FnMut(MessageEvent)>,
}

impl LiveTail {
    /// Opens the stream at `url` (same origin: the session cookie goes along).
    pub fn open(url: &str, mut on_event: impl FnMut(AuditEvent) + 'static) -> Option<Self> {
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
        Some(Self {
            source,
            _on_event: on_event,
        })
    }
}

impl Drop for LiveTail {
    fn drop(&mut self) {
        self.source.close();
    }
}
