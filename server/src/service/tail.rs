//! Live tail: the matching events that arrive after a point, as a stream that lasts as long as
//! the caller's access. It polls the database by `seq`, so it sees events ingested by any server
//! process, and checks the caller's credential again before every poll.

use super::Services;
use app::model::{Access, ApiError, AuditEvent, ErrorCode, EventFilter, Permission};
use futures::stream::{self, Stream};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How often the database is asked for new events.
const POLL_EVERY: Duration = Duration::from_secs(1);
/// Most events read per poll.
const POLL_LIMIT: u32 = 200;
/// How often a streaming API key is noted as used: the store keeps its last use to the minute,
/// and noting it takes a write lock, so the polls in between only read.
const NOTE_KEY_USE_EVERY: Duration = Duration::from_secs(60);

/// What a caller presented to authenticate, kept so an answer that outlives its request can check
/// it again. Not `Debug`: it holds a secret.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Credential {
    /// The session cookie's token.
    Session(String),
    /// An API key's secret.
    ApiKey(String),
}

/// A running tail: whose it is, what it looks for, and how far it has read.
struct Tail {
    services: Services,
    credential: Credential,
    org_id: i64,
    filter: EventFilter,
    /// Every event up to this `seq` has been read (the matching ones into `pending`).
    after: i64,
    pending: VecDeque<AuditEvent>,
    key_use_noted: Instant,
}

impl Services {
    /// The events matching `filter` with `seq` above `after_seq` (by default, everything from now
    /// on), oldest first, as they arrive, in the organization `credential` gives access to. The
    /// credential is checked before every poll: once it no longer authenticates or allows
    /// `audit_logs:read` there, the stream yields that error and ends.
    pub async fn tail(
        &self,
        credential: Credential,
        filter: EventFilter,
        after_seq: Option<i64>,
    ) -> Result<impl Stream<Item = Result<AuditEvent, ApiError>> + Send + 'static, ApiError> {
        let tail = Tail::start(self, credential, filter, after_seq).await?;
        Ok(stream::unfold(Some(tail), |tail| async move {
            let mut tail = tail?;
            match tail.next_event().await {
                Ok(event) => Some((Ok(event), Some(tail))),
                Err(error) => Some((Err(error), None)),
            }
        }))
    }

    /// What `credential` may do now, if it may still read the audit logs of `org_id` (of any
    /// organization when `None`). `note_use` notes an API key as used.
    async fn tail_access(
        &self,
        credential: &Credential,
        org_id: Option<i64>,
        note_use: bool,
    ) -> Result<Access, ApiError> {
        let access = match credential {
            Credential::Session(token) => {
                self.session_viewer(token)
                    .await?
                    .ok_or_else(|| {
                        ApiError::new(ErrorCode::Unauthorized, "your session has ended")
                    })?
                    .access
            }
            Credential::ApiKey(secret) if note_use => self.authenticate_api_key(secret).await?.1,
            Credential::ApiKey(secret) => self.api_key_access(secret).await?.1,
        };
        if org_id.is_some_and(|id| id != access.org_id) {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "the session switched to another organization",
            ));
        }
        access.require(Permission::AuditLogsRead)?;
        Ok(access)
    }
}

impl Tail {
    /// A tail for `credential`, after checking that it may read the audit logs.
    async fn start(
        services: &Services,
        credential: Credential,
        filter: EventFilter,
        after_seq: Option<i64>,
    ) -> Result<Self, ApiError> {
        let access = services.tail_access(&credential, None, true).await?;
        let after = match after_seq {
            Some(seq) => seq,
            None => services.stores.events.head_seq(access.org_id).await?,
        };
        Ok(Self {
            services: services.clone(),
            credential,
            org_id: access.org_id,
            filter,
            after,
            pending: VecDeque::new(),
            key_use_noted: Instant::now(),
        })
    }

    /// The next matching event, waiting for one to arrive; an error once the caller's access has
    /// ended or the database fails.
    async fn next_event(&mut self) -> Result<AuditEvent, ApiError> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Ok(event);
            }
            self.poll().await?;
            if self.pending.is_empty() {
                tokio::time::sleep(POLL_EVERY).await;
            }
        }
    }

    /// Reads the matching events past `after` up to the head, then checks the caller again:
    /// whatever is delivered was read while the caller still had access (an event recording
    /// their own removal never reaches them). When the read is not cut short by the limit,
    /// everything up to the head has been seen, so the next poll starts there even if nothing
    /// matched.
    async fn poll(&mut self) -> Result<(), ApiError> {
        let events = &self.services.stores.events;
        let head = events.head_seq(self.org_id).await?;
        let found = if head > self.after {
            events
                .list_events_after_seq(self.org_id, &self.filter, self.after, POLL_LIMIT)
                .await?
        } else {
            Vec::new()
        };
        let note_use = self.key_use_noted.elapsed() >= NOTE_KEY_USE_EVERY;
        self.services
            .tail_access(&self.credential, Some(self.org_id), note_use)
            .await?;
        if note_use {
            self.key_use_noted = Instant::now();
        }
        let last_found = found.last().map(|event| event.seq);
        self.after = match last_found {
            Some(seq) if found.len() >= POLL_LIMIT as usize => seq,
            _ => last_found.unwrap_or(head).max(head),
        };
        self.pending.extend(found);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::sha256_hex;
    use crate::service::testing::TestServices;
    use app::model::{EventQuery, NewEvent, Plan};
    use futures::StreamExt;
    use std::future::Future;

    /// `n` events of `acme`, all with `result`.
    async fn ingest(t: &TestServices, n: usize, result: &str) {
        let events = (0..n)
            .map(|i| {
                serde_json::from_value::<NewEvent>(serde_json::json!({
                    "action": "user.login",
                    "actor": {"type": "user", "id": format!("u_{i}")},
                    "result": result,
                }))
                .unwrap()
            })
            .collect();
        let source = app::model::EventSource::Operator;
        t.services
            .ingest(&t.org.operator_access(), source, events)
            .await
            .unwrap();
    }

    fn failures() -> EventFilter {
        EventQuery::from_pairs([("result", "failure")])
            .unwrap()
            .filter
    }

    async fn reader_key(t: &TestServices) -> (i64, Credential) {
        let (key, secret) = t.key(&[Permission::AuditLogsRead]).await;
        (key.id, Credential::ApiKey(secret))
    }

    /// Opens a tail for `credential`, makes `change`, and answers the code of the error that ends
    /// the tail at its next poll, checking that nothing follows it.
    async fn ended_by(t: &TestServices, credential: Credential, change: impl Future) -> ErrorCode {
        let tail = t.services.tail(credential, failures(), None).await;
        let mut tail = Box::pin(tail.unwrap_or_else(|e| panic!("tail refused: {e}")));
        change.await;
        let last = tokio::time::timeout(Duration::from_secs(5), tail.next())
            .await
            .expect("the tail ends within a few polls")
            .expect("an error says why");
        let code = last.expect_err("no event matches").code;
        assert!(tail.next().await.is_none(), "nothing follows the error");
        code
    }

    #[tokio::test]
    async fn a_tail_whose_filter_matches_nothing_moves_on_to_the_head() {
        let t = TestServices::new().await;
        let (_, key) = reader_key(&t).await;
        ingest(&t, 3, "success").await;
        let mut tail = Tail::start(&t.services, key, failures(), Some(0))
            .await
            .unwrap();
        tail.poll().await.unwrap();
        assert!(tail.pending.is_empty());
        assert_eq!(tail.after, 3, "the next poll reads only what arrives later");
        tail.poll().await.unwrap();
        assert_eq!(tail.after, 3);
    }

    #[tokio::test]
    async fn a_read_cut_short_by_the_limit_resumes_after_its_last_event() {
        let t = TestServices::new().await;
        let (_, key) = reader_key(&t).await;
        let limit = POLL_LIMIT as usize;
        ingest(&t, limit + 50, "failure").await;
        ingest(&t, 10, "success").await;
        let mut tail = Tail::start(&t.services, key, failures(), Some(0))
            .await
            .unwrap();
        tail.poll().await.unwrap();
        assert_eq!(tail.pending.len(), limit);
        assert_eq!(tail.after, i64::from(POLL_LIMIT));
        tail.pending.clear();
        tail.poll().await.unwrap();
        assert_eq!(tail.pending.len(), 50);
        assert_eq!(
            tail.after,
            i64::try_from(limit + 60).unwrap(),
            "up to the head"
        );
    }

    #[tokio::test]
    async fn a_tail_ends_when_its_key_is_deleted_or_rotated_or_the_plan_downgraded() {
        let t = TestServices::new().await;
        let identity = &t.services.stores().identity;
        let (id, key) = reader_key(&t).await;
        let deleted = async {
            let mut tx = identity.begin().await.unwrap();
            assert!(tx.delete_api_key(t.org.id, id).await.unwrap());
            tx.commit().await.unwrap();
        };
        assert_eq!(ended_by(&t, key, deleted).await, ErrorCode::Unauthorized);
        let (id, key) = reader_key(&t).await;
        let rotated = async {
            let mut tx = identity.begin().await.unwrap();
            assert!(tx
                .rotate_api_key(t.org.id, id, "another-hash", "xxxx")
                .await
                .unwrap());
            tx.commit().await.unwrap();
        };
        assert_eq!(ended_by(&t, key, rotated).await, ErrorCode::Unauthorized);
        let (_, key) = reader_key(&t).await;
        let downgraded = t.execute("UPDATE organizations SET plan = 'free'");
        assert_eq!(
            ended_by(&t, key, downgraded).await,
            ErrorCode::PaymentRequired
        );
    }

    #[tokio::test]
    async fn a_tail_ends_when_its_session_ends_or_the_member_is_removed() {
        let t = TestServices::new().await;
        let ann = t.member(&t.org, "ann@acme.com", "admin").await;
        let token = t.sign_in("ann@acme.com").await;
        let token_hash = sha256_hex(token.as_bytes());
        let sql = format!("DELETE FROM sessions WHERE token_hash = '{token_hash}'");
        let signed_out = t.execute(&sql);
        let session = Credential::Session(token);
        assert_eq!(
            ended_by(&t, session, signed_out).await,
            ErrorCode::Unauthorized
        );
        let session = Credential::Session(t.sign_in("ann@acme.com").await);
        let expired = t.execute("UPDATE sessions SET expires_at = 0");
        assert_eq!(
            ended_by(&t, session, expired).await,
            ErrorCode::Unauthorized
        );
        let session = Credential::Session(t.sign_in("ann@acme.com").await);
        let sql = format!(
            "DELETE FROM memberships WHERE org_id = {} AND user_id = {}",
            t.org.id, ann.id
        );
        let removed = t.execute(&sql);
        assert_eq!(
            ended_by(&t, session, removed).await,
            ErrorCode::Unauthorized
        );
    }

    #[tokio::test]
    async fn a_tail_ends_when_the_role_loses_read_or_the_session_moves_to_another_org() {
        let t = TestServices::new().await;
        let read = [Permission::AuditLogsRead];
        t.services
            .create_custom_role(&t.org, "auditor", &read)
            .await
            .unwrap();
        t.member(&t.org, "bob@acme.com", "auditor").await;
        let session = Credential::Session(t.sign_in("bob@acme.com").await);
        let demoted = t.execute("UPDATE roles SET permissions = '' WHERE name = 'auditor'");
        assert_eq!(ended_by(&t, session, demoted).await, ErrorCode::Forbidden);

        let globex = t
            .services
            .create_organization("globex", "Globex", Plan::Pro)
            .await
            .unwrap();
        t.member(&t.org, "cy@acme.com", "admin").await;
        t.member(&globex, "cy@acme.com", "admin").await;
        let token = t.sign_in("cy@acme.com").await;
        let token_hash = sha256_hex(token.as_bytes());
        let sql = format!(
            "UPDATE sessions SET org_id = {} WHERE token_hash = '{token_hash}'",
            globex.id
        );
        let switched = t.execute(&sql);
        let session = Credential::Session(token);
        assert_eq!(ended_by(&t, session, switched).await, ErrorCode::Forbidden);
    }
}
