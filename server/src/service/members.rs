//! Members and invitations of an organization (permission `members:manage`).

use super::authorization::check_within;
use super::passwords::random_token;
use super::self_audit::{user_id, OwnEvent};
use super::Services;
use crate::digest::sha256_hex;
use crate::store::{IdentityTx, Member, NewInvitation, Role};
use app::api::backend::MembersBackend;
use app::model::{
    ApiError, CreatedInvitation, ErrorCode, InvitationSummary, MemberSummary, Permission, Requester,
};
use async_trait::async_trait;
use chrono::{Duration, Utc};

/// How long an invitation link works.
const INVITATION_TTL: Duration = Duration::days(7);

/// The longest email address (RFC 5321's path limit).
pub const MAX_EMAIL_LEN: usize = 254;

/// A plausible email address: one `@` with text on both sides, no spaces, at most
/// [`MAX_EMAIL_LEN`] bytes.
pub fn check_email(email: &str) -> Result<(), ApiError> {
    let valid = email.len() <= MAX_EMAIL_LEN
        && !email.contains(char::is_whitespace)
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.contains('@'));
    if valid {
        Ok(())
    } else {
        Err(ApiError::invalid("email is not an email address").with_field("email"))
    }
}

fn not_yourself(requester: &Requester, user_id: i64, what: &str) -> Result<(), ApiError> {
    if requester.viewer.user_id == user_id {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            format!("you cannot {what} yourself: ask another member who manages members"),
        ));
    }
    Ok(())
}

/// A role of the requester's organization, read in `tx` so the checks made on it hold until the
/// change commits; 404 naming `field`.
pub(super) async fn org_role(
    tx: &mut IdentityTx,
    requester: &Requester,
    id: i64,
    field: &str,
) -> Result<Role, ApiError> {
    tx.role(requester.viewer.access.org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("role").with_field(field))
}

/// A member of the requester's organization, read in `tx`; 404 when there is none.
async fn org_member(
    tx: &mut IdentityTx,
    requester: &Requester,
    user_id: i64,
) -> Result<Member, ApiError> {
    tx.member(requester.viewer.access.org_id, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("member"))
}

#[async_trait]
impl MembersBackend for Services {
    async fn members(&self, requester: &Requester) -> Result<Vec<MemberSummary>, ApiError> {
        requester.viewer.access.require(Permission::MembersManage)?;
        let org = requester.viewer.access.org_id;
        Ok(self.stores.identity.members(org).await?)
    }

    async fn invitations(&self, requester: &Requester) -> Result<Vec<InvitationSummary>, ApiError> {
        requester.viewer.access.require(Permission::MembersManage)?;
        let org = requester.viewer.access.org_id;
        Ok(self
            .stores
            .identity
            .pending_invitations(org, Utc::now())
            .await?)
    }

    async fn invite(
        &self,
        requester: &Requester,
        email: &str,
        role_id: i64,
    ) -> Result<CreatedInvitation, ApiError> {
        let access = &requester.viewer.access;
        access.require(Permission::MembersManage)?;
        let email = email.trim();
        check_email(email)?;
        let org = access.org_id;
        let identity = &self.stores.identity;
        let existing = identity.user_by_email(email).await?;
        let mut tx = identity.begin().await?;
        let role = org_role(&mut tx, requester, role_id, "role_id").await?;
        check_within(
            access,
            &role.permissions,
            &format!("invite with the role {}", role.name),
        )
        .map_err(|e| e.with_field("role_id"))?;
        if let Some(user) = &existing {
            if tx.member(org, user.id).await?.is_some() {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    format!("{email} is already a member"),
                )
                .with_field("email"));
            }
        }
        let token = random_token();
        let invitation = tx
            .create_invitation(&NewInvitation {
                org_id: org,
                email,
                role_id: role.id,
                token_hash: &sha256_hex(token.as_bytes()),
                invited_by: requester.viewer.user_id,
                expires_at: Utc::now() + INVITATION_TTL,
            })
            .await?;
        let target_id = existing.map_or_else(
            || format!("invitation_{}", invitation.summary.id),
            |user| user_id(user.id),
        );
        let event = OwnEvent::by("user.invited", requester)
            .target("user", target_id, email)
            .detail("role", role.name);
        Self::stage(&mut tx, org, &requester.client, event).await?;
        self.commit(tx).await?;
        Ok(CreatedInvitation {
            invitation: invitation.summary,
            token,
        })
    }

    async fn withdraw_invitation(&self, requester: &Requester, id: i64) -> Result<(), ApiError> {
        let access = &requester.viewer.access;
        access.require(Permission::MembersManage)?;
        let org = access.org_id;
        let identity = &self.stores.identity;
        let pending = identity.pending_invitations(org, Utc::now()).await?;
        let invitation = pending
            .into_iter()
            .find(|i| i.id == id)
            .ok_or_else(|| ApiError::not_found("invitation"))?;
        if let Some(role) = identity.role_by_name(org, &invitation.role).await? {
            check_within(access, &role.permissions, "withdraw this invitation")?;
        }
        let mut tx = identity.begin().await?;
        if !tx.delete_invitation(org, id).await? {
            return Err(ApiError::not_found("invitation"));
        }
        let event = OwnEvent::by("org.invitation.withdrawn", requester).target(
            "user",
            format!("invitation_{id}"),
            &invitation.email,
        );
        Self::stage(&mut tx, org, &requester.client, event).await?;
        self.commit(tx).await
    }

    async fn change_member_role(
        &self,
        requester: &Requester,
        user_id: i64,
        role_id: i64,
    ) -> Result<(), ApiError> {
        let access = &requester.viewer.access;
        access.require(Permission::MembersManage)?;
        not_yourself(requester, user_id, "change the role of")?;
        let mut tx = self.stores.identity.begin().await?;
        let member = org_member(&mut tx, requester, user_id).await?;
        check_within(
            access,
            &member.role.permissions,
            &format!("change the role of a member who is {}", member.role.name),
        )?;
        let role = org_role(&mut tx, requester, role_id, "role_id").await?;
        check_within(
            access,
            &role.permissions,
            &format!("give the role {}", role.name),
        )
        .map_err(|e| e.with_field("role_id"))?;
        let org = access.org_id;
        if !tx.set_member_role(org, user_id, role.id).await? {
            return Err(ApiError::not_found("member"));
        }
        let event = OwnEvent::by("user.role_edited", requester)
            .user_target(&member.user)
            .detail("role", role.name.clone())
            .change("role", member.role.name, role.name);
        Self::stage(&mut tx, org, &requester.client, event).await?;
        self.commit(tx).await
    }

    async fn remove_member(&self, requester: &Requester, user_id: i64) -> Result<(), ApiError> {
        let access = &requester.viewer.access;
        access.require(Permission::MembersManage)?;
        not_yourself(requester, user_id, "remove")?;
        let mut tx = self.stores.identity.begin().await?;
        let member = org_member(&mut tx, requester, user_id).await?;
        check_within(
            access,
            &member.role.permissions,
            &format!("remove a member who is {}", member.role.name),
        )?;
        let org = access.org_id;
        if !tx.remove_member(org, user_id).await? {
            return Err(ApiError::not_found("member"));
        }
        let event = OwnEvent::by("user.deleted", requester)
            .user_target(&member.user)
            .detail("role", member.role.name);
        Self::stage(&mut tx, org, &requester.client, event).await?;
        self.commit(tx).await
    }
}

#[cfg(test)]
mod tests {
    use super::check_email;

    #[test]
    fn emails_need_one_at_and_a_dotted_domain() {
        for good in ["bob@acme.com", "a.b+tag@mail.acme.co.uk"] {
            assert!(check_email(good).is_ok(), "{good}");
        }
        for bad in [
            "bob",
            "@acme.com",
            "bob@acme",
            "bob@@acme.com",
            "bo b@acme.com",
            "",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }
}
