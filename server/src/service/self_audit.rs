//! Self-audit: Auditrail's own security actions, staged in the transaction of the change they
//! record and then linked into the organization's chain through the same append as any event.

use super::ingest::validate;
use super::Services;
use crate::store::{IdentityTx, Organization, User};
use app::model::{
    Actor, ActorType, ApiError, Change, ClientInfo, EventContext, EventResult, EventSource,
    NewEvent, Requester, Target, AUDITRAIL_ACTOR_ID, MAX_TEXT_LEN,
};
use chrono::{SubsecRound, Utc};
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

/// Auditrail itself, the actor of its detections (reserved: ingest refuses it).
pub fn system_actor() -> Actor {
    Actor {
        kind: ActorType::System,
        id: AUDITRAIL_ACTOR_ID.into(),
        email: None,
        name: Some("Auditrail".into()),
    }
}

/// Most staged events linked per round.
const LINK_BATCH: i64 = 500;

impl Services {
    /// Stages `event` in `tx`, with where the request came from: it commits with the change it
    /// records, or neither does. An event that would not pass validation fails here, before
    /// anything commits.
    pub(super) async fn stage(
        tx: &mut IdentityTx,
        org_id: i64,
        client: &ClientInfo,
        event: OwnEvent,
    ) -> Result<(), ApiError> {
        let event = Self::prepare(org_id, client, event)?;
        tx.stage_own_event(org_id, &event).await?;
        Ok(())
    }

    /// `event` complete and validated, ready to stage: where the request came from, when, and
    /// an idempotency key.
    pub(super) fn prepare(
        org_id: i64,
        client: &ClientInfo,
        event: OwnEvent,
    ) -> Result<NewEvent, ApiError> {
        let mut event = event.event;
        event.context.ip = client.ip.clone();
        // A blank or over-long browser name must never keep the event from being recorded.
        event.context.user_agent = client
            .user_agent
            .as_deref()
            .map(str::trim)
            .filter(|agent| !agent.is_empty())
            .map(|agent| agent.chars().take(MAX_TEXT_LEN / 4).collect());
        let now = Utc::now().trunc_subsecs(6);
        event.occurred_at = Some(now);
        // A retried link yields the original event instead of a second one.
        event.idempotency_key = Some(format!("auditrail-{}", uuid::Uuid::now_v7()));
        validate(&event, now).inspect_err(|error| {
            tracing::error!(org_id, action = event.action, %error, "invalid security event");
        })?;
        Ok(event)
    }

    /// Stages the same event in each of the organizations.
    pub(super) async fn stage_in_each(
        tx: &mut IdentityTx,
        organizations: &[Organization],
        client: &ClientInfo,
        event: impl Fn() -> OwnEvent,
    ) -> Result<(), ApiError> {
        for org in organizations {
            Self::stage(tx, org.id, client, event()).await?;
        }
        Ok(())
    }

    /// Commits a change with its staged events, then links them into their chains. Once the
    /// commit succeeded the change and its record are durable: a failure to link is logged and
    /// retried by [`Services::link_own_events`] (run at start and every few seconds).
    pub(super) async fn commit(&self, tx: IdentityTx) -> Result<(), ApiError> {
        tx.commit().await?;
        if let Err(error) = self.link_own_events().await {
            tracing::warn!(%error, "security events staged; linking them will be retried");
        }
        Ok(())
    }

    /// Links every staged self-audit event into its organization's chain, oldest first, and
    /// forgets it. Safe to run concurrently and again after a crash: each staged event carries
    /// an idempotency key, so it is appended once.
    pub async fn link_own_events(&self) -> Result<(), ApiError> {
        let identity = &self.stores.identity;
        loop {
            let pending = identity.pending_own_events(LINK_BATCH).await?;
            if pending.is_empty() {
                return Ok(());
            }
            for group in pending.chunk_by(|a, b| a.org_id == b.org_id) {
                let events = group.iter().map(|p| p.event.clone()).collect();
                self.append(group[0].org_id, &EventSource::Auditrail, events)
                    .await?;
                let ids: Vec<i64> = group.iter().map(|p| p.id).collect();
                let mut tx = identity.begin().await?;
                tx.forget_own_events(&ids).await?;
                tx.commit().await?;
            }
        }
    }
}
