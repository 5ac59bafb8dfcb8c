//! Signing in and out: passwords, lockout after repeated failures, new-device detection,
//! sessions and their cookies.

use super::members::MAX_EMAIL_LEN;
use super::passwords::{hash_password, password_matches, random_token};
use super::rate_limit::Door;
use super::self_audit::{system_actor, user_actor, OwnEvent};
use super::user_agent::{browser, operating_system};
use super::Services;
use crate::digest::sha256_hex;
use crate::store::{IdentityTx, Member, NewSession, Organization, User};
use app::api::backend::Session;
use app::api::backend::{SessionBackend, SignedIn};
use app::model::{Access, ApiError, ClientInfo, ErrorCode, OrganizationChoice, Requester, Viewer};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "auditrail_session";
/// The name of the cookie that recognises a browser across sessions.
pub const DEVICE_COOKIE: &str = "auditrail_device";
/// How long a browser keeps its device cookie.
const DEVICE_COOKIE_SECONDS: i64 = 400 * 24 * 3600;

/// When repeated failed sign-ins lock an account.
#[derive(Clone, Debug)]
pub struct LockoutPolicy {
    /// Failures within `window` that lock the account.
    pub attempts: u32,
    /// How far back failures count.
    pub window: Duration,
    /// How long the lock lasts.
    pub duration: Duration,
}

/// How sessions live, how their cookie is marked, and when sign-ins lock.
#[derive(Clone, Debug)]
pub struct SessionSettings {
    /// How long a session lasts after sign-in.
    pub ttl: Duration,
    /// Mark cookies `Secure` (when served over TLS).
    pub secure_cookie: bool,
    pub lockout: LockoutPolicy,
}

impl Default for SessionSettings {
    /// 12-hour sessions, cookies without `Secure`, 5 failures in 15 minutes lock for 15.
    fn default() -> Self {
        Self {
            ttl: Duration::hours(12),
            secure_cookie: false,
            lockout: LockoutPolicy {
                attempts: 5,
                window: Duration::minutes(15),
                duration: Duration::minutes(15),
            },
        }
    }
}

fn invalid_credentials() -> ApiError {
    ApiError::new(ErrorCode::Unauthorized, "Invalid email or password")
}

fn locked(until: DateTime<Utc>, now: DateTime<Utc>) -> ApiError {
    let seconds = (until - now).num_seconds().max(1);
    let minutes = (seconds + 59).div_euclid(60);
    ApiError::new(
        ErrorCode::TooManyAttempts,
        format!(
            "This account is temporarily locked after too many failed sign-ins. \
             Try again in {minutes} minute{}.",
            if minutes == 1 { "" } else { "s" }
        ),
    )
    .retry_after(u64::try_from(seconds).unwrap_or(1))
}

fn organizations(memberships: &[Member]) -> Vec<Organization> {
    memberships.iter().map(|m| m.organization.clone()).collect()
}

impl Services {
    /// The viewer behind a session token, if the session is open.
    pub async fn session_viewer(&self, token: &str) -> Result<Option<Viewer>, ApiError> {
        let member = self
            .stores
            .identity
            .session_member(&sha256_hex(token.as_bytes()), Utc::now())
            .await?;
        match member {
            Some(member) => Ok(Some(self.viewer(member).await?)),
            None => Ok(None),
        }
    }

    /// A member as the SPA sees them, with the organizations they may switch to.
    async fn viewer(&self, member: Member) -> Result<Viewer, ApiError> {
        let organizations = self
            .stores
            .identity
            .memberships(member.user.id)
            .await?
            .into_iter()
            .map(|m| OrganizationChoice {
                slug: m.organization.slug,
                name: m.organization.name,
            })
            .collect();
        Ok(Viewer {
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
            organizations,
        })
    }

    /// Opens a session for a user whose credentials were checked, in `org_id` or their first
    /// organization, and stages the login (and a new device) in `tx`. `device` is the browser's
    /// device cookie, if it has one. The caller commits.
    pub(super) async fn open_session(
        &self,
        tx: &mut IdentityTx,
        user: &User,
        org_id: Option<i64>,
        client: &ClientInfo,
        device: Option<&str>,
    ) -> Result<SignedIn, ApiError> {
        let member = self
            .stores
            .identity
            .memberships(user.id)
            .await?
            .into_iter()
            .find(|m| org_id.is_none_or(|id| m.organization.id == id))
            .ok_or_else(|| ApiError::new(ErrorCode::Forbidden, "you belong to no organization"))?;
        let org = member.organization.id;
        let token = random_token();
        tx.create_session(&NewSession {
            token_hash: &sha256_hex(token.as_bytes()),
            user_id: user.id,
            org_id: org,
            expires_at: Utc::now() + self.sessions.ttl,
        })
        .await?;
        let device = device
            .filter(|d| d.len() == random_token().len())
            .map_or_else(random_token, str::to_owned);
        let new_device = tx
            .remember_device(user.id, &sha256_hex(device.as_bytes()))
            .await?;
        if new_device {
            let agent = client.user_agent.as_deref().unwrap_or_default();
            let event = OwnEvent::new("user.new_device_logged_in", user_actor(user))
                .detail("browser", browser(agent))
                .detail("os", operating_system(agent));
            Self::stage(tx, org, client, event).await?;
        }
        Self::stage(
            tx,
            org,
            client,
            OwnEvent::new("user.login", user_actor(user)),
        )
        .await?;
        Ok(SignedIn {
            viewer: self.viewer(member).await?,
            set_cookies: vec![
                self.cookie(SESSION_COOKIE, &token, self.sessions.ttl.num_seconds()),
                self.cookie(DEVICE_COOKIE, &device, DEVICE_COOKIE_SECONDS),
            ],
        })
    }

    /// Counts a sign-in attempt for `email` before its password is checked, in one statement,
    /// so parallel attempts cannot outrun the lockout: answers the lock error when the account
    /// is locked or this attempt is beyond the policy's count, else the attempt's number.
    async fn count_attempt(&self, email: &str) -> Result<i64, ApiError> {
        let now = Utc::now();
        let policy = &self.sessions.lockout;
        let mut tx = self.stores.identity.begin().await?;
        let (attempts, locked_until) = tx.count_sign_in_attempt(email, now, policy.window).await?;
        tx.commit().await?;
        match locked_until.filter(|until| *until > now) {
            Some(until) => Err(locked(until, now)),
            None if attempts > i64::from(policy.attempts) => {
                Err(locked(now + policy.duration, now))
            }
            None => Ok(attempts),
        }
    }

    /// Records a failed sign-in (attempt number `attempt`) of `email` in the user's
    /// organizations, and locks the account when the policy says so, all in one transaction.
    /// Answers the error to show.
    async fn failed_sign_in(
        &self,
        email: &str,
        attempt: i64,
        user: Option<&User>,
        client: &ClientInfo,
    ) -> Result<ApiError, ApiError> {
        let now = Utc::now();
        let policy = &self.sessions.lockout;
        let orgs = match user {
            Some(user) => organizations(&self.stores.identity.memberships(user.id).await?),
            None => vec![],
        };
        let mut tx = self.stores.identity.begin().await?;
        if let Some(user) = user {
            Self::stage_in_each(&mut tx, &orgs, client, || {
                OwnEvent::new("auth.login.failure", user_actor(user))
                    .user_target(user)
                    .detail("reason", "wrong password")
                    .failed()
            })
            .await?;
        }
        if attempt < i64::from(policy.attempts) {
            self.commit(tx).await?;
            return Ok(invalid_credentials());
        }
        let until = now + policy.duration;
        tx.lock_sign_ins(email, until).await?;
        if let Some(user) = user {
            Self::stage_in_each(&mut tx, &orgs, client, || {
                OwnEvent::new("security.brute_force.detected", system_actor())
                    .user_target(user)
                    .detail("failed_attempts", attempt)
                    .detail("window_minutes", policy.window.num_minutes())
            })
            .await?;
            Self::stage_in_each(&mut tx, &orgs, client, || {
                OwnEvent::new("security.account.lockout", system_actor())
                    .user_target(user)
                    .detail("locked_until", until.to_rfc3339())
            })
            .await?;
        }
        self.commit(tx).await?;
        Ok(locked(until, now))
    }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure when configured.
    fn cookie(&self, name: &str, value: &str, max_age: i64) -> String {
        let secure = if self.sessions.secure_cookie {
            "; Secure"
        } else {
            ""
        };
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
    }
}

#[async_trait]
impl SessionBackend for Services {
    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: &ClientInfo,
        device: Option<&str>,
    ) -> Result<SignedIn, ApiError> {
        let email = email.trim().to_lowercase();
        if email.len() > MAX_EMAIL_LEN {
            return Err(invalid_credentials());
        }
        self.limits
            .check(Door::SignIn, client.ip.as_deref(), &email)?;
        let attempt = self.count_attempt(&email).await?;
        let user = self.stores.identity.user_by_email(&email).await?;
        let matches = match &user {
            Some(user) => password_matches(user.password_hash.clone(), password.to_owned()).await?,
            None => {
                // Spend the same effort as a real check, so timing does not reveal emails.
                hash_password(password.to_owned()).await?;
                false
            }
        };
        match user {
            Some(user) if matches => {
                let mut tx = self.stores.identity.begin().await?;
                tx.clear_failed_sign_ins(&email).await?;
                let signed_in = self
                    .open_session(&mut tx, &user, None, client, device)
                    .await?;
                self.commit(tx).await?;
                Ok(signed_in)
            }
            user => Err(self
                .failed_sign_in(&email, attempt, user.as_ref(), client)
                .await?),
        }
    }

    async fn sign_out(&self, session: &Session, requester: &Requester) -> Result<String, ApiError> {
        let mut tx = self.stores.identity.begin().await?;
        tx.delete_session(&sha256_hex(session.token.as_bytes()))
            .await?;
        let event = OwnEvent::by("user.logout", requester);
        Self::stage(
            &mut tx,
            requester.viewer.access.org_id,
            &requester.client,
            event,
        )
        .await?;
        self.commit(tx).await?;
        Ok(self.cookie(SESSION_COOKIE, "", 0))
    }

    async fn switch_organization(&self, session: &Session, slug: &str) -> Result<Viewer, ApiError> {
        let not_found = || ApiError::not_found("organization");
        let org = self
            .stores
            .identity
            .organization_by_slug(slug)
            .await?
            .ok_or_else(not_found)?;
        let token_hash = sha256_hex(session.token.as_bytes());
        let mut tx = self.stores.identity.begin().await?;
        if !tx.switch_session(&token_hash, org.id).await? {
            return Err(not_found());
        }
        tx.commit().await?;
        self.session_viewer(&session.token)
            .await?
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "your session has ended"))
    }
}
