//! Realistic demo events: a handful of people, API keys and the system doing what an
//! organization's people and machines do over 90 days: sign-ins (some failing, some from new
//! devices), secret reads and writes per environment, invitations, role and key changes,
//! exports, detections, and actions no catalogue knows.

use app::model::{Actor, ActorType, Change, EventContext, EventResult, NewEvent, Target};
use chrono::{Duration, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};

const PEOPLE: [(&str, &str); 7] = [
    ("admin@acme.com", "Alice Admin"),
    ("manager@acme.com", "Mark Manager"),
    ("auditor@acme.com", "Sam Auditor"),
    ("bob@acme.com", "Bob Builder"),
    ("carol@acme.com", "Carol Chen"),
    ("dave@acme.com", "Dave Ops"),
    ("erin.contractor@acme.com", "Erin (contractor)"),
];
const API_KEYS: [&str; 3] = ["ci-deploy", "terraform", "siem-collector"];
const IPS: [&str; 10] = [
    "203.0.113.10",
    "203.0.113.11",
    "203.0.113.24",
    "198.51.100.7",
    "198.51.100.42",
    "10.8.0.5",
    "10.8.0.17",
    "2001:db8:85a3::8a2e:370:7334",
    "185.220.101.34",
    "45.83.64.2",
];
const LOCATIONS: [&str; 5] = [
    "Berlin, DE",
    "London, GB",
    "New York, US",
    "Lisbon, PT",
    "Unknown",
];
const BROWSERS: [(&str, &str, &str); 4] = [
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36", "Chrome", "macOS"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox", "Linux"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari", "iOS"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0", "Edge", "Windows"),
];
const MACHINE_AGENTS: [&str; 3] = ["curl/8.5.0", "Terraform/1.9.2", "python-requests/2.32"];
const SECRETS: [&str; 8] = [
    "STRIPE_SECRET_KEY",
    "DATABASE_URL",
    "AWS_SECRET_ACCESS_KEY",
    "SENDGRID_API_KEY",
    "JWT_SIGNING_KEY",
    "GITHUB_TOKEN",
    "REDIS_PASSWORD",
    "OPENAI_API_KEY",
];
const ENVIRONMENTS: [&str; 3] = ["production", "staging", "development"];
const ROLES: [&str; 4] = ["admin", "account_manager", "finance", "Security Auditor"];

/// Produces `total` demo events, oldest first, spread over the last 90 days.
pub struct EventGenerator {
    rng: StdRng,
    /// Seconds before now of each remaining event, newest last.
    ages: Vec<i64>,
}

impl EventGenerator {
    /// A generator for `total` events.
    pub fn new(total: usize) -> Self {
        let mut rng = StdRng::from_entropy();
        let span = Duration::days(90).num_seconds();
        let mut ages: Vec<i64> = (0..total).map(|_| rng.gen_range(60..span)).collect();
        ages.sort_unstable();
        Self { rng, ages }
    }

    /// The next (up to) `size` events, oldest first; `None` when done.
    pub fn next_batch(&mut self, size: usize) -> Option<Vec<NewEvent>> {
        if self.ages.is_empty() {
            return None;
        }
        let keep = self.ages.len().saturating_sub(size);
        let ages: Vec<i64> = self.ages.drain(keep..).rev().collect();
        Some(ages.into_iter().map(|age| self.event(age)).collect())
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        *items
            .choose(&mut self.rng)
            .expect("demo tables are not empty")
    }

    fn person(&mut self) -> Actor {
        let (email, name) = self.pick(&PEOPLE);
        Actor {
            kind: ActorType::User,
            id: format!("user_{}", email.split('@').next().unwrap_or(email)),
            email: Some(email.to_owned()),
            name: Some(name.to_owned()),
        }
    }

    fn api_key(&mut self) -> Actor {
        let name = self.pick(&API_KEYS);
        Actor {
            kind: ActorType::ApiKey,
            id: format!("key_{name}"),
            email: None,
            name: Some(name.to_owned()),
        }
    }

    fn browser_context(&mut self) -> (EventContext, &'static str, &'static str) {
        let (agent, browser, os) = self.pick(&BROWSERS);
        let context = EventContext {
            ip: Some(self.pick(&IPS).to_owned()),
            user_agent: Some(agent.to_owned()),
            location: Some(self.pick(&LOCATIONS).to_owned()),
            device_id: Some(format!("dev_{:06x}", self.rng.gen_range(0..0xffffff))),
            request_id: Some(format!("req_{:016x}", self.rng.gen::<u64>())),
            ..EventContext::default()
        };
        (context, browser, os)
    }

    fn machine_context(&mut self, environment: &str) -> EventContext {
        EventContext {
            ip: Some(self.pick(&IPS[5..]).to_owned()),
            user_agent: Some(self.pick(&MACHINE_AGENTS).to_owned()),
            environment: Some(environment.to_owned()),
            version: Some(format!("v{}", self.rng.gen_range(10..99))),
            request_id: Some(format!("req_{:016x}", self.rng.gen::<u64>())),
            ..EventContext::default()
        }
    }

    fn user_target(&mut self) -> Target {
        let (email, _) = self.pick(&PEOPLE);
        Target {
            kind: "user".into(),
            id: format!("user_{}", email.split('@').next().unwrap_or(email)),
            name: Some(email.to_owned()),
        }
    }

    fn named_target(kind: &str, name: &str) -> Target {
        Target {
            kind: kind.into(),
            id: format!("{kind}_{}", name.to_lowercase().replace(' ', "_")),
            name: Some(name.into()),
        }
    }

    /// One event `age` seconds ago, drawn from a weighted mix of what happens in a real org.
    fn event(&mut self, age: i64) -> NewEvent {
        let roll = self.rng.gen_range(0..1000);
        let (context, browser, os) = self.browser_context();
        let mut e = NewEvent {
            action: String::new(),
            category: None,
            occurred_at: Some(Utc::now() - Duration::seconds(age)),
            actor: self.person(),
            targets: vec![],
            context,
            result: EventResult::Success,
            details: Map::new(),
            changes: vec![],
            idempotency_key: None,
        };
        let details = |v: Value| v.as_object().cloned().unwrap_or_default();
        match roll {
            0..=219 => e.action = "auth.login.success".into(),
            220..=279 => {
                e.action = "auth.login.failure".into();
                e.result = EventResult::Failure;
                e.details = details(json!({"reason": "invalid_password"}));
            }
            280..=299 => {
                e.action = "user.new_device_logged_in".into();
                e.details = details(json!({"browser": browser, "os": os}));
            }
            300..=349 => e.action = "auth.logout".into(),
            350..=379 => {
                e.action = "auth.mfa.success".into();
            }
            380..=389 => {
                e.action = "auth.mfa.failure".into();
                e.result = EventResult::Failure;
            }
            390..=589 => {
                let environment = self.pick(&ENVIRONMENTS);
                e.action = "SECRET_READ".into();
                if self.rng.gen_bool(0.4) {
                    e.actor = self.api_key();
                    e.context = self.machine_context(environment);
                } else {
                    e.context.environment = Some(environment.into());
                }
                let secret = self.pick(&SECRETS);
                e.targets = vec![Self::named_target("secret", secret)];
            }
            590..=629 => {
                let environment = self.pick(&ENVIRONMENTS);
                let secret = self.pick(&SECRETS);
                let version = self.rng.gen_range(1..40);
                e.action = "SECRET_SET".into();
                e.context.environment = Some(environment.into());
                e.targets = vec![Self::named_target("secret", secret)];
                e.changes = vec![Change {
                    field: "version".into(),
                    before: json!(version),
                    after: json!(version + 1),
                }];
            }
            630..=669 => {
                e.action = "SECRET_LIST".into();
                e.context.environment = Some(self.pick(&ENVIRONMENTS).into());
            }
            670..=699 => {
                let environment = self.pick(&ENVIRONMENTS);
                e.action = "VARIABLE_SET".into();
                e.actor = self.api_key();
                e.context = self.machine_context(environment);
                e.targets = vec![Self::named_target("variable", "FEATURE_FLAGS")];
            }
            700..=729 => {
                e.action = "user.invited".into();
                e.targets = vec![self.user_target()];
                e.details = details(json!({"role": self.pick(&ROLES)}));
            }
            730..=749 => {
                let (before, after) = (self.pick(&ROLES), self.pick(&ROLES));
                e.action = "user.role_edited".into();
                e.targets = vec![self.user_target()];
                e.details = details(json!({"role": after}));
                e.changes = vec![Change {
                    field: "role".into(),
                    before: json!(before),
                    after: json!(after),
                }];
            }
            750..=779 => {
                let key = self.pick(&API_KEYS);
                let action = self.pick(&[
                    "api_key.created",
                    "api_key.rotated",
                    "api_key.updated",
                    "api_key.deleted",
                ]);
                e.action = action.into();
                e.targets = vec![Self::named_target("api_key", key)];
                e.details =
                    details(json!({"key_last4": format!("{:04}", self.rng.gen_range(0..10000))}));
            }
            780..=799 => {
                e.action = self.pick(&["role.created", "role.updated"]).into();
                e.targets = vec![Self::named_target("role", "Security Auditor")];
                e.details = details(json!({"role_code": "security_auditor"}));
                e.changes = vec![Change {
                    field: "permissions".into(),
                    before: json!(["audit_logs:read"]),
                    after: json!(["audit_logs:read", "audit_logs:export"]),
                }];
            }
            800..=819 => {
                e.action = "export.created".into();
                e.details = details(
                    json!({"format": self.pick(&["csv", "json", "ndjson"]), "rows": self.rng.gen_range(10..50_000)}),
                );
            }
            820..=834 => {
                e.action = "webhook_endpoint.created".into();
                e.details = details(json!({"url": "https://hooks.acme.com/audit"}));
                e.targets = vec![Self::named_target("webhook_endpoint", "hooks.acme.com")];
            }
            835..=844 => {
                e.action = "security.brute_force.detected".into();
                e.actor = Actor {
                    kind: ActorType::System,
                    id: "detector".into(),
                    email: None,
                    name: None,
                };
                e.result = EventResult::Failure;
                e.context.ip = Some("185.220.101.34".into());
                e.targets = vec![self.user_target()];
                e.details = details(json!({"failed_attempts": self.rng.gen_range(5..40)}));
            }
            845..=849 => {
                e.action = "security.account.lockout".into();
                e.actor = Actor {
                    kind: ActorType::System,
                    id: "detector".into(),
                    email: None,
                    name: None,
                };
                e.targets = vec![self.user_target()];
            }
            850..=899 => {
                e.action = "token.issued".into();
                e.actor = self.api_key();
                e.context = self.machine_context("production");
                e.targets = vec![Self::named_target("application", "billing-service")];
            }
            900..=929 => {
                e.action = "integration.updated".into();
                e.targets = vec![Self::named_target("integration", "Okta")];
                e.details = details(json!({"integration": "Okta"}));
            }
            930..=949 => {
                e.action = "PROJECT_UPDATE".into();
                e.targets = vec![Self::named_target("project", "payments-api")];
                e.changes = vec![Change {
                    field: "default_environment".into(),
                    before: json!("staging"),
                    after: json!("production"),
                }];
            }
            _ => {
                e.action = "deploy.finished".into();
                e.actor = self.api_key();
                e.context = self.machine_context("production");
                e.targets = vec![Self::named_target("service", "payments-api")];
                e.result = if self.rng.gen_bool(0.1) {
                    EventResult::Failure
                } else {
                    EventResult::Success
                };
                e.details =
                    details(json!({"commit": format!("{:07x}", self.rng.gen_range(0..0xfffffff))}));
            }
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_exactly_the_requested_valid_events_oldest_first() {
        let mut generator = EventGenerator::new(2_500);
        let mut all = vec![];
        while let Some(batch) = generator.next_batch(1000) {
            assert!(batch.len() <= 1000);
            all.extend(batch);
        }
        assert_eq!(all.len(), 2_500);
        let now = Utc::now();
        for e in &all {
            assert_eq!(e.validate(now), Ok(()), "{}", e.action);
        }
        assert!(all.windows(2).all(|w| w[0].occurred_at <= w[1].occurred_at));
        assert!(all.iter().any(|e| e.result == EventResult::Failure));
        assert!(all.iter().any(|e| !e.changes.is_empty()));
        assert!(all.iter().any(|e| e.actor.kind == ActorType::ApiKey));
    }
}
