//! Reusable pieces of the screens.

mod event_detail;
mod events_table;
mod export_links;
mod pager;
mod shell;

pub use event_detail::EventDetail;
pub use events_table::EventsTable;
pub use export_links::ExportLinks;
pub use pager::Pager;
pub use shell::Shell;
