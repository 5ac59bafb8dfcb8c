//! Reusable pieces of the screens.

mod activity_chart;
mod auth_card;
mod busy;
mod chain_badge;
mod copy_button;
mod event_detail;
mod events_table;
mod export_links;
mod filter_panel;
mod flash;
mod pager;
mod permission_checklist;
mod presets;
mod retry_banner;
mod saved_views;
mod search_bar;
mod secret_once;
mod shell;

pub use activity_chart::ActivityChart;
pub use auth_card::AuthCard;
pub use busy::Busy;
pub use chain_badge::ChainBadge;
pub use copy_button::CopyButton;
pub use event_detail::EventDetail;
pub use events_table::EventsTable;
pub use export_links::ExportLinks;
pub use filter_panel::FilterPanel;
pub use flash::{confirm, Flash, Notice};
pub use pager::{Pager, PAGE_SIZES};
pub use permission_checklist::PermissionChecklist;
pub use presets::{PeriodPresets, Presets};
pub use retry_banner::RetryBanner;
pub use saved_views::SavedViews;
pub use search_bar::SearchBar;
pub use secret_once::SecretOnce;
pub use shell::Shell;
