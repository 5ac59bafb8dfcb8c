//! The Merkle tree of RFC 9162 (Certificate Transparency v2) §2.1: leaf and node hashing, the
//! reference tree head, the ranges that make up inclusion and consistency proofs, their
//! verification, and the `Frontier` an indexer keeps to extend the tree leaf by leaf.
//!
//! Proofs are described as leaf ranges rather than hashes: the caller stores the hash of every
//! complete subtree and hashes a range with `subtrees_of_range` + `fold_subtrees`.

use sha2::{Digest, Sha256};
use std::fmt;
use std::ops::Range;

/// A SHA-256 digest: a leaf hash, a node hash or a tree head.
pub type Hash = [u8; 32];

/// RFC 9162 leaf hash: SHA-256(0x00 ‖ data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    Sha256::new()
        .chain_update([0x00])
        .chain_update(data)
        .finalize()
        .into()
}

/// RFC 9162 interior node hash: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    Sha256::new()
        .chain_update([0x01])
        .chain_update(left)
        .chain_update(right)
        .finalize()
        .into()
}

/// The head of the empty tree: SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// MTH over already leaf-hashed entries, by the RFC's own recursion (the reference the faster
/// paths are tested against).
pub fn root(leaf_hashes: &[Hash]) -> Hash {
    match leaf_hashes {
        [] => empty_root(),
        [only] => *only,
        _ => {
            let split = split_point(leaf_hashes.len() as u64) as usize;
            node_hash(&root(&leaf_hashes[..split]), &root(&leaf_hashes[split..]))
        }
    }
}

/// The largest power of two smaller than `size` (which must be at least 2): where the RFC splits.
fn split_point(size: u64) -> u64 {
    1 << (63 - (size - 1).leading_zeros())
}

/// A complete, aligned subtree: level `level`, covering leaves
/// [index << level, (index + 1) << level).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Subtree {
    /// Height above the leaves: a level-`l` subtree holds 2^l leaves.
    pub level: u32,
    /// Position among the subtrees of the same level, counted from the left.
    pub index: u64,
}

impl Subtree {
    /// First leaf covered (saturates at `u64::MAX` for subtrees beyond the u64 range).
    pub fn begin(&self) -> u64 {
        shift_saturating(self.index, self.level)
    }

    /// One past the last leaf covered (saturates like `begin`).
    pub fn end(&self) -> u64 {
        shift_saturating(self.index.saturating_add(1), self.level)
    }

    /// The subtree one level up that contains this one.
    fn parent(self) -> Subtree {
        Subtree {
            level: self.level + 1,
            index: self.index >> 1,
        }
    }
}

/// `value << level`, or `u64::MAX` when bits would be lost; a stored subtree can be corrupt.
fn shift_saturating(value: u64, level: u32) -> u64 {
    match u64::MAX.checked_shr(level) {
        Some(limit) if value <= limit => value << level,
        _ if value == 0 => 0,
        _ => u64::MAX,
    }
}

/// The maximal complete aligned subtrees that tile [begin, end), left to right (at most
/// 2·log2(end − begin) of them); empty when `begin >= end`.
pub fn subtrees_of_range(begin: u64, end: u64) -> Vec<Subtree> {
    let mut subtrees = Vec::new();
    let mut position = begin;
    while position < end {
        let largest_fitting = 63 - (end - position).leading_zeros();
        let level = position.trailing_zeros().min(largest_fitting);
        subtrees.push(Subtree {
            level,
            index: position >> level,
        });
        position += 1 << level;
    }
    subtrees
}

/// Combines the hashes of `subtrees_of_range(begin, end)`, in that order, right to left with
/// `node_hash`; an empty slice gives `empty_root()`.
///
/// The result is the RFC MTH(D[begin:end]) (the range hashed as a tree of its own) exactly when
/// `end - begin <= 1` or `begin` is a multiple of the largest power of two smaller than
/// `end - begin`. That holds for every range `inclusion_ranges` and `consistency_ranges` return,
/// for [0, n) and for any prefix of an aligned subtree; for others, such as [1, 4), the result
/// is some other hash, not a tree head.
pub fn fold_subtrees(hashes: &[Hash]) -> Hash {
    match hashes.split_last() {
        None => empty_root(),
        Some((last, rest)) => rest
            .iter()
            .rev()
            .fold(*last, |right, left| node_hash(left, &right)),
    }
}

/// The ranges whose MTH form the audit path of leaf `index` in a tree of `size` leaves, in
/// RFC 9162 §2.1.3.1 order (nearest the leaf first); empty when `index >= size`, or `size == 1`.
pub fn inclusion_ranges(index: u64, size: u64) -> Vec<Range<u64>> {
    let mut ranges = Vec::new();
    let (mut begin, mut end) = (0, size);
    while index < end && end - begin > 1 {
        let split = begin + split_point(end - begin);
        if index < split {
            ranges.push(split..end);
            end = split;
        } else {
            ranges.push(begin..split);
            begin = split;
        }
    }
    ranges.reverse();
    ranges
}

/// The ranges whose MTH form the consistency proof from `old_size` to `new_size` leaves
/// (RFC 9162 §2.1.4.1 SUBPROOF), in order; empty unless `0 < old_size < new_size`.
pub fn consistency_ranges(old_size: u64, new_size: u64) -> Vec<Range<u64>> {
    let mut ranges = Vec::new();
    if old_size == 0 || old_size >= new_size {
        return ranges;
    }
    let (mut begin, mut end) = (0, new_size);
    let mut old_tree_is_a_node = true;
    while old_size < end {
        let split = begin + split_point(end - begin);
        if old_size <= split {
            ranges.push(split..end);
            end = split;
        } else {
            ranges.push(begin..split);
            begin = split;
            old_tree_is_a_node = false;
        }
    }
    if !old_tree_is_a_node {
        ranges.push(begin..end);
    }
    ranges.reverse();
    ranges
}

/// Why a proof or a frontier was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProofError {
    /// The leaf index is not inside the tree.
    IndexOutOfRange { index: u64, size: u64 },
    /// The inclusion proof has the wrong number of hashes for its leaf and tree size.
    InclusionProofLength {
        given: usize,
        needed: usize,
        index: u64,
        size: u64,
    },
    /// The inclusion proof, applied to the leaf, gives another root than the checkpoint's.
    RootMismatch,
    /// The "older" checkpoint is larger than the newer one.
    TreeShrank { old_size: u64, new_size: u64 },
    /// The consistency proof has the wrong number of hashes for its two sizes.
    ConsistencyProofLength {
        given: usize,
        needed: usize,
        old_size: u64,
        new_size: u64,
    },
    /// The consistency proof does not rebuild the older checkpoint's root.
    OldRootMismatch,
    /// The consistency proof does not rebuild the newer checkpoint's root.
    NewRootMismatch,
    /// Two checkpoints of the same size disagree: the log forked.
    SameSizeRootsDiffer { size: u64 },
    /// `Frontier::from_parts` got another number of hashes than `Frontier::parts` lists.
    FrontierPartCount {
        given: usize,
        needed: usize,
        size: u64,
    },
}

impl fmt::Display for ProofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::IndexOutOfRange { index, size } => {
                write!(
                    f,
                    "leaf index {index} is outside a tree of {}",
                    leaves(size)
                )
            }
            Self::InclusionProofLength {
                given,
                needed,
                index,
                size,
            } => write!(
                f,
                "the inclusion proof has {}, leaf {index} of a tree of {} needs {needed}",
                hashes(given),
                leaves(size)
            ),
            Self::RootMismatch => f.write_str("the proof does not lead to the checkpoint's root"),
            Self::TreeShrank { old_size, new_size } => write!(
                f,
                "the older checkpoint has {}, more than the newer one's {new_size}",
                leaves(old_size)
            ),
            Self::ConsistencyProofLength {
                given,
                needed,
                old_size,
                new_size,
            } => write!(
                f,
                "the consistency proof has {}, going from {old_size} to {} needs {needed}",
                hashes(given),
                leaves(new_size)
            ),
            Self::OldRootMismatch => {
                f.write_str("the proof does not lead to the older checkpoint's root")
            }
            Self::NewRootMismatch => {
                f.write_str("the proof does not lead to the newer checkpoint's root")
            }
            Self::SameSizeRootsDiffer { size } => {
                write!(
                    f,
                    "two checkpoints of {} have different roots",
                    leaves(size)
                )
            }
            Self::FrontierPartCount {
                given,
                needed,
                size,
            } => write!(
                f,
                "a frontier of {} needs {needed} subtree hashes, {} given",
                leaves(size),
                hashes(given)
            ),
        }
    }
}

impl std::error::Error for ProofError {}

/// "1 leaf", "5 leaves".
fn leaves(count: u64) -> String {
    format!("{count} {}", if count == 1 { "leaf" } else { "leaves" })
}

/// "1 hash", "3 hashes".
fn hashes(count: usize) -> String {
    format!("{count} {}", if count == 1 { "hash" } else { "hashes" })
}

/// Where the RFC 9162 §2.1.3.2 / §2.1.4.2 walk stands: `first` and `second` are the paper's
/// `fn` and `sn`, shifted right as the walk climbs.
struct PathWalk {
    first: u64,
    second: u64,
}

impl PathWalk {
    /// Whether the next proof hash is a left sibling (`None`: the proof is longer than the path).
    fn next_is_left(&mut self) -> Option<bool> {
        if self.second == 0 {
            return None;
        }
        let is_left = self.first & 1 == 1 || self.first == self.second;
        if is_left {
            while self.first & 1 == 0 && self.first != 0 {
                self.shift();
            }
        }
        self.shift();
        Some(is_left)
    }

    /// Climbs one level.
    fn shift(&mut self) {
        self.first >>= 1;
        self.second >>= 1;
    }
}

/// RFC 9162 §2.1.3.2 verification of the audit path of `leaf_hash` at `index` in a tree of
/// `size` leaves against that tree's `root`.
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let needed = inclusion_ranges(index, size).len();
    let length_error = ProofError::InclusionProofLength {
        given: proof.len(),
        needed,
        index,
        size,
    };
    if proof.len() != needed {
        return Err(length_error);
    }
    let mut walk = PathWalk {
        first: index,
        second: size - 1,
    };
    let mut computed = *leaf_hash;
    for sibling in proof {
        computed = match walk.next_is_left() {
            Some(true) => node_hash(sibling, &computed),
            Some(false) => node_hash(&computed, sibling),
            None => return Err(length_error),
        };
    }
    if walk.second != 0 {
        return Err(length_error);
    }
    if computed != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// RFC 9162 §2.1.4.2 verification that the tree of `new_size` leaves extends the one of
/// `old_size`. Equal sizes need an empty proof and equal roots; `old_size == 0` needs an empty
/// proof and `old_root == empty_root()`.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::TreeShrank { old_size, new_size });
    }
    let needed = consistency_ranges(old_size, new_size).len();
    let length_error = ProofError::ConsistencyProofLength {
        given: proof.len(),
        needed,
        old_size,
        new_size,
    };
    if proof.len() != needed {
        return Err(length_error);
    }
    if old_size == 0 {
        return check(*old_root == empty_root(), ProofError::OldRootMismatch);
    }
    if old_size == new_size {
        return check(
            old_root == new_root,
            ProofError::SameSizeRootsDiffer { size: old_size },
        );
    }
    let (old_computed, new_computed) =
        consistency_roots(old_size, new_size, proof, old_root).ok_or(length_error)?;
    check(old_computed == *old_root, ProofError::OldRootMismatch)?;
    check(new_computed == *new_root, ProofError::NewRootMismatch)
}

/// `Ok` when `holds`, else `error`.
fn check(holds: bool, error: ProofError) -> Result<(), ProofError> {
    if holds {
        Ok(())
    } else {
        Err(error)
    }
}

/// The (old, new) roots a consistency proof leads to, for `0 < old_size < new_size`; `None` when
/// the proof does not fit the sizes' path.
fn consistency_roots(
    old_size: u64,
    new_size: u64,
    proof: &[Hash],
    old_root: &Hash,
) -> Option<(Hash, Hash)> {
    // A power-of-two old tree is a node of the new one: the proof leaves its hash out.
    let (seed, rest) = if old_size.is_power_of_two() {
        (old_root, proof)
    } else {
        proof.split_first()?
    };
    let mut walk = PathWalk {
        first: old_size - 1,
        second: new_size - 1,
    };
    while walk.first & 1 == 1 {
        walk.shift();
    }
    let (mut old_computed, mut new_computed) = (*seed, *seed);
    for sibling in rest {
        if walk.next_is_left()? {
            old_computed = node_hash(sibling, &old_computed);
            new_computed = node_hash(sibling, &new_computed);
        } else {
            new_computed = node_hash(&new_computed, sibling);
        }
    }
    (walk.second == 0).then_some((old_computed, new_computed))
}

/// A compact range [0, size): the hashes of `subtrees_of_range(0, size)`, enough to extend the
/// tree leaf by leaf and to compute its root in O(log n) memory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    hashes: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The subtrees whose hashes `from_parts` needs for a tree of `size` leaves (largest first).
    pub fn parts(size: u64) -> Vec<Subtree> {
        subtrees_of_range(0, size)
    }

    /// Rebuilds the frontier from the hashes of `parts(size)`, in that order.
    pub fn from_parts(size: u64, hashes: Vec<Hash>) -> Result<Self, ProofError> {
        let needed = size.count_ones() as usize;
        if hashes.len() != needed {
            return Err(ProofError::FrontierPartCount {
                given: hashes.len(),
                needed,
                size,
            });
        }
        Ok(Frontier { size, hashes })
    }

    /// Number of leaves in the tree so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash; returns every subtree it completes with its hash, lowest first (the
    /// leaf itself at level 0, then each parent).
    ///
    /// # Panics
    /// When the tree already holds `u64::MAX` leaves, as `Vec::push` does past its capacity.
    pub fn push(&mut self, leaf_hash: Hash) -> Vec<(Subtree, Hash)> {
        let Some(new_size) = self.size.checked_add(1) else {
            panic!("a Merkle tree holds at most u64::MAX leaves");
        };
        let merges = self.size.trailing_ones() as usize;
        let keep = self.hashes.len().saturating_sub(merges);
        let mut subtree = Subtree {
            level: 0,
            index: self.size,
        };
        let mut hash = leaf_hash;
        let mut completed = vec![(subtree, hash)];
        for left in self.hashes.drain(keep..).rev() {
            subtree = subtree.parent();
            hash = node_hash(&left, &hash);
            completed.push((subtree, hash));
        }
        self.hashes.push(hash);
        self.size = new_size;
        completed
    }

    /// MTH of the tree so far (`empty_root()` when empty).
    pub fn root(&self) -> Hash {
        fold_subtrees(&self.hashes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    // The 8-leaf tree of the Certificate Transparency reference tests, as published in
    // transparency-dev/merkle testonly/constants.go (LeafInputs, NodeHashes, RootHashes).
    const LEAF_INPUTS: [&str; 8] = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];

    /// NodeHashes: `NODE_HASHES[level]` lists the complete subtrees of that level, left to right.
    const NODE_HASHES: [&[&str]; 4] = [
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
        ],
        &[
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        ],
        &[
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
        &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
    ];

    /// RootHashes: the tree head for sizes 0 (EmptyRootHash) through 8.
    const ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    /// Inclusion proofs (index, size, path), zero-based indexes, from transparency-dev/merkle
    /// testonly/reference_test.go (TestRefInclusionProof) and proof/verify_test.go
    /// (inclusionProofs, whose leaf numbers are one-based there).
    const INCLUSION_PROOFS: [(u64, u64, &[&str]); 7] = [
        (0, 1, &[]),
        (
            0,
            2,
            &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"],
        ),
        (
            1,
            2,
            &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"],
        ),
        (
            2,
            3,
            &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
        ),
        (
            1,
            5,
            &[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
        (
            0,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            5,
            8,
            &[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
    ];

    /// Consistency proofs (old size, new size, proof) from transparency-dev/merkle
    /// testonly/reference_test.go (TestRefConsistencyProof) and proof/verify_test.go
    /// (consistencyProofs).
    const CONSISTENCY_PROOFS: [(u64, u64, &[&str]); 5] = [
        (1, 1, &[]),
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
        (
            6,
            7,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
    ];

    fn decode(hex_hash: &str) -> Hash {
        let bytes = hex::decode(hex_hash).expect("test vector is hex");
        bytes.try_into().expect("test vector is 32 bytes")
    }

    fn decode_all(hex_hashes: &[&str]) -> Vec<Hash> {
        hex_hashes.iter().map(|h| decode(h)).collect()
    }

    fn vector_leaves() -> Vec<Hash> {
        LEAF_INPUTS
            .iter()
            .map(|input| leaf_hash(&hex::decode(input).expect("hex")))
            .collect()
    }

    fn random_leaves(rng: &mut StdRng, count: usize) -> Vec<Hash> {
        (0..count)
            .map(|_| leaf_hash(&rng.gen::<[u8; 8]>()))
            .collect()
    }

    fn slice(leaves: &[Hash], range: Range<u64>) -> &[Hash] {
        &leaves[range.start as usize..range.end as usize]
    }

    /// The hash of every complete subtree, `stored[level][index]`, as the indexer keeps them.
    fn complete_subtrees(leaves: &[Hash]) -> Vec<Vec<Hash>> {
        let mut stored = vec![leaves.to_vec()];
        while let Some(below) = stored.last().filter(|level| level.len() > 1) {
            let parents = below
                .chunks_exact(2)
                .map(|p| node_hash(&p[0], &p[1]))
                .collect();
            stored.push(parents);
        }
        stored
    }

    /// A range's hash the way a caller storing complete subtrees computes it.
    fn folded_hash(stored: &[Vec<Hash>], range: Range<u64>) -> Hash {
        let parts: Vec<Hash> = subtrees_of_range(range.start, range.end)
            .iter()
            .map(|subtree| stored[subtree.level as usize][subtree.index as usize])
            .collect();
        fold_subtrees(&parts)
    }

    /// Leaves and their stored complete subtrees: what a proof server holds.
    struct TestLog {
        leaves: Vec<Hash>,
        stored: Vec<Vec<Hash>>,
        /// The reference MTH of every prefix, `roots[size]`.
        roots: Vec<Hash>,
    }

    impl TestLog {
        fn new(leaves: Vec<Hash>) -> Self {
            let stored = complete_subtrees(&leaves);
            let roots = (0..=leaves.len())
                .map(|size| root(&leaves[..size]))
                .collect();
            TestLog {
                leaves,
                stored,
                roots,
            }
        }

        fn random(seed: u64, count: usize) -> Self {
            Self::new(random_leaves(&mut StdRng::seed_from_u64(seed), count))
        }

        /// The reference MTH of the first `size` leaves.
        fn root(&self, size: u64) -> Hash {
            self.roots[size as usize]
        }

        /// Hashes every range with `folded_hash`, checking each against the reference MTH.
        fn proof(&self, ranges: Vec<Range<u64>>) -> Vec<Hash> {
            let hash_range = |range: Range<u64>| {
                let hash = folded_hash(&self.stored, range.clone());
                assert_eq!(
                    hash,
                    root(slice(&self.leaves, range.clone())),
                    "range {range:?}"
                );
                hash
            };
            ranges.into_iter().map(hash_range).collect()
        }
    }

    fn flip_bit(hash: &Hash) -> Hash {
        let mut flipped = *hash;
        flipped[0] ^= 0x10;
        flipped
    }

    #[test]
    fn leaf_and_node_hashes_match_the_published_node_hashes() {
        let leaves = vector_leaves();
        assert_eq!(leaves, decode_all(NODE_HASHES[0]));
        for level in 1..NODE_HASHES.len() {
            let below = decode_all(NODE_HASHES[level - 1]);
            let parents: Vec<Hash> = below.chunks(2).map(|p| node_hash(&p[0], &p[1])).collect();
            assert_eq!(parents, decode_all(NODE_HASHES[level]), "level {level}");
        }
    }

    #[test]
    fn roots_match_the_published_roots_for_sizes_0_to_8() {
        let leaves = vector_leaves();
        assert_eq!(empty_root(), decode(ROOTS[0]));
        for (size, expected) in ROOTS.iter().enumerate() {
            assert_eq!(root(&leaves[..size]), decode(expected), "size {size}");
            let folded = folded_hash(&complete_subtrees(&leaves), 0..size as u64);
            assert_eq!(folded, decode(expected), "size {size}");
        }
    }

    #[test]
    fn frontier_parts_are_the_published_compact_trees() {
        // CompactTrees() in testonly/constants.go lists these NodeHashes (level, index) per size.
        let compact_trees: [&[(u32, u64)]; 9] = [
            &[],
            &[(0, 0)],
            &[(1, 0)],
            &[(1, 0), (0, 2)],
            &[(2, 0)],
            &[(2, 0), (0, 4)],
            &[(2, 0), (1, 2)],
            &[(2, 0), (1, 2), (0, 6)],
            &[(3, 0)],
        ];
        for (size, expected) in compact_trees.iter().enumerate() {
            let parts = Frontier::parts(size as u64);
            let expected_parts: Vec<Subtree> = expected
                .iter()
                .map(|&(level, index)| Subtree { level, index })
                .collect();
            assert_eq!(parts, expected_parts, "size {size}");
            let hashes = parts
                .iter()
                .map(|p| decode(NODE_HASHES[p.level as usize][p.index as usize]))
                .collect();
            let frontier = Frontier::from_parts(size as u64, hashes).expect("right part count");
            assert_eq!(frontier.root(), decode(ROOTS[size]), "size {size}");
        }
    }

    #[test]
    fn inclusion_proofs_match_the_published_vectors_and_verify() {
        let log = TestLog::new(vector_leaves());
        for (index, size, expected) in INCLUSION_PROOFS {
            let proof = log.proof(inclusion_ranges(index, size));
            assert_eq!(proof, decode_all(expected), "leaf {index} of {size}");
            let (leaf, root) = (log.leaves[index as usize], decode(ROOTS[size as usize]));
            assert_eq!(verify_inclusion(&leaf, index, size, &proof, &root), Ok(()));
        }
    }

    #[test]
    fn consistency_proofs_match_the_published_vectors_and_verify() {
        let log = TestLog::new(vector_leaves());
        for (old_size, new_size, expected) in CONSISTENCY_PROOFS {
            let proof = log.proof(consistency_ranges(old_size, new_size));
            assert_eq!(proof, decode_all(expected), "{old_size} to {new_size}");
            let (old_root, new_root) = (
                decode(ROOTS[old_size as usize]),
                decode(ROOTS[new_size as usize]),
            );
            let verdict = verify_consistency(old_size, new_size, &proof, &old_root, &new_root);
            assert_eq!(verdict, Ok(()), "{old_size} to {new_size}");
        }
    }

    #[test]
    fn published_inclusion_proofs_fail_when_corrupted() {
        let leaves = vector_leaves();
        for (index, size, expected) in INCLUSION_PROOFS.into_iter().filter(|v| v.1 > 1) {
            let proof = decode_all(expected);
            let root = decode(ROOTS[size as usize]);
            let leaf = leaves[index as usize];
            let other_index = if index == 0 { 1 } else { index - 1 };
            assert!(verify_inclusion(&leaf, other_index, size, &proof, &root).is_err());
            assert!(verify_inclusion(&leaf, index, size * 2, &proof, &root).is_err());
            assert!(
                verify_inclusion(&leaf_hash(b"WrongLeaf"), index, size, &proof, &root).is_err()
            );
            assert!(verify_inclusion(&leaf, index, size, &proof, &empty_root()).is_err());
            let mut extended = proof.clone();
            extended.push(root);
            assert!(verify_inclusion(&leaf, index, size, &extended, &root).is_err());
            let mut preceded = vec![root];
            preceded.extend(&proof);
            assert!(verify_inclusion(&leaf, index, size, &preceded, &root).is_err());
        }
    }

    #[test]
    fn consistency_edge_cases_follow_the_rfc() {
        let (some, other) = (leaf_hash(b"some"), leaf_hash(b"other"));
        let empty = empty_root();
        assert_eq!(verify_consistency(0, 0, &[], &empty, &empty), Ok(()));
        assert_eq!(verify_consistency(0, 5, &[], &empty, &some), Ok(()));
        assert_eq!(
            verify_consistency(0, 5, &[], &some, &other),
            Err(ProofError::OldRootMismatch)
        );
        assert_eq!(verify_consistency(3, 3, &[], &some, &some), Ok(()));
        assert_eq!(
            verify_consistency(3, 3, &[], &some, &other),
            Err(ProofError::SameSizeRootsDiffer { size: 3 })
        );
        assert!(verify_consistency(3, 3, &[empty], &some, &some).is_err());
        assert!(verify_consistency(0, 1, &[empty], &empty, &empty).is_err());
        assert_eq!(
            verify_consistency(2, 1, &[], &some, &other),
            Err(ProofError::TreeShrank {
                old_size: 2,
                new_size: 1
            })
        );
        assert!(verify_consistency(1, 2, &[], &some, &other).is_err());
        assert!(consistency_ranges(0, 5).is_empty());
        assert!(consistency_ranges(5, 5).is_empty());
        assert!(consistency_ranges(6, 5).is_empty());
    }

    #[test]
    fn inclusion_of_an_index_outside_the_tree_is_rejected() {
        let leaf = leaf_hash(b"leaf");
        assert!(inclusion_ranges(5, 5).is_empty());
        assert!(inclusion_ranges(0, 0).is_empty());
        assert_eq!(
            verify_inclusion(&leaf, 5, 5, &[], &leaf),
            Err(ProofError::IndexOutOfRange { index: 5, size: 5 })
        );
        assert_eq!(
            verify_inclusion(&leaf, 0, 0, &[], &empty_root()),
            Err(ProofError::IndexOutOfRange { index: 0, size: 0 })
        );
        assert_eq!(verify_inclusion(&leaf, 0, 1, &[], &leaf), Ok(()));
    }

    #[test]
    fn errors_read_as_sentences() {
        let cases = [
            (
                ProofError::InclusionProofLength {
                    given: 3,
                    needed: 2,
                    index: 4,
                    size: 5,
                },
                "the inclusion proof has 3 hashes, leaf 4 of a tree of 5 leaves needs 2",
            ),
            (
                ProofError::RootMismatch,
                "the proof does not lead to the checkpoint's root",
            ),
            (
                ProofError::ConsistencyProofLength {
                    given: 1,
                    needed: 2,
                    old_size: 4,
                    new_size: 7,
                },
                "the consistency proof has 1 hash, going from 4 to 7 leaves needs 2",
            ),
            (
                ProofError::TreeShrank {
                    old_size: 8,
                    new_size: 5,
                },
                "the older checkpoint has 8 leaves, more than the newer one's 5",
            ),
            (
                ProofError::IndexOutOfRange { index: 1, size: 1 },
                "leaf index 1 is outside a tree of 1 leaf",
            ),
            (
                ProofError::FrontierPartCount {
                    given: 3,
                    needed: 2,
                    size: 5,
                },
                "a frontier of 5 leaves needs 2 subtree hashes, 3 hashes given",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }

    /// Every inclusion proof of a tree of `size` leaves verifies, and every corruption fails.
    fn check_inclusion(log: &TestLog, index: u64, size: u64) {
        let (leaf, root) = (log.leaves[index as usize], log.root(size));
        let proof = log.proof(inclusion_ranges(index, size));
        assert_eq!(
            verify_inclusion(&leaf, index, size, &proof, &root),
            Ok(()),
            "{index} of {size}"
        );
        assert_eq!(
            verify_inclusion(&flip_bit(&leaf), index, size, &proof, &root),
            Err(ProofError::RootMismatch)
        );
        for other_index in [index ^ 1, index.wrapping_sub(1), index + 1] {
            if other_index != index {
                assert!(verify_inclusion(&leaf, other_index, size, &proof, &root).is_err());
            }
        }
        let mut extended = proof.clone();
        extended.push(leaf);
        assert!(verify_inclusion(&leaf, index, size, &extended, &root).is_err());
        for position in 0..proof.len() {
            let mut truncated = proof.clone();
            truncated.truncate(position);
            assert!(verify_inclusion(&leaf, index, size, &truncated, &root).is_err());
            let mut corrupted = proof.clone();
            corrupted[position] = flip_bit(&corrupted[position]);
            assert!(verify_inclusion(&leaf, index, size, &corrupted, &root).is_err());
        }
    }

    /// The consistency proof from `old_size` to `new_size` verifies, and every corruption fails.
    fn check_consistency(log: &TestLog, old_size: u64, new_size: u64) {
        let (old_root, new_root) = (log.root(old_size), log.root(new_size));
        let proof = log.proof(consistency_ranges(old_size, new_size));
        let verify = |proof: &[Hash], old: &Hash, new: &Hash| {
            verify_consistency(old_size, new_size, proof, old, new)
        };
        assert_eq!(
            verify(&proof, &old_root, &new_root),
            Ok(()),
            "{old_size} to {new_size}"
        );
        assert!(verify(&proof, &flip_bit(&old_root), &new_root).is_err());
        assert!(verify(&proof, &old_root, &flip_bit(&new_root)).is_err());
        if old_size == new_size {
            return;
        }
        let mut extended = proof.clone();
        extended.push(new_root);
        assert!(verify(&extended, &old_root, &new_root).is_err());
        for position in 0..proof.len() {
            let mut corrupted = proof.clone();
            corrupted[position] = flip_bit(&corrupted[position]);
            assert!(verify(&corrupted, &old_root, &new_root).is_err());
            assert!(verify(&proof[..position], &old_root, &new_root).is_err());
        }
    }

    #[test]
    fn every_inclusion_proof_of_small_trees_verifies_and_corruptions_fail() {
        let log = TestLog::random(1, 40);
        for size in 1..=40 {
            for index in 0..size {
                check_inclusion(&log, index, size);
            }
        }
    }

    #[test]
    fn random_inclusion_proofs_of_trees_up_to_300_leaves_verify() {
        let log = TestLog::random(2, 300);
        let mut rng = StdRng::seed_from_u64(20);
        for _ in 0..300 {
            let size = rng.gen_range(1..=300);
            check_inclusion(&log, rng.gen_range(0..size), size);
        }
    }

    #[test]
    fn every_consistency_proof_of_small_trees_verifies_and_corruptions_fail() {
        let log = TestLog::random(3, 40);
        for new_size in 1..=40 {
            for old_size in 1..=new_size {
                check_consistency(&log, old_size, new_size);
            }
        }
    }

    #[test]
    fn random_consistency_proofs_of_trees_up_to_300_leaves_verify() {
        let log = TestLog::random(4, 300);
        let mut rng = StdRng::seed_from_u64(40);
        for _ in 0..300 {
            let new_size = rng.gen_range(1..=300);
            check_consistency(&log, rng.gen_range(1..=new_size), new_size);
        }
    }

    #[test]
    fn frontier_push_matches_the_reference_root_and_completed_subtrees() {
        let leaves = random_leaves(&mut StdRng::seed_from_u64(5), 300);
        let mut frontier = Frontier::empty();
        assert_eq!(frontier.root(), empty_root());
        for (index, leaf) in leaves.iter().enumerate() {
            let completed = frontier.push(*leaf);
            assert_eq!(completed.len(), (index as u64).trailing_ones() as usize + 1);
            for (level, (subtree, hash)) in completed.iter().enumerate() {
                assert_eq!(subtree.level, level as u32);
                assert_eq!(subtree.end(), index as u64 + 1);
                assert_eq!(*hash, root(slice(&leaves, subtree.begin()..subtree.end())));
            }
            assert_eq!(frontier.size(), index as u64 + 1);
            assert_eq!(
                frontier.root(),
                root(&leaves[..=index]),
                "size {}",
                index + 1
            );
        }
    }

    #[test]
    fn frontier_round_trips_through_its_parts() {
        let leaves = random_leaves(&mut StdRng::seed_from_u64(6), 300);
        let mut frontier = Frontier::empty();
        for (size, leaf) in (1..).zip(&leaves) {
            frontier.push(*leaf);
            let hashes: Vec<Hash> = Frontier::parts(size)
                .iter()
                .map(|part| root(slice(&leaves, part.begin()..part.end())))
                .collect();
            let mut rebuilt = Frontier::from_parts(size, hashes.clone()).expect("right count");
            assert_eq!(rebuilt, frontier);
            let mut too_many = hashes;
            too_many.push(*leaf);
            let error = Frontier::from_parts(size, too_many).expect_err("wrong count");
            assert!(matches!(error, ProofError::FrontierPartCount { .. }));
            if let Some(next) = leaves.get(size as usize) {
                assert_eq!(rebuilt.push(*next), frontier.clone().push(*next));
            }
        }
    }

    #[test]
    fn subtrees_of_range_tile_the_range_with_maximal_aligned_subtrees() {
        for begin in 0..70u64 {
            for end in begin..70 {
                let subtrees = subtrees_of_range(begin, end);
                let mut position = begin;
                for pair in subtrees.windows(2) {
                    let mergeable = pair[0].level == pair[1].level && pair[0].index % 2 == 0;
                    assert!(!mergeable, "[{begin}, {end}) could merge {pair:?}");
                }
                for subtree in &subtrees {
                    assert_eq!(subtree.begin(), position, "[{begin}, {end})");
                    position = subtree.end();
                }
                assert_eq!(position, end);
                let bound = 2 * (64 - (end - begin).leading_zeros());
                assert!(subtrees.len() as u32 <= bound, "[{begin}, {end})");
            }
        }
    }

    #[test]
    fn fold_equals_the_rfc_root_exactly_when_the_documented_condition_holds() {
        let leaves = random_leaves(&mut StdRng::seed_from_u64(7), 48);
        let stored = complete_subtrees(&leaves);
        for begin in 0..48u64 {
            for end in begin + 1..=48 {
                let size = end - begin;
                let condition = size <= 1 || begin % split_point(size) == 0;
                let equal = folded_hash(&stored, begin..end) == root(slice(&leaves, begin..end));
                assert_eq!(equal, condition, "[{begin}, {end})");
            }
        }
    }

    #[test]
    fn subtree_bounds_saturate_instead_of_overflowing() {
        let top = Subtree {
            level: 0,
            index: u64::MAX,
        };
        assert_eq!((top.begin(), top.end()), (u64::MAX, u64::MAX));
        let beyond = Subtree {
            level: 70,
            index: 1,
        };
        assert_eq!((beyond.begin(), beyond.end()), (u64::MAX, u64::MAX));
        let whole = Subtree {
            level: 64,
            index: 0,
        };
        assert_eq!((whole.begin(), whole.end()), (0, u64::MAX));
        assert_eq!(
            Subtree { level: 3, index: 2 }.begin()..Subtree { level: 3, index: 2 }.end(),
            16..24
        );
    }
}
