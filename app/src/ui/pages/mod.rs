//! One component per route.

mod account;
mod api_keys;
mod audit_logs;
mod home;
mod invitation;
mod log_streams;
mod login;
mod members;
mod not_found;
mod password_reset;
mod roles;
mod settings;

pub use account::Account;
pub use api_keys::ApiKeys;
pub use audit_logs::AuditLogs;
pub use home::Home;
pub use invitation::Invitation;
pub use log_streams::LogStreams;
pub use login::Login;
pub use members::Members;
pub use not_found::NotFound;
pub use password_reset::{ForgotPassword, ResetPassword};
pub use roles::Roles;
pub use settings::Settings;
