//! The provable log on the wire: signed checkpoints, the key that signs them, and the Merkle
//! proofs (RFC 9162) that tie an event to a checkpoint and one checkpoint to a later one. Hashes
//! are base64 (standard, padded), as in the checkpoint text itself.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A signed checkpoint: the organization's Merkle tree at `tree_size` events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Checkpoint {
    /// Events in the tree: the chain's first `tree_size` events (`seq` 1 to `tree_size`).
    pub tree_size: u64,
    /// The tree's root hash.
    pub root_hash: String,
    /// When it was signed.
    pub created_at: DateTime<Utc>,
    /// The C2SP tlog-checkpoint signed note (origin, size, root, blank line, signature line).
    pub signed_note: String,
}

/// What `GET /api/v1/checkpoints` answers: the latest checkpoint and the ones before it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CheckpointList {
    pub latest: Option<Checkpoint>,
    /// Largest first, the latest included.
    pub history: Vec<Checkpoint>,
}

/// The public key checkpoints are signed with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CheckpointKey {
    /// The key's name: the signature lines name it, and every origin starts with it.
    pub name: String,
    /// The key ID (8 hex digits) the signature lines carry.
    pub key_id: String,
    /// The C2SP verifier key (`name+id+base64 key`) an auditor passes to `auditrail verify --key`.
    pub verifier_key: String,
    pub algorithm: String,
}

/// That an event is the leaf `leaf_index` of the tree of `tree_size` events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InclusionProof {
    pub event_id: String,
    pub seq: i64,
    /// `seq - 1`.
    pub leaf_index: u64,
    pub tree_size: u64,
    /// SHA-256(0x00 ‖ the event's 32-byte hash).
    pub leaf_hash: String,
    /// The audit path, in RFC 9162 order.
    pub proof: Vec<String>,
    /// The signed checkpoint of `tree_size` events.
    pub checkpoint: String,
}

/// That the tree of `to` events extends the tree of `from` events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConsistencyProof {
    pub from: u64,
    pub to: u64,
    /// RFC 9162 consistency proof hashes, in order.
    pub proof: Vec<String>,
}
