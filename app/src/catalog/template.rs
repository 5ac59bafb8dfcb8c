//! Rendering an event's human sentence from its catalogue template.
//!
//! Placeholders: `{actor}`, `{action}`, `{target}` (the first target), `{target.<type>}` (the
//! first target of that type) and `{details.<key>}` (a top-level details value). A value the
//! event does not carry renders as `unknown`, so a sentence is never cut short.

use super::lookup;
use crate::model::{Actor, Target};
use serde_json::{Map, Value};

/// The sentence for an event whose action is not in the catalogue.
const GENERIC_WITH_TARGET: &str = "{actor} performed {action} on {target}";
const GENERIC: &str = "{actor} performed {action}";

/// The parts of an event a template can mention.
struct Subject<'a> {
    action: &'a str,
    actor: &'a Actor,
    targets: &'a [Target],
    details: &'a Map<String, Value>,
}

impl Subject<'_> {
    fn value(&self, name: &str) -> Option<String> {
        match name {
            "actor" => Some(self.actor.label()),
            "action" => Some(self.action.to_owned()),
            "target" => self.targets.first().map(|t| t.label().to_owned()),
            _ => {
                if let Some(kind) = name.strip_prefix("target.") {
                    self.targets
                        .iter()
                        .find(|t| t.kind == kind)
                        .map(|t| t.label().to_owned())
                } else if let Some(key) = name.strip_prefix("details.") {
                    self.details.get(key).and_then(scalar_text)
                } else {
                    None
                }
            }
        }
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Renders the message of an event from its action's template (or the generic sentence).
pub fn render_message(
    action: &str,
    actor: &Actor,
    targets: &[Target],
    details: &Map<String, Value>,
) -> String {
    let template = match lookup(action) {
        Some(t) => t.template,
        None if targets.is_empty() => GENERIC,
        None => GENERIC_WITH_TARGET,
    };
    let subject = Subject {
        action,
        actor,
        targets,
        details,
    };
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                out.push_str(subject.value(name).as_deref().unwrap_or("unknown"));
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ActorType;

    fn alice() -> Actor {
        Actor {
            kind: ActorType::User,
            id: "u_1".into(),
            email: Some("alice@acme.com".into()),
            name: None,
        }
    }

    fn target(kind: &str, name: &str) -> Target {
        Target {
            kind: kind.into(),
            id: format!("{kind}_1"),
            name: Some(name.into()),
        }
    }

    #[test]
    fn renders_catalogued_templates_with_actor_targets_and_details() {
        let msg = render_message(
            "user.invited",
            &alice(),
            &[target("user", "bob@acme.com")],
            &Map::new(),
        );
        assert_eq!(msg, "bob@acme.com was invited by alice@acme.com");

        let details = serde_json::json!({"role": "finance"});
        let msg = render_message(
            "user.role_edited",
            &alice(),
            &[target("user", "bob@acme.com")],
            details.as_object().unwrap(),
        );
        assert!(
            msg.contains("bob@acme.com")
                && msg.contains("finance")
                && msg.contains("alice@acme.com"),
            "{msg}"
        );
    }

    #[test]
    fn unknown_actions_get_the_generic_sentence() {
        let key = Actor {
            kind: ActorType::ApiKey,
            id: "k1".into(),
            email: None,
            name: Some("deploy".into()),
        };
        assert_eq!(
            render_message(
                "deploy.finished",
                &key,
                &[target("service", "billing")],
                &Map::new()
            ),
            "api-key:deploy performed deploy.finished on billing"
        );
        assert_eq!(
            render_message("deploy.finished", &key, &[], &Map::new()),
            "api-key:deploy performed deploy.finished"
        );
    }

    #[test]
    fn missing_values_render_as_unknown() {
        let msg = render_message("user.invited", &alice(), &[], &Map::new());
        assert_eq!(msg, "unknown was invited by alice@acme.com");
    }
}
