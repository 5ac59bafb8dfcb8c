//! What leaves the server for a log stream's destination: which addresses it may reach
//! ([`destinations`]), the bytes each kind of destination expects ([`formats`]), and the
//! sending itself ([`sender`]). Nothing here touches the database.

pub mod destinations;
pub mod formats;
pub mod sender;

pub use destinations::DestinationPolicy;
pub use sender::{Outcome, Sender};
