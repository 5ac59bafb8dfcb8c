//! One component per route.

mod audit_logs;
mod home;
mod login;
mod not_found;

pub use audit_logs::AuditLogs;
pub use home::Home;
pub use login::Login;
pub use not_found::NotFound;
