//! Self-audit: Auditrail's own security actions, recorded in the organization's log through
//! the same ingest path as any other event.

use super::Services;
use crate::store::{Organization, User};
use app::model::{
    Actor, ActorType, ApiError, Change, ClientInfo, EventContext, EventResult, NewEvent, Requester,
    Target,
};
use serde_json::{Map, Value};

/// One of Auditrail's own actions, about to be recorded.
pub struct OwnEvent {
    event: NewEvent,
}

impl OwnEvent {
    /// `action` (a catalogue key) done by `actor`.
    pub fn new(action: &str, actor: Actor) -> Self {
        Self {
            event: NewEvent {
                action: action.to_owned(),
                category: None,
                occurred_at: None,
                actor,
                targets: vec![],
                context: EventContext::default(),
                result: EventResult::Success,
                details: Map::new(),
                changes: vec![],
                idempotency_key: None,
            },
        }
    }

    /// `action` done by the signed-in requester.
    pub fn by(action: &str, requester: &Requester) -> Self {
        Self::new(action, requester.viewer.actor())
    }

    /// Adds a resource the action affected.
    pub fn target(mut self, kind: &str, id: String, name: &str) -> Self {
        self.event.targets.push(Target {
            kind: kind.to_owned(),
            id,
            name: Some(name.to_owned()),
        });
        self
    }

    /// Adds a user as a target.
    pub fn user_target(self, user: &User) -> Self {
        self.target("user", user_id(user.id), &user.email)
    }

    /// Adds a top-level details value.
    pub fn detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.event.details.insert(key.to_owned(), value.into());
        self
    }

    /// Adds a before → after change (only when the value changed).
    pub fn change(
        mut self,
        field: &str,
        before: impl Into<Value>,
        after: impl Into<Value>,
    ) -> Self {
        let (before, after) = (before.into(), after.into());
        if before != after {
            self.event.changes.push(Change {
                field: field.to_owned(),
                before,
                after,
            });
        }
        self
    }

    /// Marks the action as failed.
    pub fn failed(mut self) -> Self {
        self.event.result = EventResult::Failure;
        self
    }
}

/// The actor id of a user, as events name it.
pub fn user_id(id: i64) -> String {
    format!("user_{id}")
}

/// A user as the actor of an event.
pub fn user_actor(user: &User) -> Actor {
    Actor {
        kind: ActorType::User,
        id: user_id(user.id),
        email: Some(user.email.clone()),
        name: Some(user.display_name.clone()),
    }
}

/// Auditrail itself, the actor of its detections.
pub fn system_actor() -> Actor {
    Actor {
        kind: ActorType::System,
        id: "auditrail".into(),
        email: None,
        name: Some("Auditrail".into()),
    }
}

impl Services {
    /// Records `event` in the organization's log with where the request came from. A failure
    /// is logged and answered: the action happened, but its record could not be written.
    pub(super) async fn record(
        &self,
        org_id: i64,
        client: &ClientInfo,
        event: OwnEvent,
    ) -> Result<(), ApiError> {
        let mut event = event.event;
        event.context.ip = client.ip.clone();
        event.context.user_agent = client.user_agent.clone();
        let action = event.action.clone();
        self.ingest(org_id, vec![event])
            .await
            .map(|_| ())
            .map_err(|error| {
                tracing::error!(org_id, action, %error, "could not record a security event");
                error
            })
    }

    /// Records the same event in each of the organizations.
    pub(super) async fn record_in_each(
        &self,
        organizations: &[Organization],
        client: &ClientInfo,
        event: impl Fn() -> OwnEvent,
    ) -> Result<(), ApiError> {
        for org in organizations {
            self.record(org.id, client, event()).await?;
        }
        Ok(())
    }
}
