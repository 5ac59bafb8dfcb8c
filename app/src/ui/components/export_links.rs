//! Download links for the current view in each export format.

use crate::model::{EventFilter, ExportFormat};
use crate::ui::url::with_query;
use leptos::prelude::*;

/// "Export CSV / JSON / NDJSON" links for the current filter; the browser streams the file
/// straight to disk.
#[component]
pub fn ExportLinks(filter: Signal<EventFilter>) -> impl IntoView {
    let links = ExportFormat::ALL
        .into_iter()
        .map(|format| {
            let href = move || {
                let pairs = filter.with(EventFilter::to_pairs);
                let pairs =
                    std::iter::once(("format".to_owned(), format.as_str().to_owned())).chain(pairs);
                let pairs: Vec<(String, String)> = pairs.collect();
                with_query(
                    "/api/v1/audit-logs/export",
                    pairs.iter().map(|(k, v)| (k.as_str(), v.clone())),
                )
            };
            let label = format!("Export {}", format.as_str().to_uppercase());
            view! { <a class="button secondary" href=href download="">{label}</a> }
        })
        .collect_view();
    view! { <div class="export-links" role="group" aria-label="Export">{links}</div> }
}
