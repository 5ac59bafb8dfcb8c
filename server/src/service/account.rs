//! A person's own account: changing and resetting the password, accepting an invitation.

use super::passwords::{check_new_password, hash_password, password_matches, random_token};
use super::self_audit::{user_actor, OwnEvent};
use super::Services;
use crate::digest::sha256_hex;
use crate::store::{Invitation, User};
use app::api::account::AccountBackend;
use app::api::session::SignedIn;
use app::model::{ApiError, ClientInfo, ErrorCode, InvitationPreview, Requester};
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

    /// Records an event about `user`'s own account in each of their organizations.
    async fn record_for_user(
        &self,
        user: &User,
        client: &ClientInfo,
        event: impl Fn() -> OwnEvent,
    ) -> Result<(), ApiError> {
        let memberships = self.stores.identity.memberships(user.id).await?;
        let orgs: Vec<_> = memberships.into_iter().map(|m| m.organization).collect();
        self.record_in_each(&orgs, client, event).await
    }

    /// The open invitation behind a token.
    async fn open_invitation(&self, token: &str) -> Result<Invitation, ApiError> {
        self.stores
            .identity
            .open_invitation(&sha256_hex(token.as_bytes()), Utc::now())
            .await?
            .ok_or_else(bad_invitation)
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
        if !password_matches(&user.password_hash, current) {
            return Err(ApiError::invalid("The current password is wrong").with_field("current"));
        }
        check_new_password(new_password, "new_password")?;
        let identity = &self.stores.identity;
        identity
            .set_password(user.id, &hash_password(new_password)?)
            .await?;
        let keep = sha256_hex(keep_session.as_bytes());
        identity.delete_user_sessions(user.id, Some(&keep)).await?;
        self.record_for_user(&user, &requester.client, || {
            OwnEvent::by("user.password_edited", requester).detail("via", "account settings")
        })
        .await
    }

    async fn request_password_reset(
        &self,
        email: &str,
        client: &ClientInfo,
    ) -> Result<(), ApiError> {
        let Some(user) = self.stores.identity.user_by_email(email.trim()).await? else {
            return Ok(());
        };
        let token = random_token();
        self.stores
            .identity
            .create_password_reset(
                &sha256_hex(token.as_bytes()),
                user.id,
                Utc::now() + RESET_LINK_TTL,
            )
            .await?;
        // No mail server: the operator hands this single-use, one-hour link to the user.
        tracing::info!(
            email = %user.email,
            "password reset requested; the link is /reset-password/{token}"
        );
        self.record_for_user(&user, client, || {
            OwnEvent::new("user.password_reset_requested", user_actor(&user))
        })
        .await
    }

    async fn reset_password(
        &self,
        token: &str,
        new_password: &str,
        client: &ClientInfo,
    ) -> Result<(), ApiError> {
        check_new_password(new_password, "new_password")?;
        let identity = &self.stores.identity;
        let expired = || {
            ApiError::invalid("This reset link is invalid, was already used, or has expired")
                .with_field("token")
        };
        let user_id = identity
            .take_password_reset(&sha256_hex(token.as_bytes()), Utc::now())
            .await?
            .ok_or_else(expired)?;
        let user = identity.user_by_id(user_id).await?.ok_or_else(expired)?;
        identity
            .set_password(user.id, &hash_password(new_password)?)
            .await?;
        identity.delete_user_sessions(user.id, None).await?;
        identity
            .clear_failed_sign_ins(&user.email.to_lowercase())
            .await?;
        self.record_for_user(&user, client, || {
            OwnEvent::new("user.password_edited", user_actor(&user)).detail("via", "reset link")
        })
        .await
    }

    async fn invitation(&self, token: &str) -> Result<InvitationPreview, ApiError> {
        let invitation = self.open_invitation(token).await?;
        let existing = self
            .stores
            .identity
            .user_by_email(&invitation.summary.email)
            .await?;
        Ok(InvitationPreview {
            org_name: invitation.org_name,
            email: invitation.summary.email,
            role: invitation.summary.role,
            existing_user: existing.is_some(),
        })
    }

    async fn accept_invitation(
        &self,
        token: &str,
        display_name: &str,
        password: &str,
        client: &ClientInfo,
        device: Option<&str>,
    ) -> Result<SignedIn, ApiError> {
        let invitation = self.open_invitation(token).await?;
        let identity = &self.stores.identity;
        let email = &invitation.summary.email;
        let user = match identity.user_by_email(email).await? {
            Some(user) if password_matches(&user.password_hash, password) => user,
            Some(_) => {
                return Err(ApiError::new(
                    ErrorCode::Unauthorized,
                    "Enter the password of your existing account",
                )
                .with_field("password"))
            }
            None => {
                let name = display_name.trim();
                if name.is_empty() || name.chars().count() > 100 {
                    return Err(ApiError::invalid("name must be 1 to 100 characters")
                        .with_field("display_name"));
                }
                check_new_password(password, "password")?;
                let user = identity
                    .create_user(email, name, &hash_password(password)?)
                    .await?;
                let event = OwnEvent::new("user.signed_up", user_actor(&user))
                    .detail("role", invitation.summary.role.clone());
                self.record(invitation.org_id, client, event).await?;
                user
            }
        };
        if !identity.accept_invitation(&invitation, user.id).await? {
            return Err(bad_invitation());
        }
        let event = OwnEvent::new("org.invitation.accepted", user_actor(&user))
            .user_target(&user)
            .detail("role", invitation.summary.role.clone());
        self.record(invitation.org_id, client, event).await?;
        self.open_session(&user, Some(invitation.org_id), client, device)
            .await
    }
}
