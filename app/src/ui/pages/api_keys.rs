//! `/api-keys`: create keys with scopes (the secret shown once), rename, rotate, delete.

use crate::api::api_keys::{
    create_api_key, delete_api_key, list_api_keys, rename_api_key, rotate_api_key,
};
use crate::model::{ApiKeySummary, CreatedApiKey, Permission};
use crate::ui::components::{confirm, Busy, Flash, Notice, PermissionChecklist, SecretOnce};
use crate::ui::time;
use leptos::prelude::*;

/// The box that shows a new key's secret once.
#[component]
fn KeySecret(created: CreatedApiKey) -> impl IntoView {
    let CreatedApiKey { key, secret } = created;
    view! {
        <SecretOnce secret copy_label="Copy key" testid="api-key-secret">
            <p>"Copy the key "<strong>{key.name}</strong>" now: it will not be shown again."</p>
        </SecretOnce>
    }
}

/// One key's row, with its rename field and actions.
#[component]
fn KeyRow(
    key: ApiKeySummary,
    on_rename: Callback<(i64, String)>,
    on_rotate: Callback<ApiKeySummary>,
    on_delete: Callback<ApiKeySummary>,
    busy: Busy,
) -> impl IntoView {
    let renaming = RwSignal::new(false);
    let new_name = RwSignal::new(key.name.clone());
    let id = key.id;
    let rename = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        renaming.set(false);
        on_rename.run((id, new_name.get_untracked()));
    };
    let scopes = key
        .scopes
        .iter()
        .map(|s| view! { <span class="badge">{s.as_str()}</span> })
        .collect_view();
    let last_used = key
        .last_used_at
        .map_or_else(|| "Never".to_owned(), time::local);
    let (for_rotate, for_delete) = (key.clone(), key.clone());
    view! {
        <tr>
            <td>
                <Show when=move || renaming.get() fallback={
                    let name = key.name.clone();
                    move || name.clone()
                }>
                    <form class="inline-form" on:submit=rename>
                        <input type="text" aria-label="New name" required maxlength="100" bind:value=new_name />
                        <button type="submit" class="primary" disabled=move || busy.get()>"Save"</button>
                    </form>
                </Show>
            </td>
            <td><code>{key.masked()}</code></td>
            <td class="badges">{scopes}</td>
            <td>{time::local(key.created_at)}</td>
            <td>{last_used}</td>
            <td class="row-actions">
                <button type="button" class="secondary" on:click=move |_| renaming.set(true)>"Rename"</button>
                <button type="button" class="secondary" disabled=move || busy.get() on:click=move |_| on_rotate.run(for_rotate.clone())>"Rotate"</button>
                <button type="button" class="danger" disabled=move || busy.get() on:click=move |_| on_delete.run(for_delete.clone())>"Delete"</button>
            </td>
        </tr>
    }
}

/// The API keys page.
#[component]
pub fn ApiKeys() -> impl IntoView {
    let busy = Busy::new();
    let version = RwSignal::new(0u32);
    let reload = move || version.update(|v| *v += 1);
    let keys = LocalResource::new(move || {
        version.track();
        list_api_keys()
    });
    let notice = RwSignal::new(None::<Notice>);
    let secret = RwSignal::new(None::<CreatedApiKey>);
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(vec![Permission::EventsWrite]);

    let show_secret = move |result: Result<CreatedApiKey, crate::model::ApiError>, done: String| {
        notice.set(Some(Notice::of(&result, done)));
        if let Ok(created) = result {
            secret.set(Some(created));
        }
        reload();
    };
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (n, s) = (name.get_untracked(), scopes.get_untracked());
        busy.run(async move {
            let result = create_api_key(n.clone(), s).await;
            if result.is_ok() {
                name.set(String::new());
            }
            show_secret(result, format!("Key {n} created"));
        });
    };
    let on_rename = Callback::new(move |(id, n): (i64, String)| {
        busy.run(async move {
            let result = rename_api_key(id, n.clone()).await;
            notice.set(Some(Notice::of(&result, format!("Key renamed to {n}"))));
            reload();
        });
    });
    let on_rotate = Callback::new(move |key: ApiKeySummary| {
        if !confirm(&format!(
            "Rotate {}? The current secret stops working at once.",
            key.name
        )) {
            return;
        }
        busy.run(async move {
            let result = rotate_api_key(key.id).await;
            show_secret(result, format!("Key {} rotated", key.name));
        });
    });
    let on_delete = Callback::new(move |key: ApiKeySummary| {
        if !confirm(&format!(
            "Delete {}? Applications using it stop working.",
            key.name
        )) {
            return;
        }
        busy.run(async move {
            let result = delete_api_key(key.id).await;
            notice.set(Some(Notice::of(
                &result,
                format!("Key {} deleted", key.name),
            )));
            reload();
        });
    });
    let rows = move || {
        keys.get().map(|result| match result {
            Err(e) => {
                view! { <tr><td colspan="6" class="form-error">{e.message}</td></tr> }.into_any()
            }
            Ok(list) if list.is_empty() => {
                view! { <tr><td colspan="6" class="muted">"No API keys yet."</td></tr> }.into_any()
            }
            Ok(list) => list
                .into_iter()
                .map(|key| view! { <KeyRow key on_rename on_rotate on_delete busy /> })
                .collect_view()
                .into_any(),
        })
    };

    view! {
        <section class="admin-page" aria-busy=move || busy.get().to_string()>
            <header class="page-header"><h1>"API Keys"</h1></header>
            <Flash notice=notice />
            {move || secret.get().map(|created| view! { <KeySecret created /> })}
            <div class="table-wrap">
                <table class="admin-table" aria-label="API keys">
                    <thead><tr>
                        <th scope="col">"Name"</th><th scope="col">"Key"</th><th scope="col">"Scopes"</th>
                        <th scope="col">"Created"</th><th scope="col">"Last used"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <form class="card" on:submit=create>
                <h2>"New API key"</h2>
                <label>"Key name" <input type="text" required maxlength="100" bind:value=name /></label>
                <PermissionChecklist choices=&Permission::API_KEY_SCOPES chosen=scopes legend="Scopes" />
                <button type="submit" class="primary" disabled=move || busy.get()>"Create key"</button>
            </form>
        </section>
    }
}
