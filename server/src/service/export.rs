//! Export: a filtered view as CSV, JSON or NDJSON, in `seq` order (the order the events were
//! recorded, so an export verifies as a chain), read in chunks and streamed as it is read, so
//! memory stays flat whatever the size. Every export is audited before any row leaves.

mod csv;

use super::ingest::validate;
use super::slots::Slot;
use super::Services;
use crate::prometheus::EXPORT_ROWS;
use crate::store::{decode_event, StoredCheckpoint};
use app::model::{
    Access, Actor, ApiError, AuditEvent, ErrorCode, EventFilter, EventResult, EventSource,
    ExportFormat, InclusionProof, NewEvent, Permission,
};
use chrono::Utc;
pub use csv::CSV_COLUMNS;
use csv::{push_csv_event, push_csv_row, CsvEvent};
use futures::stream::{self, Stream, StreamExt};
use serde_json::json;
use std::pin::Pin;
use std::sync::Arc;

/// Events read per database round trip (two chunks are in memory at once: one read while the
/// one before it is rendered and sent).
const CHUNK: u32 = 2000;

/// Most exports of one organization reading and sending rows at once in a server process.
/// Beyond it an export is answered 429 at once: under the load test's 30 concurrent exports on
/// 2 cores, every export waited its turn for CPU (p50 7 s) and some passed the client's
/// 30-second timeout.
pub const MAX_EXPORTS_PER_ORG: usize = 8;

/// Seconds an export refused for [`MAX_EXPORTS_PER_ORG`] is told to wait.
const EXPORT_RETRY_AFTER_SECONDS: u64 = 2;

/// A piece of an export: its bytes and how many events they hold.
pub struct ExportChunk {
    pub bytes: Vec<u8>,
    pub rows: u64,
}

impl ExportChunk {
    fn framing(bytes: Vec<u8>) -> Self {
        Self { bytes, rows: 0 }
    }
}

/// The chunks of an export, in order.
pub type ExportBody = Pin<Box<dyn Stream<Item = Result<ExportChunk, ApiError>> + Send>>;

/// A started export: its file name and its bytes.
pub struct Export {
    pub file_name: String,
    pub body: ExportBody,
}

/// Records the export as `export.created` once it ends: with the rows sent, as a success when
/// the whole file went out, as a failure when the client went away first.
struct Recorder {
    services: Services,
    /// The export's place among its organization's, given back once every row is out (the
    /// record's wait for its turn to write needs no place) or when the stream is dropped.
    slot: Option<Slot<i64>>,
    org_id: i64,
    actor: Actor,
    format: ExportFormat,
    filter: EventFilter,
    rows: u64,
    recorded: bool,
}

/// The `export.created` event of an export of `rows` events.
fn export_event(
    actor: &Actor,
    format: ExportFormat,
    filter: &EventFilter,
    rows: u64,
    complete: bool,
) -> NewEvent {
    let details = json!({
        "format": format.as_str(),
        "filter": filter,
        "rows": rows,
        "complete": complete,
    });
    NewEvent {
        action: "export.created".into(),
        category: None,
        occurred_at: None,
        actor: actor.clone(),
        targets: vec![],
        context: Default::default(),
        result: if complete {
            EventResult::Success
        } else {
            EventResult::Failure
        },
        details: details.as_object().cloned().unwrap_or_default(),
        changes: vec![],
        idempotency_key: None,
    }
}

impl Recorder {
    fn event(&self, complete: bool) -> NewEvent {
        export_event(&self.actor, self.format, &self.filter, self.rows, complete)
    }

    /// Records a completed export (before the response ends, so the client sees it committed).
    async fn finish(&mut self) -> Result<(), ApiError> {
        self.slot = None;
        self.recorded = true;
        self.services
            .append(self.org_id, &EventSource::Auditrail, vec![self.event(true)])
            .await
            .map(|_| ())
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if self.recorded {
            return;
        }
        let (services, org_id, event) = (self.services.clone(), self.org_id, self.event(false));
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    let recorded = services
                        .append(org_id, &EventSource::Auditrail, vec![event])
                        .await;
                    if let Err(error) = recorded {
                        tracing::error!(%error, "could not record an interrupted export");
                    }
                });
            }
            Err(_) => tracing::error!("an interrupted export could not be recorded"),
        }
    }
}

fn json_text(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// An event as JSON; with its inclusion proof as an extra `inclusion` member when it has one
/// (the offline verifier takes it out before recomputing the event's hash).
fn event_json(e: &AuditEvent, inclusion: Option<&InclusionProof>) -> String {
    let mut text = json_text(e);
    if let Some(inclusion) = inclusion {
        text.pop();
        text.push_str(",\"inclusion\":");
        text.push_str(&json_text(inclusion));
        text.push('}');
    }
    text
}

/// Renders one chunk of events, with their inclusion proofs when `proofs` holds them (one per
/// event); `first` says whether any row came before it.
fn render(
    format: ExportFormat,
    events: &[AuditEvent],
    proofs: &[InclusionProof],
    first: bool,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(events.len() * 768);
    for (i, e) in events.iter().enumerate() {
        match format {
            ExportFormat::Csv => push_csv_event(&mut out, &CsvEvent::from(e)),
            ExportFormat::Ndjson => {
                out.extend_from_slice(event_json(e, proofs.get(i)).as_bytes());
                out.push(b'\n');
            }
            ExportFormat::Json => {
                if !(first && i == 0) {
                    out.push(b',');
                }
                out.extend_from_slice(event_json(e, proofs.get(i)).as_bytes());
            }
        }
    }
    out
}

/// Events as an archive holds them: NDJSON, each with its inclusion proof, as an export with
/// `include_proof` (so `auditrail verify --offline` checks either the same way).
pub(super) fn archive_lines(events: &[AuditEvent], proofs: &[InclusionProof]) -> Vec<u8> {
    render(ExportFormat::Ndjson, events, proofs, true)
}

fn prefix(format: ExportFormat) -> Vec<u8> {
    match format {
        ExportFormat::Csv => {
            let mut out = Vec::new();
            push_csv_row(&mut out, CSV_COLUMNS);
            out
        }
        ExportFormat::Json => b"[".to_vec(),
        ExportFormat::Ndjson => Vec::new(),
    }
}

fn suffix(format: ExportFormat) -> Vec<u8> {
    match format {
        ExportFormat::Json => b"]\n".to_vec(),
        ExportFormat::Csv | ExportFormat::Ndjson => Vec::new(),
    }
}

/// Where an export's events are read from.
#[derive(Clone, Copy)]
enum Source {
    /// The log itself, in `seq` order up to `until`: a sequential read of the events as stored,
    /// row by row so the server's memory stays flat, for an export of every event (it needs no
    /// index, so it holds events the indexer has not reached yet at no extra cost).
    Log { until: i64 },
    /// The investigation indexes, for an export of the events matching a filter.
    Index,
}

/// What an export sends: whose events, which ones, from where, in which format, with the
/// checkpoint their inclusion proofs lead to when it carries them.
struct Plan {
    org_id: i64,
    filter: EventFilter,
    source: Source,
    format: ExportFormat,
    proving: Option<StoredCheckpoint>,
}

/// A chunk as read: the log's stored events for a CSV export (its rows are written straight
/// from their JSON), decoded events otherwise.
enum Rows {
    Stored(Vec<String>),
    Decoded(Vec<AuditEvent>),
}

impl Rows {
    fn len(&self) -> usize {
        match self {
            Rows::Stored(stored) => stored.len(),
            Rows::Decoded(events) => events.len(),
        }
    }

    /// The chunk rendered in the plan's format, with the inclusion proofs of the plan's
    /// checkpoint when it carries them.
    async fn render(
        self,
        services: &Services,
        plan: &Plan,
        first: bool,
    ) -> Result<Vec<u8>, ApiError> {
        let events = match self {
            Rows::Stored(stored) => {
                let mut out = Vec::with_capacity(stored.len() * 768);
                for data in &stored {
                    push_csv_event(&mut out, &CsvEvent::stored(data)?);
                }
                return Ok(out);
            }
            Rows::Decoded(events) => events,
        };
        let proofs = match &plan.proving {
            Some(checkpoint) => {
                services
                    .inclusion_proofs(plan.org_id, &events, checkpoint)
                    .await?
            }
            None => Vec::new(),
        };
        Ok(render(plan.format, &events, &proofs, first))
    }
}

/// A chunk's rows and the `seq` the next chunk's read starts after (`None` after the last),
/// being read while the chunk before them is rendered and sent.
type Reading = tokio::task::JoinHandle<Result<(Rows, Option<i64>), ApiError>>;

/// Starts reading the planned events after `seq` `after`.
fn read(services: &Services, plan: &Arc<Plan>, after: i64) -> Reading {
    let (services, plan) = (services.clone(), plan.clone());
    tokio::spawn(async move {
        let events = &services.stores.events;
        match plan.source {
            Source::Log { until } => {
                let stored = events
                    .stored_events(plan.org_id, after, until, CHUNK)
                    .await?;
                let rows = match plan.format {
                    ExportFormat::Csv => Rows::Stored(stored),
                    _ => Rows::Decoded(
                        stored
                            .iter()
                            .map(|data| decode_event(data))
                            .collect::<Result<_, _>>()?,
                    ),
                };
                // A chunk covers `CHUNK` seqs (fewer events where retention purged some).
                let next = (after + i64::from(CHUNK)).min(until);
                Ok((rows, (next < until).then_some(next)))
            }
            Source::Index => {
                let events = events
                    .list_events_after_seq(plan.org_id, &plan.filter, after, CHUNK)
                    .await?;
                let next = match events.last() {
                    Some(last) if events.len() == CHUNK as usize => Some(last.seq),
                    _ => None,
                };
                Ok((Rows::Decoded(events), next))
            }
        }
    })
}

/// Where the stream is.
enum Step {
    /// Starting with the first read after `seq` `after`.
    Start {
        after: i64,
    },
    /// Sending the chunk being read.
    Rows(Reading),
    /// Every row is out: record the export.
    Finish,
    Done,
}

/// The chunk being read, rendered, with the next one started when there is one; `first` says
/// whether no row came before it.
async fn chunk(
    services: &Services,
    plan: &Arc<Plan>,
    reading: Reading,
    first: bool,
) -> Result<(ExportChunk, Step), ApiError> {
    let (rows, next) = reading.await.map_err(|e| {
        tracing::error!(error = %e, "an export's read failed");
        ApiError::internal()
    })??;
    let next = match next {
        Some(after) => Step::Rows(read(services, plan, after)),
        None => Step::Finish,
    };
    let count = rows.len() as u64;
    let mut bytes = rows.render(services, plan, first).await?;
    if matches!(next, Step::Finish) {
        bytes.extend(suffix(plan.format));
    }
    metrics::counter!(EXPORT_ROWS).increment(count);
    Ok((ExportChunk { bytes, rows: count }, next))
}

/// Streams the planned events chunk by chunk, in `seq` order, from after `seq` `start`;
/// dropping the stream stops the reading (and records the export as interrupted).
fn body(plan: Plan, start: i64, recorder: Recorder) -> ExportBody {
    let plan = Arc::new(plan);
    let step = Step::Start { after: start };
    Box::pin(
        stream::unfold((step, recorder), move |(step, mut recorder)| {
            let plan = plan.clone();
            async move {
                match step {
                    Step::Start { after } => {
                        let reading = read(&recorder.services, &plan, after);
                        Some((
                            Ok(ExportChunk::framing(prefix(plan.format))),
                            (Step::Rows(reading), recorder),
                        ))
                    }
                    Step::Rows(reading) => {
                        let services = recorder.services.clone();
                        let first = recorder.rows == 0;
                        match chunk(&services, &plan, reading, first).await {
                            Err(e) => Some((Err(e), (Step::Done, recorder))),
                            Ok((chunk, next)) => {
                                recorder.rows += chunk.rows;
                                Some((Ok(chunk), (next, recorder)))
                            }
                        }
                    }
                    Step::Finish => match recorder.finish().await {
                        Ok(()) => None,
                        Err(e) => Some((Err(e), (Step::Done, recorder))),
                    },
                    Step::Done => None,
                }
            }
        })
        // Fused: a consumer may poll once more after the end (the answer's compression does).
        .fuse(),
    )
}

/// `auditrail-<org>-<from>-<to>.<ext>`, dates as YYYY-MM-DD (`start` / today when open).
fn file_name(org_slug: &str, filter: &EventFilter, format: ExportFormat) -> String {
    let day = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%d").to_string();
    let from = filter.from.map_or_else(|| "start".to_owned(), day);
    let to = filter
        .until
        .map(|t| t - chrono::Duration::microseconds(1))
        .map_or_else(|| day(Utc::now()), day);
    format!("auditrail-{org_slug}-{from}-{to}.{}", format.as_str())
}

impl Services {
    /// Starts an export of the caller's organization's events matching `filter`, as the log
    /// stands now (events arriving meanwhile are left out); the caller needs `audit_logs:read`
    /// and `audit_logs:export`. When the last row is out — or the client goes away — the export
    /// is recorded as `export.created` with actor, format, filter and rows. No row leaves
    /// before that record is known to be valid, so no export can go unrecorded for its shape.
    ///
    /// With `include_proof` (JSON and NDJSON), each event carries its inclusion proof in the
    /// latest signed checkpoint as an `inclusion` member, and the export stops at that
    /// checkpoint: every event in it verifies offline with the server's public key alone.
    pub async fn export(
        &self,
        caller: &Access,
        actor: Actor,
        filter: EventFilter,
        format: ExportFormat,
        include_proof: bool,
    ) -> Result<Export, ApiError> {
        caller.require(Permission::AuditLogsRead)?;
        caller.require(Permission::AuditLogsExport)?;
        filter.validate()?;
        if include_proof && format == ExportFormat::Csv {
            return Err(
                ApiError::invalid("include_proof needs format json or ndjson")
                    .with_field("include_proof"),
            );
        }
        let (org_id, org_slug) = (caller.org_id, caller.org_slug.as_str());
        validate(
            &export_event(&actor, format, &filter, u64::MAX, true),
            Utc::now(),
        )?;
        let slot = self.exports.take(&org_id).ok_or_else(|| {
            ApiError::new(
                ErrorCode::RateLimited,
                format!(
                    "{MAX_EXPORTS_PER_ORG} exports of this organization are running: retry when \
                     one has finished"
                ),
            )
            .retry_after(EXPORT_RETRY_AFTER_SECONDS)
        })?;
        let (mut head, purged) = match self.stores.events.chain_head(org_id).await? {
            Some(chain) => (chain.seq, chain.purged),
            None => (0, 0),
        };
        if let Some(through) = filter.through_seq {
            head = head.min(through);
        }
        let proving = match include_proof {
            true => {
                let checkpoint = self.latest_checkpoint(org_id).await?.ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::NotFound,
                        "no checkpoint is signed yet; checkpoints follow within a minute",
                    )
                    .with_field("include_proof")
                })?;
                head = head.min(checkpoint.tree_size as i64);
                Some(checkpoint)
            }
            false => None,
        };
        let file_name = file_name(org_slug, &filter, format);
        let (source, start) = match takes_every_event(&filter) {
            true => (Source::Log { until: head }, purged),
            false => (Source::Index, 0),
        };
        let recorder = Recorder {
            services: self.clone(),
            slot: Some(slot),
            org_id,
            actor,
            format,
            filter: filter.clone(),
            rows: 0,
            recorded: false,
        };
        let plan = Plan {
            org_id,
            filter: EventFilter {
                through_seq: Some(head),
                ..filter
            },
            source,
            format,
            proving,
        };
        Ok(Export {
            file_name,
            body: body(plan, start, recorder),
        })
    }
}

/// Whether `filter` keeps every event up to its `through_seq` (so the export is the log itself).
fn takes_every_event(filter: &EventFilter) -> bool {
    let whole = EventFilter {
        through_seq: None,
        ..filter.clone()
    };
    whole == EventFilter::default()
}

#[cfg(test)]
mod csv_fuzz;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testing::TestServices;
    use app::model::ActorType;
    use futures::StreamExt;

    /// Exports of one organization beyond its places are refused at once with a time to retry,
    /// and a finished one frees its place.
    #[tokio::test]
    async fn an_organization_streams_at_most_its_exports_at_once() {
        let t = TestServices::new().await;
        let (key, secret) = t
            .key(&[Permission::AuditLogsRead, Permission::AuditLogsExport])
            .await;
        let (_, access) = t.services.authenticate_api_key(&secret).await.unwrap();
        let actor = Actor {
            kind: ActorType::ApiKey,
            id: format!("key_{}", key.id),
            email: None,
            name: Some(key.name.clone()),
        };
        let start = || {
            let (access, actor) = (access.clone(), actor.clone());
            let services = t.services.clone();
            async move {
                let filter = EventFilter::default();
                services
                    .export(&access, actor, filter, ExportFormat::Ndjson, false)
                    .await
            }
        };
        let mut running = Vec::new();
        for _ in 0..MAX_EXPORTS_PER_ORG {
            running.push(start().await.expect("a free place"));
        }
        let refused = start().await.err().expect("one export too many");
        assert_eq!(refused.code, ErrorCode::RateLimited);
        assert_eq!(refused.retry_after, Some(EXPORT_RETRY_AFTER_SECONDS));
        let finished = running.pop().unwrap();
        let rows: Vec<_> = finished.body.collect().await;
        assert!(rows.iter().all(Result::is_ok));
        assert!(start().await.is_ok(), "a finished export frees its place");
    }

    #[test]
    fn file_names_carry_the_org_and_the_inclusive_dates() {
        let filter = EventFilter {
            from: Some("2025-01-01T00:00:00Z".parse().unwrap()),
            until: Some("2025-02-01T00:00:00Z".parse().unwrap()),
            ..EventFilter::default()
        };
        assert_eq!(
            file_name("acme", &filter, ExportFormat::Csv),
            "auditrail-acme-2025-01-01-2025-01-31.csv"
        );
    }
}
