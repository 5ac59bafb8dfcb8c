//! Managing log streams (`webhooks:manage`). A stream sends the organization's events out, so
//! creating one, or changing where it sends or what, also needs `audit_logs:export`: nobody
//! streams what they could not export. Every change commits with its self-audit event.

use super::self_audit::OwnEvent;
use super::Services;
use crate::outbound::formats::{new_signing_secret, Batch, Payload};
use crate::store::{NewStoredStream, StoredLogStream};
use app::api::backend::LogStreamsBackend;
use app::model::{
    parse_search, Access, Actor, ApiError, AuditEvent, ClientInfo, CreatedLogStream, Delivery,
    DeliveryKind, Destination, ErrorCode, LogStream, LogStreamUpdate, NewLogStream, Permission,
    Requester, RotatedSecret, StreamState, MAX_CREDENTIAL_LEN, MAX_DESTINATION_LEN,
    MAX_STREAM_NAME_LEN,
};
use async_trait::async_trait;
use chrono::{Duration, SubsecRound, Utc};
use serde_json::json;

/// How long a rotated-out signing secret keeps signing beside the new one.
pub const SECRET_OVERLAP: Duration = Duration::hours(24);
/// Longest Splunk index, Datadog service or tag list.
const MAX_OPTION_LEN: usize = 1_000;

impl Services {
    /// The organization's streams, by name, with their state and lag.
    pub async fn log_streams(&self, caller: &Access) -> Result<Vec<LogStream>, ApiError> {
        caller.require(Permission::WebhooksManage)?;
        let head = self.stores.events.head_seq(caller.org_id).await?;
        let mut streams = Vec::new();
        for stream in self.stores.identity.log_streams(caller.org_id).await? {
            streams.push(self.stream_view(&stream, head).await?);
        }
        Ok(streams)
    }

    /// One stream of the organization, with its state and lag.
    pub async fn log_stream(&self, caller: &Access, id: i64) -> Result<LogStream, ApiError> {
        caller.require(Permission::WebhooksManage)?;
        let stream = self.stored_stream(caller.org_id, id).await?;
        self.stream_view_now(&stream).await
    }

    /// Creates a stream that starts after the organization's latest event, recorded as
    /// `log_stream.created`; a webhook's signing secret is in the answer, this once.
    pub async fn create_log_stream(
        &self,
        caller: &Access,
        actor: Actor,
        client: &ClientInfo,
        new: NewLogStream,
    ) -> Result<CreatedLogStream, ApiError> {
        caller.require(Permission::WebhooksManage)?;
        caller.require(Permission::AuditLogsExport)?;
        let name = self.valid_stream(&new.name, &new.destination, &new.filter)?;
        let credential = valid_credential(&new.destination, new.credential.as_deref(), true)?;
        let signing_secret = new.destination.is_signed().then(new_signing_secret);
        let head = self.stores.events.head_seq(caller.org_id).await?;
        let mut tx = self.stores.identity.begin().await?;
        let id = tx
            .create_log_stream(
                caller.org_id,
                &NewStoredStream {
                    name,
                    destination: &new.destination,
                    filter: new.filter.trim(),
                    credential,
                    signing_secret: signing_secret.as_deref(),
                    cursor_seq: head,
                },
            )
            .await?;
        let event = OwnEvent::new("log_stream.created", actor)
            .target("log_stream", id.to_string(), name)
            .detail("kind", new.destination.kind())
            .detail("destination", redacted_address(&new.destination))
            .detail("filter", new.filter.trim())
            .detail("start_after_seq", head);
        Self::stage(&mut tx, caller.org_id, client, event).await?;
        self.commit(tx).await?;
        let stream = self.stored_stream(caller.org_id, id).await?;
        Ok(CreatedLogStream {
            stream: self.stream_view(&stream, head).await?,
            signing_secret,
        })
    }

    /// Changes what `update` gives, recorded as `log_stream.paused` / `.resumed` when only the
    /// pause changes, else `log_stream.updated` with each change. Nothing is recorded when
    /// nothing changes.
    pub async fn update_log_stream(
        &self,
        caller: &Access,
        actor: Actor,
        client: &ClientInfo,
        id: i64,
        update: LogStreamUpdate,
    ) -> Result<LogStream, ApiError> {
        caller.require(Permission::WebhooksManage)?;
        let sends_more =
            update.destination.is_some() || update.filter.is_some() || update.paused == Some(false);
        if sends_more {
            caller.require(Permission::AuditLogsExport)?;
        }
        let mut tx = self.stores.identity.begin().await?;
        let before = tx
            .log_stream(caller.org_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("log stream"))?;
        let mut after = before.clone();
        if let Some(name) = &update.name {
            after.name = name.clone();
        }
        if let Some(destination) = update.destination {
            if destination.kind() != before.destination.kind() {
                return Err(ApiError::invalid(
                    "a stream's kind cannot change: create a new stream instead",
                )
                .with_field("destination.kind"));
            }
            after.destination = destination;
        }
        if let Some(filter) = &update.filter {
            after.filter = filter.trim().to_owned();
        }
        let name = self
            .valid_stream(&after.name, &after.destination, &after.filter)?
            .to_owned();
        after.name = name;
        if update.credential.is_some() {
            let credential =
                valid_credential(&after.destination, update.credential.as_deref(), false)?;
            after.credential = credential.map(str::to_owned);
        }
        if let Some(paused) = update.paused {
            after.paused_at = match (paused, before.paused_at) {
                (true, None) => Some(Utc::now().trunc_subsecs(6)),
                (true, since) => since,
                (false, _) => None,
            };
        }
        let credential_changed = after.credential != before.credential;
        let pause_changed = after.paused_at.is_some() != before.paused_at.is_some();
        let others_changed = after.name != before.name
            || after.destination != before.destination
            || after.filter != before.filter
            || credential_changed;
        if !others_changed && !pause_changed {
            drop(tx);
            return self.stream_view_now(&before).await;
        }
        tx.update_log_stream(&after).await?;
        let action = match (others_changed, after.paused_at.is_some()) {
            (true, _) => "log_stream.updated",
            (false, true) => "log_stream.paused",
            (false, false) => "log_stream.resumed",
        };
        let mut event = OwnEvent::new(action, actor)
            .target("log_stream", id.to_string(), &after.name)
            .detail("kind", after.destination.kind());
        if others_changed {
            event = event
                .change("name", before.name.as_str(), after.name.as_str())
                .change(
                    "destination",
                    redacted_address(&before.destination),
                    redacted_address(&after.destination),
                )
                .change("filter", before.filter.as_str(), after.filter.as_str())
                .change(
                    "paused",
                    before.paused_at.is_some(),
                    after.paused_at.is_some(),
                );
            if credential_changed {
                event = event.detail("credential_replaced", true);
            }
        }
        Self::stage(&mut tx, caller.org_id, client, event).await?;
        self.commit(tx).await?;
        let stream = self.stored_stream(caller.org_id, id).await?;
        self.stream_view_now(&stream).await
    }

    /// Deletes a stream and its delivery log, recorded as `log_stream.deleted`.
    pub async fn delete_log_stream(
        &self,
        caller: &Access,
        actor: Actor,
        client: &ClientInfo,
        id: i64,
    ) -> Result<(), ApiError> {
        caller.require(Permission::WebhooksManage)?;
        let mut tx = self.stores.identity.begin().await?;
        let stream = tx
            .log_stream(caller.org_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("log stream"))?;
        tx.delete_log_stream(caller.org_id, id).await?;
        let event = OwnEvent::new("log_stream.deleted", actor)
            .target("log_stream", id.to_string(), &stream.name)
            .detail("kind", stream.destination.kind())
            .detail("destination", redacted_address(&stream.destination))
            .detail("delivered_through_seq", stream.progress.cursor_seq);
        Self::stage(&mut tx, caller.org_id, client, event).await?;
        self.commit(tx).await
    }

    /// Gives a webhook stream a new signing secret, recorded as `log_stream.secret_rotated`;
    /// the previous one keeps signing beside it for [`SECRET_OVERLAP`].
    pub async fn rotate_log_stream_secret(
        &self,
        caller: &Access,
        actor: Actor,
        client: &ClientInfo,
        id: i64,
    ) -> Result<RotatedSecret, ApiError> {
        caller.require(Permission::WebhooksManage)?;
        let mut tx = self.stores.identity.begin().await?;
        let stream = tx
            .log_stream(caller.org_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("log stream"))?;
        if !stream.destination.is_signed() {
            return Err(ApiError::invalid(format!(
                "{} streams are not signed: only webhooks have a signing secret",
                stream.destination.kind_label()
            )));
        }
        let secret = new_signing_secret();
        let until = (Utc::now() + SECRET_OVERLAP).trunc_subsecs(6);
        tx.rotate_log_stream_secret(caller.org_id, id, &secret, until)
            .await?;
        let event = OwnEvent::new("log_stream.secret_rotated", actor)
            .target("log_stream", id.to_string(), &stream.name)
            .detail("previous_secret_expires_at", until.to_rfc3339());
        Self::stage(&mut tx, caller.org_id, client, event).await?;
        self.commit(tx).await?;
        Ok(RotatedSecret {
            signing_secret: secret,
            previous_secret_expires_at: until,
        })
    }

    /// Sends a test event (marked as one, not an event of the log) to the stream's destination
    /// now, even while paused; the attempt goes to its delivery log.
    pub async fn test_log_stream(
        &self,
        caller: &Access,
        actor: Actor,
        id: i64,
    ) -> Result<Delivery, ApiError> {
        caller.require(Permission::WebhooksManage)?;
        let stream = self.stored_stream(caller.org_id, id).await?;
        let event = test_event(&stream, actor)?;
        let batch = Batch {
            org_slug: &caller.org_slug,
            stream_id: stream.id,
            payload: Payload::Test(&event),
        };
        let attempted_at = Utc::now().trunc_subsecs(6);
        let outcome = self.outbound.send(&stream, &batch).await;
        let delivery = Delivery {
            attempted_at,
            kind: DeliveryKind::Test,
            first_seq: 0,
            last_seq: 0,
            events: 1,
            ok: outcome.ok,
            status: outcome.status,
            latency_ms: u32::try_from(outcome.latency.as_millis()).unwrap_or(u32::MAX),
            error: outcome.error,
        };
        let mut tx = self.stores.identity.begin().await?;
        tx.log_delivery(id, &delivery).await?;
        tx.commit().await?;
        Ok(delivery)
    }

    /// The stream's latest delivery attempts, newest first.
    pub async fn log_stream_deliveries(
        &self,
        caller: &Access,
        id: i64,
    ) -> Result<Vec<Delivery>, ApiError> {
        caller.require(Permission::WebhooksManage)?;
        let stream = self.stored_stream(caller.org_id, id).await?;
        Ok(self.stores.identity.deliveries(stream.id).await?)
    }

    /// One stream of the organization, or 404.
    async fn stored_stream(&self, org_id: i64, id: i64) -> Result<StoredLogStream, ApiError> {
        self.stores
            .identity
            .log_stream(org_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("log stream"))
    }

    async fn stream_view_now(&self, stream: &StoredLogStream) -> Result<LogStream, ApiError> {
        let head = self.stores.events.head_seq(stream.org_id).await?;
        self.stream_view(stream, head).await
    }

    /// The stream as its managers see it, its lag measured against `head`.
    async fn stream_view(
        &self,
        stream: &StoredLogStream,
        head: i64,
    ) -> Result<LogStream, ApiError> {
        let progress = &stream.progress;
        let lag_events = (head - progress.cursor_seq).max(0);
        let lag_seconds = if lag_events > 0 {
            self.received_after(stream.org_id, progress.cursor_seq)
                .await?
                .map_or(0, |received| (Utc::now() - received).num_seconds().max(0))
        } else {
            0
        };
        let state = if stream.paused_at.is_some() {
            StreamState::Paused
        } else if progress.failing_since.is_some() {
            StreamState::Failing
        } else {
            StreamState::Active
        };
        Ok(LogStream {
            id: stream.id,
            name: stream.name.clone(),
            destination: stream.destination.clone(),
            filter: stream.filter.clone(),
            state,
            credential_last4: stream.credential.as_deref().map(last4),
            cursor_seq: progress.cursor_seq,
            lag_events,
            lag_seconds,
            last_delivered_at: progress.last_delivered_at,
            last_error: progress.last_error.clone(),
            failing_since: progress.failing_since,
            previous_secret_expires_at: stream
                .previous_secret
                .as_ref()
                .map(|(_, until)| *until)
                .filter(|until| *until > Utc::now()),
            created_at: stream.created_at,
        })
    }

    /// When the first event after `seq` was received, if there is one.
    pub(super) async fn received_after(
        &self,
        org_id: i64,
        seq: i64,
    ) -> Result<Option<chrono::DateTime<Utc>>, ApiError> {
        let links = self
            .stores
            .events
            .chain_links(org_id, seq, i64::MAX, 1)
            .await?;
        match links.first() {
            Some(link) => Ok(Some(crate::store::decode_event(&link.data)?.received_at)),
            None => Ok(None),
        }
    }

    /// Checks a stream's name, destination and filter; answers the trimmed name.
    fn valid_stream<'a>(
        &self,
        name: &'a str,
        destination: &Destination,
        filter: &str,
    ) -> Result<&'a str, ApiError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_STREAM_NAME_LEN {
            return Err(ApiError::invalid(format!(
                "name must be 1 to {MAX_STREAM_NAME_LEN} characters"
            ))
            .with_field("name"));
        }
        if name.chars().any(char::is_control) {
            return Err(
                ApiError::invalid("name must not hold control characters").with_field("name")
            );
        }
        valid_destination(destination)?;
        self.outbound
            .policy()
            .check(destination)
            .map_err(|why| ApiError::invalid(why).with_field("destination"))?;
        parse_search(filter).map_err(|e| {
            ApiError::invalid(format!("the filter does not parse: {e}")).with_field("filter")
        })?;
        Ok(name)
    }
}

/// Lengths and characters of a destination's fields.
fn valid_destination(destination: &Destination) -> Result<(), ApiError> {
    let (address, options): (&str, Vec<(&str, &Option<String>)>) = match destination {
        Destination::Webhook { url } => (url, vec![]),
        Destination::SplunkHec { url, index } => (url, vec![("index", index)]),
        Destination::Datadog { url, service, tags } => {
            (url, vec![("service", service), ("tags", tags)])
        }
        Destination::Syslog { host, port, .. } => {
            if *port == 0 {
                return Err(ApiError::invalid("port must be from 1 to 65535")
                    .with_field("destination.port"));
            }
            (host, vec![])
        }
    };
    if address.len() > MAX_DESTINATION_LEN || address.chars().any(|c| c.is_control() || c == ' ') {
        return Err(ApiError::invalid(format!(
            "the destination must be at most {MAX_DESTINATION_LEN} characters, without spaces"
        ))
        .with_field("destination"));
    }
    for (field, value) in options {
        if value
            .as_deref()
            .is_some_and(|v| v.len() > MAX_OPTION_LEN || v.chars().any(char::is_control))
        {
            return Err(ApiError::invalid(format!(
                "{field} must be at most {MAX_OPTION_LEN} characters, without control characters"
            ))
            .with_field(format!("destination.{field}")));
        }
    }
    Ok(())
}

/// The credential a destination takes: required (when `required`) for Splunk HEC and Datadog,
/// refused for the others; printable ASCII, as it travels in a header.
fn valid_credential<'a>(
    destination: &Destination,
    credential: Option<&'a str>,
    required: bool,
) -> Result<Option<&'a str>, ApiError> {
    let credential = credential.map(str::trim).filter(|c| !c.is_empty());
    match credential {
        None if required && destination.needs_credential() => Err(ApiError::invalid(format!(
            "a {} stream needs its credential (the token or API key)",
            destination.kind_label()
        ))
        .with_field("credential")),
        Some(_) if !destination.needs_credential() => Err(ApiError::invalid(format!(
            "a {} stream takes no credential",
            destination.kind_label()
        ))
        .with_field("credential")),
        Some(c) if c.len() > MAX_CREDENTIAL_LEN || !c.chars().all(|c| c.is_ascii_graphic()) => {
            Err(ApiError::invalid(format!(
                "the credential must be at most {MAX_CREDENTIAL_LEN} printable characters"
            ))
            .with_field("credential"))
        }
        other => Ok(other),
    }
}

/// Where a stream sends, for the log: the URL without its query (which may hold a token), or
/// the syslog address.
fn redacted_address(destination: &Destination) -> String {
    let address = destination.address();
    match address.split_once(['?', '#']) {
        Some((kept, _)) => kept.to_owned(),
        None => address,
    }
}

/// The last four characters of a credential.
fn last4(credential: &str) -> String {
    let chars: Vec<char> = credential.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

/// The test event a stream's "Send test event" delivers: shaped like every event, marked as a
/// test, never in the log.
fn test_event(stream: &StoredLogStream, actor: Actor) -> Result<AuditEvent, ApiError> {
    let now = Utc::now().trunc_subsecs(6);
    serde_json::from_value(json!({
        "id": format!("evt_test_{}", uuid::Uuid::new_v4().simple()),
        "seq": 0,
        "action": "log_stream.test",
        "category": "log_stream",
        "occurred_at": now,
        "received_at": now,
        "actor": actor,
        "targets": [{"type": "log_stream", "id": stream.id.to_string(), "name": stream.name}],
        "context": {},
        "result": "success",
        "details": {"test": true},
        "changes": [],
        "message": format!("Test event for the log stream {}", stream.name),
        "prev_hash": "",
        "hash": "",
    }))
    .map_err(|e| {
        tracing::error!(error = %e, "the test event does not decode");
        ApiError::new(ErrorCode::Internal, "the test event could not be built")
    })
}

#[async_trait]
impl LogStreamsBackend for Services {
    async fn log_streams(&self, requester: &Requester) -> Result<Vec<LogStream>, ApiError> {
        Services::log_streams(self, &requester.viewer.access).await
    }

    async fn create_log_stream(
        &self,
        requester: &Requester,
        new: NewLogStream,
    ) -> Result<CreatedLogStream, ApiError> {
        let viewer = &requester.viewer;
        Services::create_log_stream(self, &viewer.access, viewer.actor(), &requester.client, new)
            .await
    }

    async fn update_log_stream(
        &self,
        requester: &Requester,
        id: i64,
        update: LogStreamUpdate,
    ) -> Result<LogStream, ApiError> {
        let viewer = &requester.viewer;
        let (access, actor, client) = (&viewer.access, viewer.actor(), &requester.client);
        Services::update_log_stream(self, access, actor, client, id, update).await
    }

    async fn delete_log_stream(&self, requester: &Requester, id: i64) -> Result<(), ApiError> {
        let viewer = &requester.viewer;
        Services::delete_log_stream(self, &viewer.access, viewer.actor(), &requester.client, id)
            .await
    }

    async fn rotate_log_stream_secret(
        &self,
        requester: &Requester,
        id: i64,
    ) -> Result<RotatedSecret, ApiError> {
        let viewer = &requester.viewer;
        let (access, actor, client) = (&viewer.access, viewer.actor(), &requester.client);
        Services::rotate_log_stream_secret(self, access, actor, client, id).await
    }

    async fn test_log_stream(&self, requester: &Requester, id: i64) -> Result<Delivery, ApiError> {
        let viewer = &requester.viewer;
        Services::test_log_stream(self, &viewer.access, viewer.actor(), id).await
    }

    async fn log_stream_deliveries(
        &self,
        requester: &Requester,
        id: i64,
    ) -> Result<Vec<Delivery>, ApiError> {
        Services::log_stream_deliveries(self, &requester.viewer.access, id).await
    }
}
