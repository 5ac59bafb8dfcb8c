//! Server functions by capability. Each body (compiled only on the server) runs through
//! [`context::serve`] or [`context::signed_in`], calls the service layer through its part of
//! [`backend::Backend`] (the services authorise and validate), and answers errors with their
//! status. The browser build turns each into a typed HTTP call.

pub mod account;
pub mod api_keys;
pub mod audit_logs;
#[cfg(feature = "ssr")]
pub mod backend;
#[cfg(feature = "ssr")]
pub mod context;
pub mod log_streams;
pub mod members;
pub mod roles;
pub mod saved_views;
pub mod session;
pub mod settings;
