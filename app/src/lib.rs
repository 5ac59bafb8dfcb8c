//! Auditrail's shared crate: the wire models, the event catalogue and the server functions used
//! by both the browser and the server, and (for the browser build) the user interface.

pub mod api;
pub mod catalog;
pub mod model;
#[cfg(feature = "csr")]
pub mod ui;
