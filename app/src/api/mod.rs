//! Server functions by capability. Each body (compiled only on the server) takes the caller's
//! session from [`context::RequestContext`], calls the service layer through its part of
//! [`context::Backend`], and maps errors to statuses. Reading the log checks its permission
//! here; the administration parts check theirs in the services. The browser build turns each
//! into a typed HTTP call.

pub mod account;
pub mod api_keys;
pub mod audit_logs;
#[cfg(feature = "ssr")]
pub mod context;
pub mod members;
pub mod roles;
pub mod saved_views;
pub mod session;
