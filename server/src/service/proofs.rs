//! The provable log: each organization's Merkle tree kept behind the appends, checkpoints
//! signed when they are due, and the inclusion and consistency proofs an auditor checks against
//! them without trusting the server.

use super::Services;
use crate::proof::merkle::{self, Hash};
use crate::proof::note::{Checkpoint as CheckpointText, NoteSigner};
use crate::store::{
    event_leaf, StoreError, StoreResult, StoredCheckpoint, TreeState, LOWEST_STORED_LEVEL,
};
use app::model::{
    Access, ApiError, AuditEvent, Checkpoint, CheckpointKey, CheckpointList, ConsistencyProof,
    ErrorCode, InclusionProof, Permission,
};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use chrono::{DateTime, Utc};
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

/// Checkpoints listed per page at most.
const MAX_CHECKPOINTS_PAGE: u32 = 1000;

/// How checkpoints are signed, and how often.
#[derive(Clone)]
pub struct CheckpointPolicy {
    /// The server's signing key.
    pub signer: Arc<NoteSigner>,
    /// A checkpoint is due once this many events joined the tree since the last one…
    pub every_events: u64,
    /// …or once this long has passed since it, with any event added.
    pub every: Duration,
}

impl CheckpointPolicy {
    /// Signs with `signer` every 10,000 events or every minute, whichever comes first.
    pub fn new(signer: NoteSigner) -> Self {
        Self {
            signer: Arc::new(signer),
            every_events: 10_000,
            every: Duration::from_secs(60),
        }
    }

    /// Whether `tree` is due a checkpoint at `now` (Unix µs).
    fn due(&self, tree: &TreeState, now: i64) -> bool {
        match tree.checkpointed {
            None => tree.size > 0,
            Some((size, at)) => {
                let every = i64::try_from(self.every.as_micros()).unwrap_or(i64::MAX);
                tree.size > size
                    && (tree.size - size >= self.every_events || now.saturating_sub(at) >= every)
            }
        }
    }
}

fn base64(hash: &Hash) -> String {
    BASE64.encode(hash)
}

/// A stored checkpoint as the wire carries it.
pub(super) fn checkpoint(stored: StoredCheckpoint) -> Checkpoint {
    Checkpoint {
        tree_size: stored.tree_size,
        root_hash: base64(&stored.root_hash),
        created_at: DateTime::from_timestamp_micros(stored.created_at).unwrap_or_default(),
        signed_note: stored.signed_note,
    }
}

impl Services {
    /// Adds the new events to every organization's tree and signs the checkpoints that are due;
    /// answers how many events joined a tree.
    pub async fn keep_proofs(&self) -> StoreResult<u64> {
        let proofs = &self.stores.proofs;
        let added = proofs.extend_trees().await?;
        let now = Utc::now().timestamp_micros();
        for tree in proofs.trees().await? {
            if self.checkpoints.due(&tree, now) {
                self.sign_checkpoint(tree.org_id, tree.size, now).await?;
            }
        }
        Ok(added)
    }

    /// Signs and stores the checkpoint of the organization's first `size` events (nothing when
    /// another process signed that size first).
    async fn sign_checkpoint(&self, org_id: i64, size: u64, now: i64) -> StoreResult<()> {
        let org = self
            .stores
            .identity
            .organization_by_id(org_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("organization {org_id} has a tree")))?;
        let root = self.tree_root(org_id, size).await?;
        let signer = &self.checkpoints.signer;
        let text = CheckpointText {
            origin: format!("{}/{}", signer.name(), org.slug),
            size,
            root,
            extensions: vec![],
        };
        let signed_note = text
            .sign(signer)
            .map_err(|e| StoreError::Corrupt(format!("signing a checkpoint: {e}")))?;
        let stored = StoredCheckpoint {
            tree_size: size,
            root_hash: root,
            signed_note,
            created_at: now,
        };
        match self.stores.proofs.add_checkpoint(org_id, &stored).await {
            Err(StoreError::Duplicate(_)) => Ok(()),
            other => other,
        }
    }

    /// Events not in a signed checkpoint yet, over all organizations (they are proved once the
    /// next checkpoint is signed: within `every` of their append, unless the tree lags).
    pub async fn unsigned_events(&self) -> StoreResult<u64> {
        let trees = self.stores.proofs.trees().await?;
        Ok(trees
            .iter()
            .map(|t| t.head - t.checkpointed.map_or(0, |(size, _)| size.min(t.head)))
            .sum())
    }

    /// The root of the organization's tree of its first `size` events.
    async fn tree_root(&self, org_id: i64, size: u64) -> StoreResult<Hash> {
        let parts = merkle::subtrees_of_range(0, size);
        let hashes = self.stores.proofs.subtree_hashes(org_id, &parts).await?;
        Ok(merkle::fold_subtrees(&hashes))
    }

    /// The hash of each range of leaves (each a range the RFC's proofs name), read in one go.
    async fn range_hashes(&self, org_id: i64, ranges: &[Range<u64>]) -> StoreResult<Vec<Hash>> {
        let parts: Vec<_> = ranges
            .iter()
            .map(|r| merkle::subtrees_of_range(r.start, r.end))
            .collect();
        let hashes = self
            .stores
            .proofs
            .subtree_hashes(org_id, &parts.concat())
            .await?;
        let mut rest = hashes.as_slice();
        let mut folded = Vec::with_capacity(ranges.len());
        for part in &parts {
            let (these, after) = rest.split_at(part.len());
            folded.push(merkle::fold_subtrees(these));
            rest = after;
        }
        Ok(folded)
    }

    /// The public key checkpoints are signed with.
    pub fn checkpoint_key(&self, caller: &Access) -> Result<CheckpointKey, ApiError> {
        caller.require(Permission::AuditLogsRead)?;
        let verifier = self.checkpoints.signer.verifier();
        Ok(CheckpointKey {
            name: verifier.name().to_owned(),
            key_id: format!("{:08x}", verifier.key_id()),
            verifier_key: verifier.verifier_key(),
            algorithm: "Ed25519".into(),
        })
    }

    /// The caller's organization's checkpoints smaller than `before` (all when `None`),
    /// largest first, at most `limit` (100 by default).
    pub async fn checkpoints(
        &self,
        caller: &Access,
        before: Option<u64>,
        limit: Option<u32>,
    ) -> Result<CheckpointList, ApiError> {
        caller.require(Permission::AuditLogsRead)?;
        let limit = limit.unwrap_or(100);
        if !(1..=MAX_CHECKPOINTS_PAGE).contains(&limit) {
            return Err(ApiError::invalid(format!(
                "limit must be between 1 and {MAX_CHECKPOINTS_PAGE}"
            ))
            .with_field("limit"));
        }
        let latest = self.latest_checkpoint(caller.org_id).await?;
        let history = self
            .stores
            .proofs
            .checkpoints(caller.org_id, before, limit)
            .await?;
        Ok(CheckpointList {
            latest: latest.into_iter().next().map(checkpoint),
            history: history.into_iter().map(checkpoint).collect(),
        })
    }

    /// The proof that event `event_id` is in the checkpoint of `size` events (the latest
    /// checkpoint when `None`).
    pub async fn inclusion_proof(
        &self,
        caller: &Access,
        event_id: &str,
        size: Option<u64>,
    ) -> Result<InclusionProof, ApiError> {
        self.inclusion(caller, event_id, size)
            .await?
            .ok_or_else(not_checkpointed_yet)
    }

    /// The proof that event `event_id` is in the latest checkpoint; `None` while no checkpoint
    /// holds it yet.
    pub async fn latest_inclusion(
        &self,
        caller: &Access,
        event_id: &str,
    ) -> Result<Option<InclusionProof>, ApiError> {
        self.inclusion(caller, event_id, None).await
    }

    /// The proof that event `event_id` is in the checkpoint of `size` events, or in the latest
    /// one (`None` when that does not hold it yet).
    async fn inclusion(
        &self,
        caller: &Access,
        event_id: &str,
        size: Option<u64>,
    ) -> Result<Option<InclusionProof>, ApiError> {
        caller.require(Permission::AuditLogsRead)?;
        let org_id = caller.org_id;
        let event = self
            .stores
            .events
            .event_by_id(org_id, event_id)
            .await?
            .ok_or_else(|| ApiError::not_found("event"))?;
        let index = (event.seq - 1) as u64;
        let checkpoint = match size {
            Some(size) => {
                let checkpoint = self.stores.proofs.checkpoint(org_id, size).await?;
                let checkpoint = checkpoint.ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::NotFound,
                        format!("no checkpoint has a tree of {size} events"),
                    )
                    .with_field("size")
                })?;
                if index >= size {
                    return Err(ApiError::invalid(format!(
                        "event {} came after the checkpoint of {size} events",
                        event.seq
                    ))
                    .with_field("size"));
                }
                checkpoint
            }
            None => match self.latest_checkpoint(org_id).await? {
                Some(latest) if index < latest.tree_size => latest,
                _ => return Ok(None),
            },
        };
        let mut proofs = self
            .inclusion_proofs(org_id, std::slice::from_ref(&event), &checkpoint)
            .await?;
        Ok(proofs.pop())
    }

    /// The inclusion proofs of `events` (all within `checkpoint`), read in one go; each is
    /// checked against the checkpoint's root before it is answered.
    pub(super) async fn inclusion_proofs(
        &self,
        org_id: i64,
        events: &[AuditEvent],
        checkpoint: &StoredCheckpoint,
    ) -> StoreResult<Vec<InclusionProof>> {
        let size = checkpoint.tree_size;
        let paths: Vec<Vec<Range<u64>>> = events
            .iter()
            .map(|e| merkle::inclusion_ranges((e.seq - 1) as u64, size))
            .collect();
        let hashes = self.range_hashes(org_id, &paths.concat()).await?;
        let mut rest = hashes.as_slice();
        let mut proofs = Vec::with_capacity(events.len());
        for (event, path) in events.iter().zip(&paths) {
            let (proof, after) = rest.split_at(path.len());
            rest = after;
            let index = (event.seq - 1) as u64;
            let leaf = event_leaf(&event.hash).ok_or_else(|| {
                StoreError::Corrupt(format!("event {} has no valid hash", event.seq))
            })?;
            merkle::verify_inclusion(&leaf, index, size, proof, &checkpoint.root_hash).map_err(
                |e| StoreError::Corrupt(format!("the inclusion proof of event {}: {e}", event.seq)),
            )?;
            proofs.push(InclusionProof {
                event_id: event.id.clone(),
                seq: event.seq,
                leaf_index: index,
                tree_size: size,
                leaf_hash: base64(&leaf),
                proof: proof.iter().map(base64).collect(),
                checkpoint: checkpoint.signed_note.clone(),
            });
        }
        Ok(proofs)
    }

    /// The organization's latest checkpoint, if it has one.
    pub(super) async fn latest_checkpoint(
        &self,
        org_id: i64,
    ) -> StoreResult<Option<StoredCheckpoint>> {
        let latest = self.stores.proofs.checkpoints(org_id, None, 1).await?;
        Ok(latest.into_iter().next())
    }

    /// The proof that the organization's tree of `to` events extends its tree of `from` events
    /// (`1 <= from <= to <=` the tree's size).
    pub async fn consistency_proof(
        &self,
        caller: &Access,
        from: u64,
        to: u64,
    ) -> Result<ConsistencyProof, ApiError> {
        caller.require(Permission::AuditLogsRead)?;
        let size = self.stores.proofs.tree_size(caller.org_id).await?;
        if from == 0 || from > to {
            return Err(
                ApiError::invalid("from must be at least 1 and at most to").with_field("from")
            );
        }
        if to > size {
            return Err(ApiError::invalid(format!(
                "to is beyond the tree, which holds {size} events"
            ))
            .with_field("to"));
        }
        let purged = self
            .stores
            .events
            .chain_head(caller.org_id)
            .await?
            .map_or(0, |head| head.purged);
        if let Some(size) = [from, to]
            .into_iter()
            .find(|&s| needs_purged_leaves(s, purged))
        {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!(
                    "the tree of {size} events ends among events purged by retention (through \
                     {purged}): consistency can be proved for sizes that are a multiple of 16 \
                     or above {purged}"
                ),
            ));
        }
        let ranges = merkle::consistency_ranges(from, to);
        let proof = self.range_hashes(caller.org_id, &ranges).await?;
        Ok(ConsistencyProof {
            from,
            to,
            proof: proof.iter().map(base64).collect(),
        })
    }
}

/// Whether a proof about the tree of `size` leaves needs the hash of a leaf retention purged:
/// the tree keeps every subtree of 16 leaves and more, not the leaves of a block cut at `size`.
fn needs_purged_leaves(size: u64, purged: i64) -> bool {
    !size.is_multiple_of(1 << LOWEST_STORED_LEVEL) && (size as i64) < purged
}

fn not_checkpointed_yet() -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        "the event is in no signed checkpoint yet; checkpoints follow within a minute",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(size: u64, checkpointed: Option<(u64, i64)>) -> TreeState {
        TreeState {
            org_id: 1,
            head: size,
            size,
            checkpointed,
        }
    }

    #[test]
    fn a_checkpoint_is_due_after_enough_events_or_enough_time_with_growth() {
        let policy = CheckpointPolicy::new(NoteSigner::generate("auditrail.test").unwrap());
        let minute = 60_000_000;
        let now = 10 * minute;
        assert!(
            !policy.due(&tree(0, None), now),
            "an empty tree has nothing to sign"
        );
        assert!(
            policy.due(&tree(1, None), now),
            "the first event gets a checkpoint"
        );
        let signed_now = Some((500, now));
        assert!(
            !policy.due(&tree(500, signed_now), now + 2 * minute),
            "no growth"
        );
        assert!(
            !policy.due(&tree(501, signed_now), now + minute - 1),
            "too soon"
        );
        assert!(
            policy.due(&tree(501, signed_now), now + minute),
            "a minute with growth"
        );
        assert!(policy.due(&tree(10_500, signed_now), now), "10,000 events");
        assert!(!policy.due(&tree(10_499, signed_now), now));
    }
}
