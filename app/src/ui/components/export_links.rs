//! Download links for the current view in each export format.

use crate::model::ExportFormat;
use leptos::prelude::*;

/// "Export CSV / JSON / NDJSON" links; the browser streams the file straight to disk.
#[component]
pub fn ExportLinks() -> impl IntoView {
    let links = ExportFormat::ALL
        .into_iter()
        .map(|format| {
            let href = format!("/api/v1/audit-logs/export?format={}", format.as_str());
            let label = format!("Export {}", format.as_str().to_uppercase());
            view! { <a class="button secondary" href=href download="">{label}</a> }
        })
        .collect_view();
    view! { <div class="export-links" role="group" aria-label="Export">{links}</div> }
}
