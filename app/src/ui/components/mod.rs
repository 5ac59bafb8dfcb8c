//! Reusable pieces of the screens.

mod activity_chart;
mod event_detail;
mod events_table;
mod export_links;
mod pager;
mod presets;
mod saved_views;
mod search_bar;
mod shell;

pub use activity_chart::ActivityChart;
pub use event_detail::EventDetail;
pub use events_table::EventsTable;
pub use export_links::ExportLinks;
pub use pager::{Pager, PAGE_SIZES};
pub use presets::{PeriodPresets, Presets};
pub use saved_views::SavedViews;
pub use search_bar::SearchBar;
pub use shell::Shell;
