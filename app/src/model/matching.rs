//! The meaning of a filter, on one event in memory: the reference the stores' SQL must agree
//! with (the property test compares them), and the text that free search looks in.

use super::event::AuditEvent;
use super::filter::{Criteria, EventFilter};
use super::ip_range::IpRange;

/// The lower-cased text `q` searches: message, actor, targets and details.
pub fn search_text(e: &AuditEvent) -> String {
    let mut text = format!("{}\n{}\n{}", e.message, e.actor.label(), e.actor.id);
    if let Some(name) = &e.actor.name {
        text.push('\n');
        text.push_str(name);
    }
    for t in &e.targets {
        text.push_str(&format!(
            "\n{} {} {}",
            t.kind,
            t.id,
            t.name.as_deref().unwrap_or("")
        ));
    }
    if !e.details.is_empty() {
        text.push('\n');
        text.push_str(&serde_json::Value::Object(e.details.clone()).to_string());
    }
    text.to_lowercase()
}

/// Whether an action key matches a filter value: exact, or a prefix when the value ends in `*`.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => action.starts_with(prefix),
        None => action == pattern,
    }
}

/// `true` when `values` is non-empty and `test` holds for one of them.
fn hits<T>(values: &[T], test: impl Fn(&T) -> bool) -> bool {
    values.iter().any(test)
}

impl Criteria {
    /// For each constrained field: whether the event has one of its values; `None` when the
    /// field is unconstrained. `include` needs every `Some` to be true, `exclude` every one false.
    /// Only constrained fields are looked at (the unindexed tail is matched on every read, so an
    /// actor label or an IP address is worked out only for a filter that asks for it).
    fn field_hits(&self, e: &AuditEvent) -> [Option<bool>; 8] {
        [
            (!self.actors.is_empty()).then(|| {
                let label = e.actor.label().to_lowercase();
                hits(&self.actors, |a| {
                    a.to_lowercase() == label || **a == e.actor.id
                })
            }),
            (!self.actions.is_empty())
                .then(|| hits(&self.actions, |a| action_matches(a, &e.action))),
            (!self.categories.is_empty()).then(|| hits(&self.categories, |c| *c == e.category)),
            (!self.target_types.is_empty()).then(|| {
                hits(&self.target_types, |k| {
                    e.targets.iter().any(|t| t.kind == *k)
                })
            }),
            (!self.target_ids.is_empty())
                .then(|| hits(&self.target_ids, |id| e.targets.iter().any(|t| t.id == *id))),
            (!self.ips.is_empty()).then(|| {
                let ip = e.context.ip.as_deref().and_then(|ip| ip.parse().ok());
                ip.is_some_and(|ip| hits(&self.ips, |r: &IpRange| r.contains(ip)))
            }),
            (!self.results.is_empty()).then(|| hits(&self.results, |r| *r == e.result)),
            (!self.environments.is_empty()).then(|| {
                hits(&self.environments, |v| {
                    e.context.environment.as_deref() == Some(v.as_str())
                })
            }),
        ]
    }
}

impl EventFilter {
    /// Whether `event` is one this filter shows.
    pub fn matches(&self, event: &AuditEvent) -> bool {
        self.from.is_none_or(|from| event.occurred_at >= from)
            && self.until.is_none_or(|until| event.occurred_at < until)
            && self.through_seq.is_none_or(|seq| event.seq <= seq)
            && self
                .include
                .field_hits(event)
                .iter()
                .all(|h| h.unwrap_or(true))
            && !self
                .exclude
                .field_hits(event)
                .iter()
                .any(|h| h.unwrap_or(false))
            && self
                .q
                .as_ref()
                .is_none_or(|q| search_text(event).contains(&q.to_lowercase()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_patterns_are_exact_or_prefix() {
        assert!(action_matches("user.*", "user.invited"));
        assert!(!action_matches("user.*", "users.x"));
        assert!(action_matches("SECRET_READ", "SECRET_READ"));
        assert!(!action_matches("SECRET", "SECRET_READ"));
    }
}
