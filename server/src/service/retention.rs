//! Retention: each organization keeps its events for its `retention_days` (capped by its plan),
//! unless a legal hold keeps everything. A purge archives the expired events, a day at a time,
//! to gzipped NDJSON files that carry each event's inclusion proof in the latest signed
//! checkpoint (so every file verifies offline with the public key alone), syncs the file to disk,
//! and only then deletes the events, recording the purge and its `retention.purged` event in
//! the same transaction.
//!
//! Purges end on a multiple of 16 events: the Merkle tree keeps every subtree of 16 leaves and
//! more, so the kept events' proofs and the verification's starting point never need a purged
//! event.

use super::export::archive_lines;
use super::self_audit::{system_actor, OwnEvent};
use super::Services;
use crate::prometheus::EVENTS_PURGED;
use crate::store::{Organization, StoredCheckpoint, LOWEST_STORED_LEVEL};
use app::api::backend::SettingsBackend;
use app::model::{
    Access, Actor, ApiError, AuditEvent, ClientInfo, ErrorCode, EventFilter, Permission,
    PurgeRecord, Requester, RetentionSettings, RetentionUpdate,
};
use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, SubsecRound, Utc};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Events per leaf block the tree stores: purges end on a multiple of it.
const BLOCK: usize = 1 << LOWEST_STORED_LEVEL;

/// Most events per archive file and purge transaction.
const MAX_PURGE_EVENTS: usize = 64 * BLOCK * BLOCK;

/// Events read per query while looking for expired ones.
const READ_CHUNK: u32 = 2_000;

/// What a purge of one organization did (or, dry, would do).
#[derive(Clone, Debug, Default)]
pub struct PurgeReport {
    /// Events past retention were received before this instant.
    pub expired_before: Option<DateTime<Utc>>,
    /// Events purged (or that a dry run found purgeable).
    pub events: u64,
    /// One record per archive file written (none in a dry run).
    pub purges: Vec<PurgeRecord>,
    /// Why nothing could be purged, when that is the case.
    pub held_by: Option<&'static str>,
}

impl Services {
    /// The caller's organization's retention, legal hold and latest purge (`settings:manage`).
    pub async fn retention(&self, caller: &Access) -> Result<RetentionSettings, ApiError> {
        caller.require(Permission::SettingsManage)?;
        let org = self.organization_by_id(caller.org_id).await?;
        self.retention_of(&org).await
    }

    /// Changes the caller's organization's retention (1 to the plan's maximum) and, when given,
    /// its legal hold (`settings:manage`), recorded as `retention.updated` with both before →
    /// after in the same transaction. Nothing is written or recorded when nothing changes.
    pub async fn set_retention(
        &self,
        caller: &Access,
        actor: Actor,
        client: &ClientInfo,
        update: RetentionUpdate,
    ) -> Result<RetentionSettings, ApiError> {
        caller.require(Permission::SettingsManage)?;
        let org = self.organization_by_id(caller.org_id).await?;
        let max = org.plan.max_retention_days();
        if !(1..=max).contains(&update.retention_days) {
            return Err(ApiError::invalid(format!(
                "retention_days must be from 1 to {max}, the most the {} plan allows",
                org.plan.as_str()
            ))
            .with_field("retention_days"));
        }
        let legal_hold = update.legal_hold.unwrap_or(org.legal_hold);
        if (update.retention_days, legal_hold) == (org.retention_days, org.legal_hold) {
            return self.retention_of(&org).await;
        }
        let mut tx = self.stores.identity.begin().await?;
        if !tx
            .set_retention(&org, update.retention_days, legal_hold)
            .await?
        {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "the retention settings changed meanwhile: reload them and try again",
            ));
        }
        let event = OwnEvent::new("retention.updated", actor)
            .target("organization", org.slug.clone(), &org.name)
            .change("retention_days", org.retention_days, update.retention_days)
            .change("legal_hold", org.legal_hold, legal_hold);
        Self::stage(&mut tx, org.id, client, event).await?;
        self.commit(tx).await?;
        let org = self.organization_by_id(caller.org_id).await?;
        self.retention_of(&org).await
    }

    /// Purges every organization's expired events into `archives` (the background job).
    /// Answers how many events were purged; an organization that fails is logged and left for
    /// the next run.
    pub async fn purge_all(&self, archives: &Path, now: DateTime<Utc>) -> u64 {
        let organizations = match self.stores.identity.organizations().await {
            Ok(organizations) => organizations,
            Err(error) => {
                tracing::warn!(%error, "retention purge: cannot list the organizations");
                return 0;
            }
        };
        let mut purged = 0;
        for org in organizations {
            match self.purge(&org, archives, now, false).await {
                Ok(report) => purged += report.events,
                Err(error) => {
                    tracing::warn!(org = org.slug, %error, "retention purge failed; will retry")
                }
            }
        }
        purged
    }

    /// Archives then deletes the organization's events received more than its retention before
    /// `now` (as far as the latest signed checkpoint and the index reach), a file and a
    /// transaction per day; with `dry_run`, only counts them.
    pub async fn purge(
        &self,
        org: &Organization,
        archives: &Path,
        now: DateTime<Utc>,
        dry_run: bool,
    ) -> Result<PurgeReport, ApiError> {
        let _one_at_a_time = self.purging.lock().await;
        let org = self.organization_by_id(org.id).await?;
        let mut report = PurgeReport::default();
        if org.legal_hold {
            report.held_by = Some("the organization is under legal hold");
            return Ok(report);
        }
        let expired_before = now - Duration::days(i64::from(org.retention_days));
        report.expired_before = Some(expired_before);
        let Some(checkpoint) = self.latest_checkpoint(org.id).await? else {
            report.held_by = Some("no checkpoint is signed yet");
            return Ok(report);
        };
        let head = self
            .stores
            .events
            .chain_head(org.id)
            .await?
            .ok_or_else(|| ApiError::not_found("organization"))?;
        let reach = (checkpoint.tree_size as i64).min(head.indexed);
        let limit = reach - reach % BLOCK as i64;
        let mut floor = head.purged;
        loop {
            let events = self
                .expired_events(org.id, floor, limit, expired_before)
                .await?;
            let Some(last) = events.last() else { break };
            floor = last.seq;
            if !dry_run {
                let Some(record) = self
                    .archive_and_delete(&org, archives, &checkpoint, &events, expired_before)
                    .await?
                else {
                    report.held_by = Some("the organization was put under legal hold");
                    break;
                };
                report.purges.push(record);
            }
            report.events += events.len() as u64;
        }
        if !report.purges.is_empty() {
            if let Err(error) = self.link_own_events().await {
                tracing::warn!(%error, "purge recorded; linking its event will be retried");
            }
        }
        Ok(report)
    }

    /// The next events after `floor` to purge: received before `expired_before`, up to `limit`,
    /// one day's (plus up to 15 of the next, to end on a block), at most [`MAX_PURGE_EVENTS`],
    /// a multiple of 16 of them.
    async fn expired_events(
        &self,
        org_id: i64,
        floor: i64,
        limit: i64,
        expired_before: DateTime<Utc>,
    ) -> Result<Vec<AuditEvent>, ApiError> {
        let everything = EventFilter::default();
        let mut expired: Vec<AuditEvent> = Vec::new();
        let mut after = floor;
        'reading: while after < limit {
            let chunk = self
                .stores
                .events
                .list_events_after_seq(org_id, &everything, after, READ_CHUNK)
                .await?;
            if chunk.is_empty() {
                break;
            }
            for event in chunk {
                let next_day = expired.first().is_some_and(|first| {
                    day(first) != day(&event) && expired.len().is_multiple_of(BLOCK)
                });
                if event.seq > limit
                    || event.received_at >= expired_before
                    || expired.len() == MAX_PURGE_EVENTS
                    || next_day
                {
                    break 'reading;
                }
                after = event.seq;
                expired.push(event);
            }
        }
        expired.truncate(expired.len() - expired.len() % BLOCK);
        Ok(expired)
    }

    /// Writes `events` to their archive file, synced, then deletes them with the purge's record
    /// and event in one transaction; `None` (and the archive removed again) when a legal hold
    /// came first.
    async fn archive_and_delete(
        &self,
        org: &Organization,
        archives: &Path,
        checkpoint: &StoredCheckpoint,
        events: &[AuditEvent],
        expired_before: DateTime<Utc>,
    ) -> Result<Option<PurgeRecord>, ApiError> {
        let (first, last) = match (events.first(), events.last()) {
            (Some(first), Some(last)) => (first, last),
            _ => return Err(ApiError::internal()),
        };
        let proofs = self.inclusion_proofs(org.id, events, checkpoint).await?;
        let name = format!(
            "{slug}/{slug}-{day}-events-{first}-{last}-checkpoint-{size}.ndjson.gz",
            slug = org.slug,
            day = day(first),
            first = first.seq,
            last = last.seq,
            size = checkpoint.tree_size,
        );
        let lines = archive_lines(events, &proofs);
        let path = archives.join(&name);
        let written = path.clone();
        let sha256 = tokio::task::spawn_blocking(move || write_synced(&written, &lines))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "the archive writer failed");
                ApiError::internal()
            })?
            .map_err(|e| {
                tracing::error!(archive = name, error = %e, "cannot write the archive");
                ApiError::new(
                    ErrorCode::Internal,
                    format!("the archive {name} cannot be written: {e}"),
                )
            })?;
        let record = PurgeRecord {
            first_seq: first.seq,
            through_seq: last.seq,
            through_hash: last.hash.clone(),
            archive: name,
            archive_sha256: sha256,
            purged_at: Utc::now().trunc_subsecs(6),
        };
        let event = OwnEvent::new("retention.purged", system_actor())
            .target("organization", org.slug.clone(), &org.name)
            .detail("first_seq", record.first_seq)
            .detail("through_seq", record.through_seq)
            .detail("events", events.len())
            .detail("received_before", expired_before.to_rfc3339())
            .detail("retention_days", org.retention_days)
            .detail("archive", record.archive.clone())
            .detail("archive_sha256", record.archive_sha256.clone());
        let event = Self::prepare(org.id, &ClientInfo::default(), event)?;
        let purged = self
            .stores
            .retention
            .purge(org.id, events, &record, &event)
            .await?;
        if !purged {
            // The events stay, so their archive goes (a later purge writes it again).
            if let Err(error) = std::fs::remove_file(&path) {
                tracing::warn!(archive = record.archive, %error, "cannot remove an unused archive");
            }
            return Ok(None);
        }
        metrics::counter!(EVENTS_PURGED).increment(events.len() as u64);
        tracing::info!(
            org = org.slug,
            first = record.first_seq,
            through = record.through_seq,
            archive = record.archive,
            "purged events past retention"
        );
        Ok(Some(record))
    }

    /// The organization with this id, or 404.
    pub(super) async fn organization_by_id(&self, org_id: i64) -> Result<Organization, ApiError> {
        self.stores
            .identity
            .organization_by_id(org_id)
            .await?
            .ok_or_else(|| ApiError::not_found("organization"))
    }

    async fn retention_of(&self, org: &Organization) -> Result<RetentionSettings, ApiError> {
        let last_purge = self.stores.retention.purges(org.id, 1).await?.pop();
        Ok(RetentionSettings {
            retention_days: org.retention_days,
            max_retention_days: org.plan.max_retention_days(),
            legal_hold: org.legal_hold,
            purged_through_seq: last_purge.as_ref().map_or(0, |p| p.through_seq),
            last_purge,
        })
    }
}

#[async_trait]
impl SettingsBackend for Services {
    async fn retention(&self, requester: &Requester) -> Result<RetentionSettings, ApiError> {
        Services::retention(self, &requester.viewer.access).await
    }

    async fn set_retention(
        &self,
        requester: &Requester,
        update: RetentionUpdate,
    ) -> Result<RetentionSettings, ApiError> {
        let viewer = &requester.viewer;
        Services::set_retention(
            self,
            &viewer.access,
            viewer.actor(),
            &requester.client,
            update,
        )
        .await
    }
}

/// The UTC day an event was received.
fn day(event: &AuditEvent) -> NaiveDate {
    event.received_at.date_naive()
}

/// Writes `lines` gzipped to `path` (beside it first, then renamed into place, the file and
/// its directory synced), so a crash leaves either no archive or a whole one; answers the
/// file's SHA-256 in hex.
fn write_synced(path: &PathBuf, lines: &[u8]) -> std::io::Result<String> {
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("an archive needs a directory"))?;
    std::fs::create_dir_all(dir)?;
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(lines)?;
    let bytes = gzip.finish()?;
    let partial = path.with_extension("gz.partial");
    let mut file = std::fs::File::create(&partial)?;
    file.write_all(&bytes)?;
    file.sync_all()?;
    std::fs::rename(&partial, path)?;
    std::fs::File::open(dir)?.sync_all()?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}
