//! "Page X of Y (Z total)" with Previous / Next and the page size.

use leptos::prelude::*;

/// The page sizes a viewer can pick.
pub const PAGE_SIZES: [u32; 3] = [25, 50, 100];

/// Pagination controls; `page` counts from 1.
#[component]
pub fn Pager(
    page: Signal<usize>,
    total: Signal<Option<u64>>,
    page_size: Signal<u32>,
    on_page_size: Callback<u32>,
    has_next: Signal<bool>,
    on_previous: Callback<()>,
    on_next: Callback<()>,
) -> impl IntoView {
    let status = move || {
        total.get().map(|total| {
            let pages = total.div_ceil(u64::from(page_size.get())).max(1);
            format!("Page {} of {pages} ({total} total)", page.get())
        })
    };
    view! {
        <nav class="pager" aria-label="Pagination">
            <label class="pager-size">
                "Rows per page"
                <select on:change=move |ev| {
                    if let Ok(size) = event_target_value(&ev).parse() {
                        on_page_size.run(size);
                    }
                }>
                    {PAGE_SIZES
                        .into_iter()
                        .map(|size| {
                            view! {
                                <option value=size.to_string() selected=move || page_size.get() == size>
                                    {size}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <span class="pager-status" aria-live="polite">{status}</span>
            <span class="pager-buttons">
                <button type="button" class="secondary" disabled=move || page.get() <= 1
                    on:click=move |_| on_previous.run(())>"Previous"</button>
                <button type="button" class="secondary" disabled=move || !has_next.get()
                    on:click=move |_| on_next.run(())>"Next"</button>
            </span>
        </nav>
    }
}
