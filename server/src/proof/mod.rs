//! What makes the log provable without trusting the server: the RFC 9162 Merkle tree over each
//! organization's chain, the C2SP signed notes its checkpoints are written in, and the signing
//! key's file.

pub mod key_file;
pub mod merkle;
pub mod note;
pub mod offline;
