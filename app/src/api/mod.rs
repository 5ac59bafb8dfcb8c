//! Server functions by capability. Each body (compiled only on the server) authorises the
//! caller, calls the service layer through [`context::Backend`], and maps errors to statuses.
//! The browser build turns each into a typed HTTP call.

pub mod audit_logs;
#[cfg(feature = "ssr")]
pub mod context;
pub mod saved_views;
pub mod session;
