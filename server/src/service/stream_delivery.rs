//! Delivering log streams: each stream follows its organization's log by `seq` from its cursor,
//! sends the events its filter keeps in batches, and advances the cursor only after the
//! destination acknowledged them (at-least-once, in `seq` order). A failed attempt is retried
//! with exponential backoff and jitter; after [`FAILING_AFTER`] failures in a row the stream is
//! marked failing (`log_stream.failing`), and its first success after that recovers it
//! (`log_stream.recovered`). Each stream is delivered by one task of one server process at a
//! time (a lease in the database), so a slow or failing destination holds up nothing else.

use super::proofs::checkpoint;
use super::self_audit::{system_actor, OwnEvent};
use super::Services;
use crate::outbound::formats::{Batch, Payload};
use crate::prometheus::{STREAM_DELIVERY_FAILURES, STREAM_EVENTS_DELIVERED};
use crate::store::{decode_event, StoredLogStream, StreamProgress};
use app::model::{
    parse_search, ApiError, AuditEvent, Checkpoint, ClientInfo, Delivery, DeliveryKind, EventFilter,
};
use chrono::{Duration, SubsecRound, Utc};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// How often due streams are looked for when nothing is appended (a retry falls due, a stream is
/// resumed); each commit of new events wakes the deliverer sooner.
const TICK: std::time::Duration = std::time::Duration::from_secs(1);
/// The least time between two looks, however often commits come.
const MIN_TICK: std::time::Duration = std::time::Duration::from_millis(50);
/// Log rows read per step when a filter passes some over (an unfiltered stream reads a batch).
const SCAN: u32 = 2_000;
/// Most events per batch.
pub const MAX_BATCH_EVENTS: usize = 500;
/// Most bytes of stored events per batch.
const MAX_BATCH_BYTES: usize = 1 << 20;
/// How long a lease lasts without renewal (longer than one delivery's timeout).
const LEASE: Duration = Duration::seconds(30);
/// Failures in a row after which a stream is marked failing.
pub const FAILING_AFTER: i64 = 3;
/// The first retry's delay, doubled per failure up to [`MAX_BACKOFF`].
const FIRST_BACKOFF_MS: i64 = 1_000;
const MAX_BACKOFF_MS: i64 = 5 * 60 * 1_000;

impl Services {
    /// Delivers every organization's streams, for as long as the server runs.
    pub async fn run_log_streams(self: Arc<Self>) {
        let owner = format!("deliverer-{}", uuid::Uuid::new_v4().simple());
        let running: Arc<Mutex<HashSet<i64>>> = Arc::default();
        let mut appended = self.stores.appender.appended();
        loop {
            match self.stores.identity.due_log_streams(Utc::now()).await {
                Ok(streams) => {
                    for stream in streams {
                        if !running.lock().expect("not poisoned").insert(stream.id) {
                            continue;
                        }
                        let (services, owner, running) =
                            (self.clone(), owner.clone(), running.clone());
                        tokio::spawn(async move {
                            let id = stream.id;
                            if let Err(error) = services.deliver_stream(&owner, stream).await {
                                tracing::warn!(stream = id, %error, "log stream delivery stopped; will retry");
                            }
                            running.lock().expect("not poisoned").remove(&id);
                        });
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot read the log streams; will retry"),
            }
            tokio::time::sleep(MIN_TICK).await;
            let _ = tokio::time::timeout(TICK - MIN_TICK, appended.changed()).await;
        }
    }

    /// Delivers one stream until it is caught up or an attempt fails, under its lease (taken
    /// only when there is something to send).
    pub async fn deliver_stream(
        &self,
        owner: &str,
        stream: StoredLogStream,
    ) -> Result<(), ApiError> {
        let head = self.stores.events.head_seq(stream.org_id).await?;
        if head <= stream.progress.cursor_seq && self.checkpoint_to_send(&stream).await?.is_none() {
            return Ok(());
        }
        let identity = &self.stores.identity;
        let now = Utc::now();
        if !identity
            .lease_log_stream(stream.id, owner, now, now + LEASE)
            .await?
        {
            return Ok(());
        }
        let delivered = self.deliver_leased(owner, stream.org_id, stream.id).await;
        identity.release_log_stream(stream.id, owner).await?;
        delivered
    }

    /// Sends batches while the lease holds. The stream is read again before each one, so a
    /// changed destination, credential or filter applies from the next batch on.
    async fn deliver_leased(&self, owner: &str, org_id: i64, id: i64) -> Result<(), ApiError> {
        let org = self.organization_by_id(org_id).await?;
        loop {
            let Some(stream) = self.stores.identity.log_stream(org_id, id).await? else {
                return Ok(());
            };
            let filter = match parse_search(&stream.filter) {
                Ok(filter) => filter,
                Err(error) => {
                    let failed = format!("the stream's filter no longer parses: {error}");
                    self.record_attempt(owner, &stream, Err(failed), None)
                        .await?;
                    return Ok(());
                }
            };
            let progress = &stream.progress;
            let (payload, advance) = match self.next_batch(&stream, &filter).await? {
                Some((through, events)) => {
                    let advance = Advance {
                        cursor_seq: through,
                        checkpoint_size: progress.checkpoint_size,
                        sent: !events.is_empty(),
                    };
                    (Owned::Events(events), advance)
                }
                None => match self.checkpoint_to_send(&stream).await? {
                    Some(checkpoint) => {
                        let advance = Advance {
                            cursor_seq: progress.cursor_seq,
                            checkpoint_size: checkpoint.tree_size as i64,
                            sent: true,
                        };
                        (Owned::Checkpoint(checkpoint), advance)
                    }
                    None => return Ok(()),
                },
            };
            let (outcome, attempt) = match &payload {
                Owned::Events(events) if events.is_empty() => (Ok(()), None),
                Owned::Events(events) => {
                    self.send_batch(&stream, &org.slug, Payload::Events(events))
                        .await
                }
                Owned::Checkpoint(checkpoint) => {
                    self.send_batch(&stream, &org.slug, Payload::Checkpoint(checkpoint))
                        .await
                }
            };
            let ok = outcome.is_ok();
            let outcome = outcome.map(|()| advance);
            let recorded = self
                .record_attempt(owner, &stream, outcome, attempt.as_ref())
                .await?;
            if !recorded || !ok {
                return Ok(());
            }
        }
    }

    /// The latest signed checkpoint of events the stream has passed, if it has not delivered
    /// it yet.
    async fn checkpoint_to_send(
        &self,
        stream: &StoredLogStream,
    ) -> Result<Option<Checkpoint>, ApiError> {
        let progress = &stream.progress;
        let passed = u64::try_from(progress.cursor_seq).unwrap_or(0);
        let latest = self
            .stores
            .proofs
            .checkpoints(stream.org_id, Some(passed + 1), 1)
            .await?;
        Ok(latest
            .into_iter()
            .next()
            .filter(|c| c.tree_size as i64 > progress.checkpoint_size)
            .map(checkpoint))
    }

    /// The next events the stream carries after its cursor, at most a batch, and the `seq`
    /// the cursor moves to once they are delivered (past the events the filter left out);
    /// `None` when the stream is caught up.
    async fn next_batch(
        &self,
        stream: &StoredLogStream,
        filter: &EventFilter,
    ) -> Result<Option<(i64, Vec<AuditEvent>)>, ApiError> {
        let cursor = stream.progress.cursor_seq;
        let scan = if *filter == EventFilter::default() {
            MAX_BATCH_EVENTS as u32
        } else {
            SCAN
        };
        let links = self
            .stores
            .events
            .chain_links(stream.org_id, cursor, i64::MAX, scan)
            .await?;
        if links.is_empty() {
            return Ok(None);
        }
        let (mut through, mut events, mut bytes) = (cursor, Vec::new(), 0);
        for link in links {
            if events.len() == MAX_BATCH_EVENTS || bytes >= MAX_BATCH_BYTES {
                break;
            }
            let event = decode_event(&link.data)?;
            through = link.seq;
            if filter.matches(&event) {
                bytes += link.data.len();
                events.push(event);
            }
        }
        Ok(Some((through, events)))
    }

    /// Sends a delivery; answers how it went (`Err` says why the destination did not
    /// acknowledge it) and the attempt for the stream's delivery log.
    async fn send_batch(
        &self,
        stream: &StoredLogStream,
        org_slug: &str,
        payload: Payload<'_>,
    ) -> (Result<(), String>, Option<Delivery>) {
        let batch = Batch {
            org_slug,
            stream_id: stream.id,
            payload,
        };
        let outcome = self.outbound.send(stream, &batch).await;
        let events = batch.events();
        let (kind, first_seq, last_seq) = match &batch.payload {
            Payload::Checkpoint(c) => (DeliveryKind::Checkpoint, 0, c.tree_size as i64),
            _ => (
                DeliveryKind::Events,
                events.first().map_or(0, |e| e.seq),
                events.last().map_or(0, |e| e.seq),
            ),
        };
        let delivery = Delivery {
            attempted_at: Utc::now().trunc_subsecs(6),
            kind,
            first_seq,
            last_seq,
            events: u32::try_from(events.len()).unwrap_or(u32::MAX),
            ok: outcome.ok,
            status: outcome.status,
            latency_ms: u32::try_from(outcome.latency.as_millis()).unwrap_or(u32::MAX),
            error: outcome.error.clone(),
        };
        let sink = stream.destination.kind();
        let result = if outcome.ok {
            metrics::counter!(STREAM_EVENTS_DELIVERED, "kind" => sink)
                .increment(events.len() as u64);
            Ok(())
        } else {
            metrics::counter!(STREAM_DELIVERY_FAILURES, "kind" => sink).increment(1);
            Err(outcome
                .error
                .unwrap_or_else(|| "the delivery failed".into()))
        };
        (result, Some(delivery))
    }

    /// Records how an attempt went (the stream advanced, or the failure and its backoff) with
    /// the attempt in the delivery log, renews the lease, and records `log_stream.failing` /
    /// `.recovered` when the stream's state turns: one transaction, if the stream is still where
    /// this deliverer left it. Answers whether it was recorded.
    async fn record_attempt(
        &self,
        owner: &str,
        stream: &StoredLogStream,
        outcome: Result<Advance, String>,
        attempt: Option<&Delivery>,
    ) -> Result<bool, ApiError> {
        let before = stream.progress.clone();
        let now = Utc::now().trunc_subsecs(6);
        let after = match &outcome {
            Ok(advance) => StreamProgress {
                cursor_seq: advance.cursor_seq,
                checkpoint_size: advance.checkpoint_size,
                last_delivered_at: if advance.sent {
                    Some(now)
                } else {
                    before.last_delivered_at
                },
                ..StreamProgress::default()
            },
            Err(error) => {
                let failures = before.failures + 1;
                StreamProgress {
                    failures,
                    failing_since: before
                        .failing_since
                        .or((failures >= FAILING_AFTER).then_some(now)),
                    next_attempt_at: Some(now + backoff(failures)),
                    last_error: Some(error.clone()),
                    ..before.clone()
                }
            }
        };
        let turned = match (before.failing_since, after.failing_since) {
            (None, Some(_)) => Some("log_stream.failing"),
            (Some(_), None) => Some("log_stream.recovered"),
            _ => None,
        };
        let mut tx = self.stores.identity.begin().await?;
        if !tx
            .record_stream_progress(stream.id, owner, before.cursor_seq, &after, now + LEASE)
            .await?
        {
            return Ok(false);
        }
        if let Some(attempt) = attempt {
            tx.log_delivery(stream.id, attempt).await?;
        }
        if let Some(action) = turned {
            let mut event = OwnEvent::new(action, system_actor())
                .target("log_stream", stream.id.to_string(), &stream.name)
                .detail("kind", stream.destination.kind())
                .detail("cursor_seq", after.cursor_seq);
            if let Some(error) = &after.last_error {
                event = event
                    .detail("error", error.as_str())
                    .detail("failures", after.failures);
            }
            if action == "log_stream.failing" {
                event = event.failed();
            }
            Self::stage(&mut tx, stream.org_id, &ClientInfo::default(), event).await?;
            tracing::warn!(stream = stream.id, action, error = ?after.last_error, "log stream state changed");
        }
        self.commit(tx).await?;
        Ok(true)
    }
}

/// Where an acknowledged delivery leaves a stream.
struct Advance {
    cursor_seq: i64,
    checkpoint_size: i64,
    /// Something went out (not only events the filter passed over).
    sent: bool,
}

/// What one delivery carries, held while it is sent.
enum Owned {
    Events(Vec<AuditEvent>),
    Checkpoint(Checkpoint),
}

/// The delay before retry number `failures`: doubling from a second up to five minutes, with
/// up to half of it as random jitter so many failing streams do not retry in step.
fn backoff(failures: i64) -> Duration {
    let doubled = FIRST_BACKOFF_MS.saturating_mul(1 << failures.clamp(1, 20).saturating_sub(1));
    let full = doubled.min(MAX_BACKOFF_MS);
    let jitter = rand::random::<u64>() % (full as u64 / 2 + 1);
    Duration::milliseconds(full - jitter as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_up_to_five_minutes() {
        for failures in 1..30 {
            let full = (FIRST_BACKOFF_MS << (failures.min(21) - 1)).min(MAX_BACKOFF_MS);
            let delay = backoff(failures).num_milliseconds();
            assert!(
                delay <= full && delay >= full / 2,
                "{failures}: {delay} of {full}"
            );
        }
    }
}
