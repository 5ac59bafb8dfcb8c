//! Times as the viewer reads them: local timezone on screen, UTC on hover.

use chrono::{DateTime, Local, SubsecRound, Utc};

/// `2025-01-31 14:05:09` in the viewer's timezone (`NaiveDateTime`'s own display, to the second).
pub fn local(t: DateTime<Utc>) -> String {
    t.trunc_subsecs(0)
        .with_timezone(&Local)
        .naive_local()
        .to_string()
}

/// `2025-01-31T13:05:09.123Z`, the exact UTC instant.
pub fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// How long before `now` `t` was, roughly: `just now`, `5 min ago`, `3 h ago`, `2 days ago`.
pub fn ago(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - t).num_seconds().max(0);
    match seconds {
        0..60 => "just now".to_owned(),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86_400 => format!("{} h ago", seconds / 3600),
        _ => format!("{} days ago", seconds / 86_400),
    }
}
