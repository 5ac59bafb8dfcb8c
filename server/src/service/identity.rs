//! Organizations, members, passwords, sessions and API keys: who may call, and as what.

use super::Services;
use crate::digest::sha256_hex;
use crate::store::{ApiKey, Member, NewSession, Organization, User};
use app::model::{Access, ApiError, ErrorCode, Permission, Plan, Viewer};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{Duration, Utc};
use rand::distributions::{Alphanumeric, DistString};
use rand::rngs::OsRng;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "auditrail_session";
/// Prefix of every API key, so leaked keys are recognisable by secret scanners.
const API_KEY_PREFIX: &str = "atr_";

/// The built-in roles every organization starts with.
const BUILTIN_ROLES: [(&str, &[Permission]); 3] = [
    ("admin", &Permission::ROLE_PERMISSIONS),
    ("account_manager", &[Permission::MembersManage]),
    ("finance", &[]),
];

/// How sessions live and how their cookie is marked.
#[derive(Clone, Debug)]
pub struct SessionSettings {
    /// How long a session lasts after sign-in.
    pub ttl: Duration,
    /// Mark the cookie `Secure` (when served over TLS).
    pub secure_cookie: bool,
}

/// A random password for a generated account.
pub fn generate_password() -> String {
    Alphanumeric.sample_string(&mut OsRng, 20)
}

fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| ApiError::internal())
}

fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn invalid_credentials() -> ApiError {
    ApiError::new(ErrorCode::Unauthorized, "Invalid email or password")
}

fn viewer(member: Member) -> Viewer {
    Viewer {
        user_id: member.user.id,
        email: member.user.email,
        display_name: member.user.display_name,
        org_name: member.organization.name,
        role: member.role.name,
        access: Access {
            org_id: member.organization.id,
            org_slug: member.organization.slug,
            plan: member.organization.plan,
            permissions: member.role.permissions,
        },
    }
}

fn valid_slug(slug: &str) -> bool {
    (2..=40).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Services {
    /// Creates an organization with the built-in roles and the plan's default retention.
    pub async fn create_organization(
        &self,
        slug: &str,
        name: &str,
        plan: Plan,
    ) -> Result<Organization, ApiError> {
        if !valid_slug(slug) {
            return Err(
                ApiError::invalid("slug must be 2-40 characters of a-z, 0-9 and -")
                    .with_field("slug"),
            );
        }
        if name.trim().is_empty() {
            return Err(ApiError::invalid("name must not be empty").with_field("name"));
        }
        let retention = plan.max_retention_days().min(90);
        let org = self
            .stores
            .identity
            .create_organization(slug, name.trim(), plan, retention)
            .await?;
        for (role, permissions) in BUILTIN_ROLES {
            self.stores
                .identity
                .create_role(org.id, role, permissions, true)
                .await?;
        }
        Ok(org)
    }

    /// The organization with this slug, or 404.
    pub async fn organization(&self, slug: &str) -> Result<Organization, ApiError> {
        self.stores
            .identity
            .organization_by_slug(slug)
            .await?
            .ok_or_else(|| ApiError::not_found("organization"))
    }

    /// Creates a custom role.
    pub async fn create_custom_role(
        &self,
        org: &Organization,
        name: &str,
        permissions: &[Permission],
    ) -> Result<(), ApiError> {
        self.stores
            .identity
            .create_role(org.id, name, permissions, false)
            .await?;
        Ok(())
    }

    /// Adds a member with a role, creating the user (with `password`) if the email is new.
    pub async fn add_member(
        &self,
        org: &Organization,
        email: &str,
        display_name: &str,
        role_name: &str,
        password: &str,
    ) -> Result<User, ApiError> {
        let email = email.trim();
        if !email.contains('@') || email.len() > 254 {
            return Err(ApiError::invalid("email is not an email address").with_field("email"));
        }
        if password.len() < 8 {
            return Err(
                ApiError::invalid("password must be at least 8 characters").with_field("password")
            );
        }
        let role = self
            .stores
            .identity
            .role_by_name(org.id, role_name)
            .await?
            .ok_or_else(|| ApiError::not_found("role").with_field("role"))?;
        let user = match self.stores.identity.user_by_email(email).await? {
            Some(user) => user,
            None => {
                let hash = hash_password(password)?;
                self.stores
                    .identity
                    .create_user(email, display_name, &hash)
                    .await?
            }
        };
        self.stores
            .identity
            .add_member(org.id, user.id, role.id)
            .await?;
        Ok(user)
    }

    /// Creates an API key; answers it and its full secret, which is never shown again.
    pub async fn create_api_key(
        &self,
        org: &Organization,
        name: &str,
        scopes: &[Permission],
    ) -> Result<(ApiKey, String), ApiError> {
        if name.trim().is_empty() {
            return Err(ApiError::invalid("name must not be empty").with_field("name"));
        }
        if scopes.is_empty()
            || scopes
                .iter()
                .any(|s| !Permission::API_KEY_SCOPES.contains(s))
        {
            return Err(ApiError::invalid(
                "scopes must be some of events:write, audit_logs:read, audit_logs:export",
            )
            .with_field("scopes"));
        }
        let secret = format!(
            "{API_KEY_PREFIX}{}",
            Alphanumeric.sample_string(&mut OsRng, 40)
        );
        let last4 = &secret[secret.len() - 4..];
        let key = self
            .stores
            .identity
            .create_api_key(
                org.id,
                name.trim(),
                scopes,
                &sha256_hex(secret.as_bytes()),
                last4,
            )
            .await?;
        Ok((key, secret))
    }

    /// The key and its access for a presented secret, or 401.
    pub async fn authenticate_api_key(&self, secret: &str) -> Result<(ApiKey, Access), ApiError> {
        let (key, org) = self
            .stores
            .identity
            .api_key_by_secret_hash(&sha256_hex(secret.as_bytes()))
            .await?
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "invalid API key"))?;
        let access = Access {
            org_id: org.id,
            org_slug: org.slug,
            plan: org.plan,
            permissions: key.scopes.clone(),
        };
        Ok((key, access))
    }

    /// Checks a password and opens a session in the user's first organization; answers the
    /// session token (the cookie value) and the viewer.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<(String, Viewer), ApiError> {
        let Some(user) = self.stores.identity.user_by_email(email.trim()).await? else {
            // Spend the same effort as a real check, so response times do not reveal emails.
            let _ = hash_password(password);
            return Err(invalid_credentials());
        };
        if !password_matches(&user.password_hash, password) {
            return Err(invalid_credentials());
        }
        let member = self
            .stores
            .identity
            .memberships(user.id)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::new(ErrorCode::Forbidden, "you belong to no organization"))?;
        let token = Alphanumeric.sample_string(&mut OsRng, 43);
        self.stores
            .identity
            .create_session(&NewSession {
                token_hash: &sha256_hex(token.as_bytes()),
                user_id: user.id,
                org_id: member.organization.id,
                expires_at: Utc::now() + self.sessions.ttl,
            })
            .await?;
        Ok((token, viewer(member)))
    }

    /// The viewer behind a session token, if the session is open.
    pub async fn session_viewer(&self, token: &str) -> Result<Option<Viewer>, ApiError> {
        let member = self
            .stores
            .identity
            .session_member(&sha256_hex(token.as_bytes()), Utc::now())
            .await?;
        Ok(member.map(viewer))
    }

    /// Closes a session.
    pub async fn sign_out(&self, token: &str) -> Result<(), ApiError> {
        Ok(self
            .stores
            .identity
            .delete_session(&sha256_hex(token.as_bytes()))
            .await?)
    }

    /// The `Set-Cookie` value carrying a session token.
    pub fn session_cookie(&self, token: &str) -> String {
        self.cookie(token, self.sessions.ttl.num_seconds())
    }

    /// The `Set-Cookie` value that removes the session cookie.
    pub fn cleared_session_cookie(&self) -> String {
        self.cookie("", 0)
    }

    fn cookie(&self, value: &str, max_age: i64) -> String {
        let secure = if self.sessions.secure_cookie {
            "; Secure"
        } else {
            ""
        };
        format!(
            "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
        )
    }
}
