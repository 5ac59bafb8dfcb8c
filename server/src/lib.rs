//! Auditrail's server: storage, services, the HTTP surface and the operator CLI behind the
//! `auditrail` binary.

pub mod chain;
pub mod cli;
pub mod demo;
pub mod digest;
pub mod http;
pub mod outbound;
pub mod prometheus;
pub mod proof;
pub mod service;
pub mod store;
