//! The browser app: the router, the signed-in state, and one page per route.

mod auth;
mod components;
mod live;
mod navigation;
mod pages;
mod time;
mod url;

use crate::model::Permission;
use auth::{Auth, RequirePermission, RequireViewer};
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
                <Route path=path!("/forgot-password") view=pages::ForgotPassword />
                <Route path=path!("/reset-password/:token") view=pages::ResetPassword />
                <Route path=path!("/invite/:token") view=pages::Invitation />
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
                                <pages::Members />
                            </RequirePermission>
                        </RequireViewer>
                    }
                />
                <Route
                    path=path!("/roles")
                    view=|| view! {
                        <RequireViewer>
                            <RequirePermission permission=Permission::RolesManage what="roles">
                                <pages::Roles />
                            </RequirePermission>
                        </RequireViewer>
                    }
                />
                <Route
                    path=path!("/api-keys")
                    view=|| view! {
                        <RequireViewer>
                            <RequirePermission permission=Permission::ApiKeysManage what="API keys">
                                <pages::ApiKeys />
                            </RequirePermission>
                        </RequireViewer>
                    }
                />
                <Route
                    path=path!("/log-streams")
                    view=|| view! {
                        <RequireViewer>
                            <RequirePermission permission=Permission::WebhooksManage what="log streams">
                                <pages::LogStreams />
                            </RequirePermission>
                        </RequireViewer>
                    }
                />
                <Route
                    path=path!("/settings")
                    view=|| view! {
                        <RequireViewer>
                            <RequirePermission permission=Permission::SettingsManage what="settings">
                                <pages::Settings />
                            </RequirePermission>
                        </RequireViewer>
                    }
                />
                <Route
                    path=path!("/account")
                    view=|| view! { <RequireViewer><pages::Account /></RequireViewer> }
                />
            </Routes>
        </Router>
    }
}
