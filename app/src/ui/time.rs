//! Times as the viewer reads them: local timezone on screen, UTC on hover.

use chrono::{DateTime, Local, Utc};

/// `2025-01-31 14:05:09` in the viewer's timezone.
pub fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// `2025-01-31T13:05:09.123Z`, the exact UTC instant.
pub fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
