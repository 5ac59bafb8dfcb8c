//! The organization's members and invitations (permission `members:manage`).

use crate::model::{ApiError, CreatedInvitation, InvitationSummary, MemberSummary};
#[cfg(feature = "ssr")]
pub use backend::MembersBackend;
use leptos::server;
use leptos::server_fn::codec::Json;

/// The organization's members, by email.
#[server(endpoint = "members/list", input = Json)]
pub async fn list_members() -> Result<Vec<MemberSummary>, ApiError> {
    use super::context::{answer, RequestContext};
    answer(
        async {
            let (ctx, me) = RequestContext::signed_in()?;
            ctx.backend.members(&me).await
        }
        .await,
    )
}

/// Invitations not yet accepted, newest first.
#[server(endpoint = "members/invitations", input = Json)]
pub async fn list_invitations() -> Result<Vec<InvitationSummary>, ApiError> {
    use super::context::{answer, RequestContext};
    answer(
        async {
            let (ctx, me) = RequestContext::signed_in()?;
            ctx.backend.invitations(&me).await
        }
        .await,
    )
}

/// Invites an email with a role; answers the single-use link to hand to the invitee.
#[server(endpoint = "members/invite", input = Json)]
pub async fn invite_member(email: String, role_id: i64) -> Result<CreatedInvitation, ApiError> {
    use super::context::{answer, RequestContext};
    answer(
        async {
            let (ctx, me) = RequestContext::signed_in()?;
            ctx.backend.invite(&me, &email, role_id).await
        }
        .await,
    )
}

/// Withdraws a pending invitation.
#[server(endpoint = "members/withdraw_invitation", input = Json)]
pub async fn withdraw_invitation(id: i64) -> Result<(), ApiError> {
    use super::context::{answer, RequestContext};
    answer(
        async {
            let (ctx, me) = RequestContext::signed_in()?;
            ctx.backend.withdraw_invitation(&me, id).await
        }
        .await,
    )
}

/// Gives a member another role.
#[server(endpoint = "members/change_role", input = Json)]
pub async fn change_member_role(user_id: i64, role_id: i64) -> Result<(), ApiError> {
    use super::context::{answer, RequestContext};
    answer(
        async {
            let (ctx, me) = RequestContext::signed_in()?;
            ctx.backend.change_member_role(&me, user_id, role_id).await
        }
        .await,
    )
}

/// Removes a member from the organization (their account stays).
#[server(endpoint = "members/remove", input = Json)]
pub async fn remove_member(user_id: i64) -> Result<(), ApiError> {
    use super::context::{answer, RequestContext};
    answer(
        async {
            let (ctx, me) = RequestContext::signed_in()?;
            ctx.backend.remove_member(&me, user_id).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
mod backend {
    use crate::model::{ApiError, CreatedInvitation, InvitationSummary, MemberSummary, Requester};
    use async_trait::async_trait;

    /// Members and invitations; each call checks `members:manage`.
    #[async_trait]
    pub trait MembersBackend: Send + Sync + 'static {
        async fn members(&self, requester: &Requester) -> Result<Vec<MemberSummary>, ApiError>;
        async fn invitations(
            &self,
            requester: &Requester,
        ) -> Result<Vec<InvitationSummary>, ApiError>;
        async fn invite(
            &self,
            requester: &Requester,
            email: &str,
            role_id: i64,
        ) -> Result<CreatedInvitation, ApiError>;
        async fn withdraw_invitation(&self, requester: &Requester, id: i64)
            -> Result<(), ApiError>;
        async fn change_member_role(
            &self,
            requester: &Requester,
            user_id: i64,
            role_id: i64,
        ) -> Result<(), ApiError>;
        async fn remove_member(&self, requester: &Requester, user_id: i64) -> Result<(), ApiError>;
    }
}
