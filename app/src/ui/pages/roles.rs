//! `/roles`: the built-in roles, and custom roles created, edited and deleted with a
//! permission checklist.

use crate::api::roles::{create_role, delete_role, list_roles, update_role};
use crate::model::{Permission, RoleSummary};
use crate::ui::components::{confirm, Busy, Flash, Notice, PermissionChecklist};
use leptos::prelude::*;

/// The roles page.
#[component]
pub fn Roles() -> impl IntoView {
    let busy = Busy::new();
    let version = RwSignal::new(0u32);
    let reload = move || version.update(|v| *v += 1);
    let roles = LocalResource::new(move || {
        version.track();
        list_roles()
    });
    let notice = RwSignal::new(None::<Notice>);
    // The role being edited; `None` while creating a new one.
    let editing = RwSignal::new(None::<i64>);
    let name = RwSignal::new(String::new());
    let permissions = RwSignal::new(Vec::<Permission>::new());
    let reset_form = move || {
        editing.set(None);
        name.set(String::new());
        permissions.set(vec![]);
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (n, p) = (name.get_untracked(), permissions.get_untracked());
        let id = editing.get_untracked();
        busy.run(async move {
            let result = match id {
                Some(id) => update_role(id, n.clone(), p).await,
                None => create_role(n.clone(), p).await.map(|_| ()),
            };
            let done = if id.is_some() { "saved" } else { "created" };
            notice.set(Some(Notice::of(&result, format!("Role {n} {done}"))));
            if result.is_ok() {
                reset_form();
                reload();
            }
        });
    };
    let edit = move |role: RoleSummary| {
        editing.set(Some(role.id));
        name.set(role.name);
        permissions.set(role.permissions);
    };
    let remove = move |role: RoleSummary| {
        if !confirm(&format!("Delete the role {}?", role.name)) {
            return;
        }
        busy.run(async move {
            let result = delete_role(role.id).await;
            notice.set(Some(Notice::of(
                &result,
                format!("Role {} deleted", role.name),
            )));
            reload();
        });
    };

    let rows = move || {
        roles.get().map(|result| match result {
            Err(e) => view! { <tr><td colspan="4" class="form-error">{e.message}</td></tr> }.into_any(),
            Ok(list) => list
                .into_iter()
                .map(|role| {
                    let badges = role
                        .permissions
                        .iter()
                        .map(|p| view! { <span class="badge">{p.as_str()}</span> })
                        .collect_view();
                    let actions = (!role.builtin).then(|| {
                        let (for_edit, for_delete) = (role.clone(), role.clone());
                        view! {
                            <button type="button" class="secondary" on:click=move |_| edit(for_edit.clone())>"Edit"</button>
                            <button type="button" class="danger" disabled=move || busy.get() on:click=move |_| remove(for_delete.clone())>"Delete"</button>
                        }
                    });
                    view! {
                        <tr>
                            <td>{role.name.clone()}{role.builtin.then(|| view! { " " <span class="badge badge-category">"built-in"</span> })}</td>
                            <td class="badges">{badges}</td>
                            <td>{role.members}</td>
                            <td class="row-actions">{actions}</td>
                        </tr>
                    }
                })
                .collect_view()
                .into_any(),
        })
    };

    view! {
        <section class="admin-page" aria-busy=move || busy.get().to_string()>
            <header class="page-header"><h1>"Roles"</h1></header>
            <Flash notice=notice />
            <div class="table-wrap">
                <table class="admin-table" aria-label="Roles">
                    <thead><tr>
                        <th scope="col">"Role"</th><th scope="col">"Permissions"</th>
                        <th scope="col">"Members"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <form class="card" on:submit=submit>
                <h2>{move || if editing.get().is_some() { "Edit role" } else { "New custom role" }}</h2>
                <label>"Role name" <input type="text" required maxlength="50" bind:value=name /></label>
                <PermissionChecklist choices=&Permission::ROLE_PERMISSIONS chosen=permissions legend="Permissions" />
                <div class="form-actions">
                    <button type="submit" class="primary" disabled=move || busy.get()>
                        {move || if editing.get().is_some() { "Save role" } else { "Create role" }}
                    </button>
                    <Show when=move || editing.get().is_some()>
                        <button type="button" class="secondary" on:click=move |_| reset_form()>"Cancel"</button>
                    </Show>
                </div>
            </form>
        </section>
    }
}
