//! Rate limits on the doors an attacker can knock on without credentials: sign-in, password
//! reset requests and invitation acceptance, per client address and per account. Counted in
//! memory per server process (a restart forgets them; the database-backed lockout does not).

use app::model::{ApiError, ErrorCode};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most keys remembered; beyond it, expired windows are dropped first.
const MAX_KEYS: usize = 100_000;

/// A limit: at most `requests` per `window`.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub requests: u32,
    pub window: Duration,
}

/// What is limited, each per client address and per account (email or token).
#[derive(Clone, Copy, Debug)]
pub enum Door {
    SignIn,
    PasswordReset,
    InvitationAcceptance,
}

impl Door {
    fn name(self) -> &'static str {
        match self {
            Self::SignIn => "sign-in",
            Self::PasswordReset => "password-reset",
            Self::InvitationAcceptance => "invitation",
        }
    }

    /// The limits per client address and per account.
    fn limits(self) -> (Limit, Limit) {
        let per = |requests, seconds| Limit {
            requests,
            window: Duration::from_secs(seconds),
        };
        match self {
            Self::SignIn => (per(60, 60), per(20, 60)),
            Self::PasswordReset => (per(10, 3600), per(3, 3600)),
            Self::InvitationAcceptance => (per(20, 60), per(5, 60)),
        }
    }
}

/// One fixed window's count.
struct Window {
    started: Instant,
    count: u32,
}

/// Request counts per (door, address or account), in fixed windows.
#[derive(Default)]
pub struct RateLimits {
    windows: Mutex<HashMap<String, Window>>,
}

impl RateLimits {
    /// Counts one request at `door` from `address` for `account`; 429 with `retry_after` when
    /// either is over its limit.
    pub fn check(&self, door: Door, address: Option<&str>, account: &str) -> Result<(), ApiError> {
        let (per_address, per_account) = door.limits();
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() >= MAX_KEYS {
            windows.retain(|_, w| now.duration_since(w.started) < Duration::from_secs(3600));
        }
        let keys = [
            address.map(|a| (format!("{}:ip:{a}", door.name()), per_address)),
            Some((
                format!("{}:account:{}", door.name(), account.to_lowercase()),
                per_account,
            )),
        ];
        for (key, limit) in keys.into_iter().flatten() {
            let window = windows.entry(key).or_insert(Window {
                started: now,
                count: 0,
            });
            if now.duration_since(window.started) >= limit.window {
                *window = Window {
                    started: now,
                    count: 0,
                };
            }
            if window.count >= limit.requests {
                let wait = limit
                    .window
                    .saturating_sub(now.duration_since(window.started));
                return Err(ApiError::new(
                    ErrorCode::RateLimited,
                    "Too many attempts: wait a moment and try again",
                )
                .retry_after(wait.as_secs().max(1)));
            }
            window.count += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_over_its_limit_is_refused_with_a_retry_time_from_any_address() {
        let limits = RateLimits::default();
        for i in 0..5 {
            let address = format!("10.0.0.{i}");
            assert!(limits
                .check(Door::InvitationAcceptance, Some(&address), "tok")
                .is_ok());
        }
        let refused = limits
            .check(Door::InvitationAcceptance, Some("10.0.0.99"), "TOK")
            .unwrap_err();
        assert_eq!(refused.status(), 429);
        assert!(refused.retry_after.is_some_and(|s| (1..=60).contains(&s)));
        assert!(limits
            .check(Door::InvitationAcceptance, Some("10.0.0.99"), "other")
            .is_ok());
    }

    #[test]
    fn an_address_over_its_limit_is_refused_for_every_account() {
        let limits = RateLimits::default();
        for i in 0..60 {
            assert!(limits
                .check(Door::SignIn, Some("192.0.2.1"), &format!("u{i}@acme.com"))
                .is_ok());
        }
        assert!(limits
            .check(Door::SignIn, Some("192.0.2.1"), "new@acme.com")
            .is_err());
        assert!(limits
            .check(Door::SignIn, Some("192.0.2.2"), "new@acme.com")
            .is_ok());
    }
}
