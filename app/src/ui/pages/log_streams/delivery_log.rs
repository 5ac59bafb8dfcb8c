//! A stream's delivery log: its latest attempts, newest first, following the page's refreshes.

use super::{last_loaded, load_failure, Refresh};
use crate::api::log_streams::log_stream_deliveries;
use crate::model::{Delivery, DeliveryKind};
use crate::ui::time;
use leptos::prelude::*;

/// The `seq` range an attempt carried (`101–150`), the size of a checkpoint (`≤ 150`), or a
/// dash for a test event.
fn seq_range(delivery: &Delivery) -> String {
    match delivery.kind {
        DeliveryKind::Test => "—".to_owned(),
        DeliveryKind::Checkpoint => format!("≤ {}", delivery.last_seq),
        DeliveryKind::Events if delivery.first_seq == delivery.last_seq => {
            delivery.first_seq.to_string()
        }
        DeliveryKind::Events => format!("{}–{}", delivery.first_seq, delivery.last_seq),
    }
}

/// One attempt as a table row.
fn delivery_row(delivery: Delivery) -> impl IntoView {
    let kind = match delivery.kind {
        DeliveryKind::Events => "Events",
        DeliveryKind::Test => "Test",
        DeliveryKind::Checkpoint => "Checkpoint",
    };
    let seq = seq_range(&delivery);
    let status = delivery
        .status
        .map_or_else(|| "—".to_owned(), |status| status.to_string());
    let outcome = if delivery.ok {
        view! { <span class="badge badge-success">"OK"</span> }.into_any()
    } else {
        let error = delivery.error.unwrap_or_default();
        view! { <span class="badge badge-failure">"Failed"</span>" "<span class="stream-error">{error}</span> }
            .into_any()
    };
    view! {
        <tr>
            <td class="cell-time" title=time::utc(delivery.attempted_at)>{time::local(delivery.attempted_at)}</td>
            <td>{kind}</td>
            <td class="cell-number">{seq}</td>
            <td class="cell-number">{delivery.events}</td>
            <td class="cell-number">{status}</td>
            <td class="cell-number">{format!("{} ms", delivery.latency_ms)}</td>
            <td>{outcome}</td>
        </tr>
    }
}

/// The delivery log of stream `id`.
#[component]
pub(super) fn DeliveryLog(id: i64, refresh: Refresh) -> impl IntoView {
    let deliveries = LocalResource::new(move || {
        refresh.track();
        log_stream_deliveries(id)
    });
    let loaded = last_loaded(deliveries);
    let failure = load_failure(deliveries);
    let body = move || {
        match loaded.get() {
        None if failure.with(Option::is_some) => ().into_any(),
        None => view! { <p class="state state-loading" role="status">"Loading deliveries…"</p> }
            .into_any(),
        Some(list) if list.is_empty() => {
            view! { <p class="muted">"Nothing delivered yet."</p> }.into_any()
        }
        Some(list) => view! {
            <div class="table-wrap">
                <table class="admin-table" aria-label="Delivery log">
                    <thead><tr>
                        <th scope="col">"Time"</th><th scope="col">"Kind"</th><th scope="col">"Seq"</th>
                        <th scope="col">"Events"</th><th scope="col">"Status"</th>
                        <th scope="col">"Latency"</th><th scope="col">"Result"</th>
                    </tr></thead>
                    <tbody>{list.into_iter().map(delivery_row).collect_view()}</tbody>
                </table>
            </div>
        }
        .into_any(),
    }
    };
    view! {
        {move || failure.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
        {body}
    }
}
