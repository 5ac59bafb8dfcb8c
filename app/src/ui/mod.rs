//! The browser app: the router, the signed-in state, and one page per route.

mod auth;
mod chunks;
mod components;
mod live;
mod navigation;
mod pages;
mod time;
mod url;

use crate::model::Permission;
use auth::{Auth, RequirePermission, RequireViewer};
use chunks::split_page;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The whole SPA.
#[component]
pub fn App() -> impl IntoView {
    let auth = Auth::load();
    provide_context(auth);
    view! {
        <Router>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/") view=pages::Home />
                <Route path=path!("/login") view=pages::Login />
                <Route path=path!("/forgot-password") view=|| split_page(chunks::forgot_password) />
                <Route path=path!("/reset-password/:token") view=|| split_page(chunks::reset_password) />
                <Route path=path!("/invite/:token") view=|| split_page(chunks::invitation) />
                <Route
                    path=path!("/audit-logs")
                    view=|| view! {
                        <RequireViewer>
                            <RequirePermission permission=Permission::AuditLogsRead what="security logs">
                                <pages::AuditLogs />
                            </RequirePermission>
                        </RequireViewer>
                    }
                />
                <Route
                    path=path!("/members")
                    view=|| view! {
                        <RequireViewer>
                            <RequirePermission permission=Permission::MembersManage what="members">
                                {split_page(chunks::members)}
                            </RequirePermission>
                        </RequireViewer>
                    }
                />
                <Route
                    path=path!("/roles")
                    view=|| view! {
                        <RequireViewer>
                            <RequirePermission permission=Permission::RolesManage what="roles">
                                {split_page(chunks::roles)}
                            </RequirePermission>
                        </RequireViewer>
                    }
                />
                <Route
                    path=path!("/api-keys")
                    view=|| view! {
                        <RequireViewer>
                            <RequirePermission permission=Permission::ApiKeysManage what="API keys">
                                {split_page(chunks::api_keys)}
                            </RequirePermission>
                        </RequireViewer>
                    }
                />
                <Route
                    path=path!("/log-streams")
                    view=|| view! {
                        <RequireViewer>
                            <RequirePermission permission=Permission::WebhooksManage what="log streams">
                                {split_page(chunks::log_streams)}
                            </RequirePermission>
                        </RequireViewer>
                    }
                />
                <Route
                    path=path!("/settings")
                    view=|| view! {
                        <RequireViewer>
                            <RequirePermission permission=Permission::SettingsManage what="settings">
                                {split_page(chunks::settings)}
                            </RequirePermission>
                        </RequireViewer>
                    }
                />
                <Route
                    path=path!("/account")
                    view=|| view! { <RequireViewer>{split_page(chunks::account)}</RequireViewer> }
                />
            </Routes>
        </Router>
    }
}
