//! `/members`: invite people with a role, change a member's role, remove members, withdraw
//! invitations.

use crate::api::members::{
    change_member_role, invite_member, list_invitations, list_members, remove_member,
    withdraw_invitation,
};
use crate::api::roles::list_roles;
use crate::model::{Access, CreatedInvitation, RoleSummary};
use crate::ui::auth::Auth;
use crate::ui::components::{confirm, Busy, CopyButton, Flash, Notice};
use crate::ui::time;
use leptos::prelude::*;

/// The role options of a `<select>`, with `selected` chosen: only roles holding nothing the
/// viewer lacks (the server refuses the others).
fn role_options(roles: &[RoleSummary], access: &Access, selected: i64) -> impl IntoView {
    roles
        .iter()
        .filter(|r| access.lacking(&r.permissions).is_none())
        .map(|r| view! { <option value=r.id.to_string() selected=r.id == selected>{r.name.clone()}</option> })
        .collect_view()
}

/// The full invitation link for the admin to hand over.
fn invitation_link(created: &CreatedInvitation) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}{}", created.path())
}

/// The members page.
#[component]
pub fn Members() -> impl IntoView {
    let busy = Busy::new();
    let auth = Auth::get();
    let me = move || auth.viewer.with(|v| v.as_ref().map_or(0, |v| v.user_id));
    let version = RwSignal::new(0u32);
    let reload = move || version.update(|v| *v += 1);
    let members = LocalResource::new(move || {
        version.track();
        list_members()
    });
    let invitations = LocalResource::new(move || {
        version.track();
        list_invitations()
    });
    let roles = LocalResource::new(list_roles);
    let notice = RwSignal::new(None::<Notice>);
    let created = RwSignal::new(None::<CreatedInvitation>);

    let email = RwSignal::new(String::new());
    let invite_role = RwSignal::new(String::new());
    let invite = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let role_id = invite_role.get_untracked().parse().unwrap_or(0);
        busy.run(async move {
            let result = invite_member(email.get_untracked(), role_id).await;
            notice.set(Some(Notice::of(&result, "Invitation created")));
            if let Ok(invitation) = result {
                email.set(String::new());
                created.set(Some(invitation));
                reload();
            }
        });
    };
    let change_role = move |user_id: i64, role_id: i64| {
        busy.run(async move {
            let result = change_member_role(user_id, role_id).await;
            notice.set(Some(Notice::of(&result, "Role changed")));
            reload();
        });
    };
    let remove = move |user_id: i64, email: String| {
        if !confirm(&format!("Remove {email} from this organization?")) {
            return;
        }
        busy.run(async move {
            let result = remove_member(user_id).await;
            notice.set(Some(Notice::of(&result, format!("{email} was removed"))));
            reload();
        });
    };
    let withdraw = move |id: i64| {
        busy.run(async move {
            let result = withdraw_invitation(id).await;
            notice.set(Some(Notice::of(&result, "Invitation withdrawn")));
            reload();
        });
    };

    let role_list = move || roles.get().and_then(Result::ok).unwrap_or_default();
    let access = move || auth.viewer.with(|v| v.as_ref().map(|v| v.access.clone()));
    let member_rows = move || {
        let me = me();
        let roles = role_list();
        let access = access()?;
        members.get().map(|result| match result {
            Err(e) => view! { <tr><td colspan="5" class="form-error">{e.message}</td></tr> }.into_any(),
            Ok(list) => list
                .into_iter()
                .map(|m| {
                    let (id, email) = (m.user_id, m.email.clone());
                    // A member whose role holds more than the viewer is out of their reach.
                    let above_me = roles
                        .iter()
                        .find(|r| r.id == m.role_id)
                        .is_none_or(|r| access.lacking(&r.permissions).is_some());
                    let managed = m.user_id != me && !above_me;
                    let role_cell = if m.user_id == me {
                        view! { <span>{m.role.clone()}" (you)"</span> }.into_any()
                    } else if above_me {
                        view! { <span>{m.role.clone()}</span> }.into_any()
                    } else {
                        view! {
                            <select aria-label=format!("Role of {}", m.email)
                                on:change=move |ev| change_role(id, event_target_value(&ev).parse().unwrap_or(0))>
                                {role_options(&roles, &access, m.role_id)}
                            </select>
                        }
                        .into_any()
                    };
                    view! {
                        <tr>
                            <td>{m.display_name.clone()}</td>
                            <td>{m.email.clone()}</td>
                            <td>{role_cell}</td>
                            <td>{time::local(m.joined_at)}</td>
                            <td class="row-actions">
                                <Show when=move || managed>
                                    <button type="button" class="danger" disabled=move || busy.get()
                                        on:click={
                                            let email = email.clone();
                                            move |_| remove(id, email.clone())
                                        }>"Remove"</button>
                                </Show>
                            </td>
                        </tr>
                    }
                })
                .collect_view()
                .into_any(),
        })
    };
    let invitation_rows = move || {
        invitations.get().and_then(Result::ok).map(|list| {
            if list.is_empty() {
                return view! { <tr><td colspan="4" class="muted">"No pending invitations."</td></tr> }.into_any();
            }
            list.into_iter()
                .map(|i| {
                    let id = i.id;
                    view! {
                        <tr>
                            <td>{i.email}</td>
                            <td>{i.role}</td>
                            <td>{time::local(i.expires_at)}</td>
                            <td class="row-actions">
                                <button type="button" class="secondary" disabled=move || busy.get() on:click=move |_| withdraw(id)>"Withdraw"</button>
                            </td>
                        </tr>
                    }
                })
                .collect_view()
                .into_any()
        })
    };

    view! {
        <section class="admin-page" aria-busy=move || busy.get().to_string()>
            <header class="page-header"><h1>"Members"</h1></header>
            <Flash notice=notice />
            <form class="card inline-form" on:submit=invite>
                <h2>"Invite a member"</h2>
                <label>"Email" <input type="email" required bind:value=email /></label>
                <label>
                    "Role"
                    <select required on:change=move |ev| invite_role.set(event_target_value(&ev))>
                        <option value="">"Choose a role"</option>
                        {move || access().map(|access| role_options(&role_list(), &access, 0))}
                    </select>
                </label>
                <button type="submit" class="primary" disabled=move || busy.get()>"Invite"</button>
            </form>
            {move || created.get().map(|c| {
                let link = invitation_link(&c);
                view! {
                    <div class="card secret-box" role="status">
                        <p>"Send this single-use link to "<strong>{c.invitation.email.clone()}</strong>
                           ". It expires "{time::local(c.invitation.expires_at)}"."</p>
                        <code class="secret" data-testid="invitation-link">{link.clone()}</code>
                        <CopyButton text=link label="Copy link" />
                    </div>
                }
            })}
            <h2>"Members"</h2>
            <div class="table-wrap">
                <table class="admin-table" aria-label="Members">
                    <thead><tr>
                        <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th>
                        <th scope="col">"Joined"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr></thead>
                    <tbody>{member_rows}</tbody>
                </table>
            </div>
            <h2>"Pending invitations"</h2>
            <div class="table-wrap">
                <table class="admin-table" aria-label="Pending invitations">
                    <thead><tr>
                        <th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Expires"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr></thead>
                    <tbody>{invitation_rows}</tbody>
                </table>
            </div>
        </section>
    }
}
