//! Ingest: validate → render the message → link into the chain and store, atomically.

use super::Services;
use crate::digest::sha256_hex;
use crate::prometheus::{EVENTS_INGESTED, INGEST_BATCH_SIZE};
use crate::store::EventDraft;
use app::catalog::{category_for, render_message};
use app::model::{Access, ApiError, AuditEvent, ErrorCode, EventSource, NewEvent, Permission};
use chrono::{DateTime, SubsecRound, Utc};
use std::collections::HashSet;

/// Most events one ingest request may carry.
pub const MAX_BATCH: usize = 1000;

/// What a batch refused while the index catches up tells the client to wait (the indexer
/// writes tens of thousands of events a second).
const INDEX_RETRY_AFTER_SECONDS: u64 = 1;

/// The stored form of a posted event (before `seq`, `received_at` and the chain are assigned).
fn draft(new: NewEvent, source: &EventSource, now: DateTime<Utc>) -> EventDraft {
    let content_hash = new
        .idempotency_key
        .as_ref()
        .map(|_| sha256_hex(&serde_json::to_vec(&new).unwrap_or_default()));
    let message = render_message(&new.action, &new.actor, &new.targets, &new.details);
    let category = category_for(&new.action, new.category.as_deref());
    let event = AuditEvent {
        id: uuid::Uuid::now_v7().to_string(),
        seq: 0,
        action: new.action,
        category,
        occurred_at: new.occurred_at.map_or(now, |t| t.trunc_subsecs(6)),
        received_at: now,
        actor: new.actor,
        targets: new.targets,
        context: new.context,
        result: new.result,
        details: new.details,
        changes: new.changes,
        message,
        idempotency_key: new.idempotency_key,
        source: Some(source.clone()),
        prev_hash: String::new(),
        hash: String::new(),
    };
    EventDraft {
        event,
        content_hash,
    }
}

impl Services {
    /// Validates and appends a batch posted by `caller` (who needs `events:write`): all events
    /// are stored, or none. Answers the stored events in input order (originals for idempotent
    /// retries). Auditrail's own actor is reserved: an event claiming it is refused. While the
    /// organization's index is too far behind, the batch is refused with 429 and `Retry-After`
    /// (nothing stored): the client retries once the indexer has caught up.
    pub async fn ingest(
        &self,
        caller: &Access,
        source: EventSource,
        batch: Vec<NewEvent>,
    ) -> Result<Vec<AuditEvent>, ApiError> {
        caller.require(Permission::EventsWrite)?;
        if let Some(behind) = self.stores.backlog.over_limit(caller.org_id) {
            return Err(ApiError::new(
                ErrorCode::RateLimited,
                format!(
                    "the index is {behind} events behind this organization's log: retry shortly"
                ),
            )
            .retry_after(INDEX_RETRY_AFTER_SECONDS));
        }
        if let Some(index) = batch.iter().position(|e| e.actor.is_reserved()) {
            return Err(ApiError::new(
                ErrorCode::ValidationFailed,
                "actor system/auditrail is reserved for Auditrail's own events",
            )
            .with_field("actor.id")
            .at_index(index));
        }
        self.append(caller.org_id, &source, batch).await
    }

    /// Validates and appends a batch to an organization's chain, recording `source` in each
    /// event; the door for Auditrail's own events and operator commands.
    pub(crate) async fn append(
        &self,
        org_id: i64,
        source: &EventSource,
        batch: Vec<NewEvent>,
    ) -> Result<Vec<AuditEvent>, ApiError> {
        if batch.is_empty() {
            return Err(ApiError::invalid("the batch holds no events").with_field("events"));
        }
        if batch.len() > MAX_BATCH {
            return Err(
                ApiError::invalid(format!("a batch holds at most {MAX_BATCH} events"))
                    .with_field("events"),
            );
        }
        // Stored times keep microseconds, the precision every database here holds.
        let now = Utc::now().trunc_subsecs(6);
        for (index, event) in batch.iter().enumerate() {
            validate(event, now).map_err(|e| e.at_index(index))?;
        }
        let size = batch.len();
        let drafts: Vec<EventDraft> = batch.into_iter().map(|e| draft(e, source, now)).collect();
        let ids: HashSet<String> = drafts.iter().map(|d| d.event.id.clone()).collect();
        let stored = self.stores.appender.append(org_id, drafts).await?;
        // Retries answer their originals, whose ids are not this batch's.
        let new = stored.iter().filter(|e| ids.contains(&e.id)).count();
        metrics::counter!(EVENTS_INGESTED).increment(new as u64);
        metrics::histogram!(INGEST_BATCH_SIZE).record(size as f64);
        Ok(stored)
    }
}

/// Checks one event against the rules, as a wire error naming the field.
pub(super) fn validate(event: &NewEvent, now: DateTime<Utc>) -> Result<(), ApiError> {
    event.validate(now).map_err(|e| {
        ApiError::new(
            ErrorCode::ValidationFailed,
            format!("{} {}", e.field, e.reason),
        )
        .with_field(e.field)
    })
}
