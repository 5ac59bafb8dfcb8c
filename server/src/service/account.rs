//! A person's own account: changing and resetting the password, accepting an invitation.

use super::members::MAX_EMAIL_LEN;
use super::passwords::{check_new_password, hash_password, password_matches, random_token};
use super::rate_limit::Door;
use super::self_audit::{system_actor, user_actor, OwnEvent};
use super::Services;
use crate::digest::sha256_hex;
use crate::store::{IdentityTx, Invitation, User};
use app::api::backend::{AccountBackend, SignedIn};
use app::model::{ApiError, ClientInfo, ErrorCode, InvitationPreview, Requester, Viewer};
use async_trait::async_trait;
use chrono::{Duration, Utc};

/// How long a password reset link works.
const RESET_LINK_TTL: Duration = Duration::hours(1);

fn bad_invitation() -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        "This invitation link is invalid, was already used, or has expired",
    )
    .with_field("token")
}

impl Services {
    /// The user behind a requester.
    async fn requesting_user(&self, requester: &Requester) -> Result<User, ApiError> {
        self.stores
            .identity
            .user_by_id(requester.viewer.user_id)
            .await?
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "your account no longer exists"))
    }

    /// Stages an event about `user`'s own account in each of their organizations.
    async fn stage_for_user(
        &self,
        tx: &mut IdentityTx,
        user: &User,
        client: &ClientInfo,
        event: impl Fn() -> OwnEvent,
    ) -> Result<(), ApiError> {
        let memberships = self.stores.identity.memberships(user.id).await?;
        let orgs: Vec<_> = memberships.into_iter().map(|m| m.organization).collect();
        Self::stage_in_each(tx, &orgs, client, event).await
    }

    /// The open invitation behind a token.
    async fn open_invitation(&self, token: &str) -> Result<Invitation, ApiError> {
        self.stores
            .identity
            .open_invitation(&sha256_hex(token.as_bytes()), Utc::now())
            .await?
            .ok_or_else(bad_invitation)
    }

    /// Issues a single-use, one-hour password reset link's token for the account with this
    /// email (the operator's `auditrail user reset-link`); recorded in the user's organizations.
    pub async fn issue_reset_token(&self, email: &str) -> Result<String, ApiError> {
        let user = self
            .stores
            .identity
            .user_by_email(email.trim())
            .await?
            .ok_or_else(|| ApiError::not_found("user").with_field("email"))?;
        let token = random_token();
        let mut tx = self.stores.identity.begin().await?;
        tx.create_password_reset(
            &sha256_hex(token.as_bytes()),
            user.id,
            Utc::now() + RESET_LINK_TTL,
        )
        .await?;
        let no_client = ClientInfo::default();
        self.stage_for_user(&mut tx, &user, &no_client, || {
            OwnEvent::new("user.password_reset_requested", system_actor())
                .user_target(&user)
                .detail("via", "operator command")
        })
        .await?;
        self.commit(tx).await?;
        Ok(token)
    }
}

#[async_trait]
impl AccountBackend for Services {
    async fn change_password(
        &self,
        requester: &Requester,
        keep_session: &str,
        current: &str,
        new_password: &str,
    ) -> Result<(), ApiError> {
        let user = self.requesting_user(requester).await?;
        if !password_matches(user.password_hash.clone(), current.to_owned()).await? {
            return Err(ApiError::invalid("The current password is wrong").with_field("current"));
        }
        check_new_password(new_password, "new_password")?;
        let hash = hash_password(new_password.to_owned()).await?;
        let mut tx = self.stores.identity.begin().await?;
        tx.set_password(user.id, &hash).await?;
        let keep = sha256_hex(keep_session.as_bytes());
        tx.delete_user_sessions(user.id, Some(&keep)).await?;
        self.stage_for_user(&mut tx, &user, &requester.client, || {
            OwnEvent::by("user.password_edited", requester).detail("via", "account settings")
        })
        .await?;
        self.commit(tx).await
    }

    async fn request_password_reset(
        &self,
        email: &str,
        client: &ClientInfo,
    ) -> Result<(), ApiError> {
        let email = email.trim();
        if email.len() > MAX_EMAIL_LEN {
            return Err(ApiError::invalid("email is not an email address").with_field("email"));
        }
        self.limits
            .check(Door::PasswordReset, client.ip.as_deref(), email)?;
        let Some(user) = self.stores.identity.user_by_email(email).await? else {
            return Ok(());
        };
        // No mail server: the request is recorded, and an operator issues the link with
        // `auditrail user reset-link` after checking who asks.
        let mut tx = self.stores.identity.begin().await?;
        self.stage_for_user(&mut tx, &user, client, || {
            OwnEvent::new("user.password_reset_requested", user_actor(&user))
                .user_target(&user)
                .detail("via", "sign-in page")
        })
        .await?;
        self.commit(tx).await
    }

    async fn reset_password(
        &self,
        token: &str,
        new_password: &str,
        client: &ClientInfo,
    ) -> Result<(), ApiError> {
        check_new_password(new_password, "new_password")?;
        let hash = hash_password(new_password.to_owned()).await?;
        let expired = || {
            ApiError::invalid("This reset link is invalid, was already used, or has expired")
                .with_field("token")
        };
        let identity = &self.stores.identity;
        let mut tx = identity.begin().await?;
        let user_id = tx
            .take_password_reset(&sha256_hex(token.as_bytes()), Utc::now())
            .await?
            .ok_or_else(expired)?;
        let user = identity.user_by_id(user_id).await?.ok_or_else(expired)?;
        tx.set_password(user.id, &hash).await?;
        tx.delete_user_sessions(user.id, None).await?;
        tx.clear_failed_sign_ins(&user.email.to_lowercase()).await?;
        self.stage_for_user(&mut tx, &user, client, || {
            OwnEvent::new("user.password_edited", user_actor(&user)).detail("via", "reset link")
        })
        .await?;
        self.commit(tx).await
    }

    async fn invitation(
        &self,
        token: &str,
        viewer: Option<&Viewer>,
    ) -> Result<InvitationPreview, ApiError> {
        let invitation = self.open_invitation(token).await?;
        let signed_in_as_invitee =
            viewer.is_some_and(|v| v.email.eq_ignore_ascii_case(&invitation.summary.email));
        Ok(InvitationPreview {
            org_name: invitation.org_name,
            email: invitation.summary.email,
            role: invitation.summary.role,
            signed_in_as_invitee,
        })
    }

    async fn accept_invitation(
        &self,
        token: &str,
        display_name: &str,
        password: &str,
        viewer: Option<&Viewer>,
        client: &ClientInfo,
        device: Option<&str>,
    ) -> Result<SignedIn, ApiError> {
        let token_hash = sha256_hex(token.as_bytes());
        self.limits.check(
            Door::InvitationAcceptance,
            client.ip.as_deref(),
            &token_hash,
        )?;
        let invitation = self.open_invitation(token).await?;
        let identity = &self.stores.identity;
        let email = &invitation.summary.email;
        let existing = identity.user_by_email(email).await?;
        let mut tx = identity.begin().await?;
        let user = match existing {
            // An existing account accepts while signed in as itself: no password is checked
            // here, so an invitation is no door for guessing one.
            Some(user) if viewer.is_some_and(|v| v.user_id == user.id) => user,
            Some(_) => {
                return Err(ApiError::new(
                    ErrorCode::Unauthorized,
                    format!("Sign in as {email} first, then open this invitation link again"),
                )
                .with_field("token"))
            }
            None => {
                let name = display_name.trim();
                if name.is_empty() || name.chars().count() > 100 {
                    return Err(ApiError::invalid("name must be 1 to 100 characters")
                        .with_field("display_name"));
                }
                check_new_password(password, "password")?;
                let hash = hash_password(password.to_owned()).await?;
                let user = tx.create_user(email, name, &hash).await?;
                let event = OwnEvent::new("user.signed_up", user_actor(&user))
                    .detail("role", invitation.summary.role.clone());
                Self::stage(&mut tx, invitation.org_id, client, event).await?;
                user
            }
        };
        if !tx.accept_invitation(&invitation, user.id).await? {
            return Err(bad_invitation());
        }
        let event = OwnEvent::new("org.invitation.accepted", user_actor(&user))
            .user_target(&user)
            .detail("role", invitation.summary.role.clone());
        Self::stage(&mut tx, invitation.org_id, client, event).await?;
        self.commit(tx).await?;
        let mut tx = identity.begin().await?;
        let signed_in = self
            .open_session(&mut tx, &user, Some(invitation.org_id), client, device)
            .await?;
        self.commit(tx).await?;
        Ok(signed_in)
    }
}
