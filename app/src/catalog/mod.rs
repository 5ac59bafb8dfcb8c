//! The built-in event catalogue: every known event key with its category, label and message
//! template, and the rendering of an event's human sentence from its template.

mod entries;
mod template;

pub use entries::ENTRIES;
pub use template::render_message;

use serde::{Deserialize, Serialize};

/// One known event key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct EventType {
    /// The event key as senders post it, e.g. `user.invited` or `SECRET_READ`.
    pub key: &'static str,
    /// The log type the key belongs to, e.g. `user`, `api_key`, `secret`.
    pub category: &'static str,
    /// A short human label, e.g. "User invited".
    pub label: &'static str,
    /// The message template; see [`render_message`] for its placeholders.
    pub template: &'static str,
}

/// An owned copy of an [`EventType`], as the event-types API returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EventTypeInfo {
    pub key: String,
    pub category: String,
    pub label: String,
    pub template: String,
}

impl From<&EventType> for EventTypeInfo {
    fn from(t: &EventType) -> Self {
        Self {
            key: t.key.to_owned(),
            category: t.category.to_owned(),
            label: t.label.to_owned(),
            template: t.template.to_owned(),
        }
    }
}

/// The catalogue entry for `key`, if the key is known ([`ENTRIES`] is sorted by key).
pub fn lookup(key: &str) -> Option<&'static EventType> {
    ENTRIES
        .binary_search_by(|t| t.key.cmp(key))
        .ok()
        .map(|i| &ENTRIES[i])
}

/// The category of an event: the one given by the sender, else the catalogue's, else the action
/// up to its first `.` (the whole action when it has none).
pub fn category_for(action: &str, given: Option<&str>) -> String {
    if let Some(category) = given.filter(|c| !c.is_empty()) {
        return category.to_owned();
    }
    match lookup(action) {
        Some(t) => t.category.to_owned(),
        None => action.split('.').next().unwrap_or(action).to_owned(),
    }
}
