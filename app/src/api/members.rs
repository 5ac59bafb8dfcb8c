//! The organization's members and invitations (permission `members:manage`).

use crate::model::{ApiError, CreatedInvitation, InvitationSummary, MemberSummary};
use leptos::server;
use leptos::server_fn::codec::Json;

/// The organization's members, by email.
#[server(endpoint = "members/list", input = Json)]
pub async fn list_members() -> Result<Vec<MemberSummary>, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.members(&me).await }).await
}

/// Invitations not yet accepted, newest first.
#[server(endpoint = "members/invitations", input = Json)]
pub async fn list_invitations() -> Result<Vec<InvitationSummary>, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.invitations(&me).await }).await
}

/// Invites an email with a role; answers the single-use link to hand to the invitee.
#[server(endpoint = "members/invite", input = Json)]
pub async fn invite_member(email: String, role_id: i64) -> Result<CreatedInvitation, ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.invite(&me, &email, role_id).await }).await
}

/// Withdraws a pending invitation.
#[server(endpoint = "members/withdraw_invitation", input = Json)]
pub async fn withdraw_invitation(id: i64) -> Result<(), ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.withdraw_invitation(&me, id).await }).await
}

/// Gives a member another role.
#[server(endpoint = "members/change_role", input = Json)]
pub async fn change_member_role(user_id: i64, role_id: i64) -> Result<(), ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.change_member_role(&me, user_id, role_id).await })
        .await
}

/// Removes a member from the organization (their account stays).
#[server(endpoint = "members/remove", input = Json)]
pub async fn remove_member(user_id: i64) -> Result<(), ApiError> {
    use super::context::signed_in;
    signed_in(|ctx, me| async move { ctx.backend.remove_member(&me, user_id).await }).await
}
