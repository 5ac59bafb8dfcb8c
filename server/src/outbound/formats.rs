//! The bytes each kind of destination expects for a batch of events (or a signed checkpoint),
//! after its published format: Standard Webhooks (signed JSON), Splunk's HTTP Event Collector (concatenated event
//! objects), Datadog's logs intake (a JSON array) and syslog (RFC 5424 messages framed by octet
//! counting, RFC 6587).

use app::model::{AuditEvent, Checkpoint, EventResult};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// The prefix of a webhook signing secret; the rest is its key in base64.
pub const SECRET_PREFIX: &str = "whsec_";

/// `source` / `ddsource` / APP-NAME of everything sent.
const SOURCE: &str = "auditrail";
/// Splunk's `sourcetype` of an audit event, and of a signed checkpoint.
const SOURCETYPE: &str = "auditrail:audit_event";
const CHECKPOINT_SOURCETYPE: &str = "auditrail:checkpoint";
/// The syslog structured data's SD-ID (32473 is the enterprise number RFC 5612 reserves for
/// examples and documentation; a private number needs no registration for this use).
const SD_ID: &str = "auditrail@32473";
/// `authpriv`, the facility of security and authorization messages.
const AUTHPRIV: u8 = 10;

/// What one delivery carries.
pub enum Payload<'a> {
    /// The organization's next events, in `seq` order.
    Events(&'a [AuditEvent]),
    /// A test event sent from the stream's page, not an event of the log.
    Test(&'a AuditEvent),
    /// A signed checkpoint of the events delivered so far.
    Checkpoint(&'a Checkpoint),
}

/// A delivery for one stream of one organization.
pub struct Batch<'a> {
    pub org_slug: &'a str,
    pub stream_id: i64,
    pub payload: Payload<'a>,
}

impl Batch<'_> {
    /// The webhook message id: the same for every retry of the same events (or checkpoint), so
    /// receivers can drop a delivery they already have.
    pub fn message_id(&self) -> String {
        let stream = self.stream_id;
        match &self.payload {
            Payload::Events([first, .., last]) => {
                format!("msg_{stream}_{}_{}", first.seq, last.seq)
            }
            Payload::Events([only]) => format!("msg_{stream}_{}_{}", only.seq, only.seq),
            Payload::Events([]) | Payload::Test(_) => {
                format!("msg_{stream}_test_{}", uuid::Uuid::new_v4().simple())
            }
            Payload::Checkpoint(c) => format!("msg_{stream}_checkpoint_{}", c.tree_size),
        }
    }

    /// The events carried (none for a checkpoint).
    pub fn events(&self) -> &[AuditEvent] {
        match &self.payload {
            Payload::Events(events) => events,
            Payload::Test(event) => std::slice::from_ref(*event),
            Payload::Checkpoint(_) => &[],
        }
    }

    fn event_values(&self) -> impl Iterator<Item = (&AuditEvent, Value)> {
        self.events()
            .iter()
            .map(|e| (e, serde_json::to_value(e).expect("an event serialises")))
    }

    fn checkpoint(&self) -> Option<&Checkpoint> {
        match &self.payload {
            Payload::Checkpoint(checkpoint) => Some(checkpoint),
            _ => None,
        }
    }
}

/// A new webhook signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_signing_secret() -> String {
    let key: [u8; 32] = rand::random();
    format!("{SECRET_PREFIX}{}", BASE64.encode(key))
}

/// The webhook body: `{"type", "timestamp", "data": {"organization", "stream_id", "events"}}`
/// (`"checkpoint"` in place of `"events"` for a checkpoint).
pub fn webhook_body(batch: &Batch, now: chrono::DateTime<chrono::Utc>) -> Vec<u8> {
    let mut data = json!({"organization": batch.org_slug, "stream_id": batch.stream_id});
    let kind = match &batch.payload {
        Payload::Events(_) => "audit_log.events",
        Payload::Test(_) => "audit_log.test",
        Payload::Checkpoint(_) => "audit_log.checkpoint",
    };
    match batch.checkpoint() {
        Some(checkpoint) => data["checkpoint"] = json!(checkpoint),
        None => data["events"] = batch.event_values().map(|(_, v)| v).collect(),
    }
    let body = json!({
        "type": kind,
        "timestamp": now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "data": data,
    });
    serde_json::to_vec(&body).expect("JSON serialises")
}

/// The `webhook-signature` header: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for each
/// secret, space-separated (two while a rotated secret still signs).
pub fn webhook_signature(secrets: &[&str], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .map(|secret| {
            let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
            let key = BASE64
                .decode(encoded)
                .unwrap_or_else(|_| secret.as_bytes().to_vec());
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key");
            mac.update(id.as_bytes());
            mac.update(b".");
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(body);
            format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Splunk HEC events, one JSON object per event (or the checkpoint), newline-separated.
pub fn splunk_body(batch: &Batch, index: Option<&str>) -> Vec<u8> {
    let mut objects: Vec<(f64, &str, Value)> = batch
        .event_values()
        .map(|(event, value)| (seconds(event.occurred_at), SOURCETYPE, value))
        .collect();
    if let Some(checkpoint) = batch.checkpoint() {
        objects.push((
            seconds(checkpoint.created_at),
            CHECKPOINT_SOURCETYPE,
            json!(checkpoint),
        ));
    }
    let mut body = Vec::new();
    for (time, sourcetype, value) in objects {
        let mut object = json!({
            "time": time,
            "host": SOURCE,
            "source": batch.org_slug,
            "sourcetype": sourcetype,
            "event": value,
        });
        if let Some(index) = index {
            object["index"] = json!(index);
        }
        serde_json::to_writer(&mut body, &object).expect("JSON serialises");
        body.push(b'\n');
    }
    body
}

/// Unix seconds with microseconds, as Splunk's `time`.
fn seconds(time: chrono::DateTime<chrono::Utc>) -> f64 {
    time.timestamp_micros() as f64 / 1e6
}

/// Datadog logs: a JSON array, each log's `message` a one-line summary and the event itself
/// under `auditrail` (a checkpoint under `auditrail_checkpoint`).
pub fn datadog_body(batch: &Batch, service: Option<&str>, tags: Option<&str>) -> Vec<u8> {
    let org_tag = format!("org:{}", batch.org_slug);
    let ddtags = match tags {
        Some(tags) if !tags.is_empty() => format!("{org_tag},{tags}"),
        _ => org_tag,
    };
    let log = |status: &str, timestamp: i64, message: String, key: &str, value: Value| {
        let mut log = json!({
            "ddsource": SOURCE,
            "ddtags": ddtags,
            "hostname": SOURCE,
            "service": service.unwrap_or(SOURCE),
            "status": status,
            "timestamp": timestamp,
            "message": message,
        });
        log[key] = value;
        log
    };
    let mut logs: Vec<Value> = batch
        .event_values()
        .map(|(event, value)| {
            let status = if event.result == EventResult::Failure {
                "warn"
            } else {
                "info"
            };
            let at = event.occurred_at.timestamp_millis();
            log(status, at, summary(event), "auditrail", value)
        })
        .collect();
    if let Some(c) = batch.checkpoint() {
        let message = format!("Signed checkpoint of {} events", c.tree_size);
        let at = c.created_at.timestamp_millis();
        logs.push(log("info", at, message, "auditrail_checkpoint", json!(c)));
    }
    serde_json::to_vec(&logs).expect("JSON serialises")
}

/// `action by actor: message`.
fn summary(event: &AuditEvent) -> String {
    format!(
        "{} by {}: {}",
        event.action,
        event.actor.label(),
        event.message
    )
}

/// The batch as RFC 5424 messages, each framed as `LENGTH SP MESSAGE` (RFC 6587 octet
/// counting): severity notice for successes and warning for failures, facility authpriv; the
/// structured data carries the organization, seq, id, action, actor and result; the message is
/// the event's JSON. A checkpoint's message (MSGID `checkpoint`) is its signed note.
pub fn syslog_frames(batch: &Batch, hostname: &str) -> Vec<u8> {
    let mut frames = Vec::new();
    let mut frame = |message: String| {
        frames.extend_from_slice(format!("{} ", message.len()).as_bytes());
        frames.extend_from_slice(message.as_bytes());
    };
    if let Some(c) = batch.checkpoint() {
        frame(format!(
            "<{}>1 {} {} {SOURCE} - checkpoint [{SD_ID} org=\"{}\" tree_size=\"{}\" \
             root_hash=\"{}\"] {}",
            AUTHPRIV * 8 + 5,
            c.created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            header_field(hostname, 255),
            param(batch.org_slug),
            c.tree_size,
            param(&c.root_hash),
            c.signed_note,
        ));
    }
    for (event, value) in batch.event_values() {
        let severity = if event.result == EventResult::Failure {
            4
        } else {
            5
        };
        let message = format!(
            "<{}>1 {} {} {SOURCE} - {} [{SD_ID} org=\"{}\" seq=\"{}\" id=\"{}\" action=\"{}\" \
             actor=\"{}\" result=\"{}\"] {}",
            AUTHPRIV * 8 + severity,
            event
                .occurred_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            header_field(hostname, 255),
            header_field(&event.action, 32),
            param(batch.org_slug),
            event.seq,
            param(&event.id),
            param(&event.action),
            param(&event.actor.label()),
            event.result.as_str(),
            value,
        );
        frame(message);
    }
    frames
}

/// A header field: printable ASCII without spaces, at most `max` characters, `-` when empty.
fn header_field(text: &str, max: usize) -> String {
    let field: String = text
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(max)
        .collect();
    if field.is_empty() {
        "-".into()
    } else {
        field
    }
}

/// A structured-data parameter value, with `"`, `\` and `]` escaped.
fn param(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '"' | '\\' | ']') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn event(seq: i64, result: &str) -> AuditEvent {
        serde_json::from_value(json!({
            "id": format!("evt_{seq}"),
            "seq": seq,
            "action": "user.invited",
            "category": "user",
            "occurred_at": "2026-12-01T04:00:00.123456Z",
            "received_at": "2026-12-01T04:00:01Z",
            "actor": {"type": "user", "id": "u_1", "email": "ann@acme.com"},
            "targets": [],
            "context": {},
            "result": result,
            "details": {},
            "changes": [],
            "message": "Ann invited \"bo\"]",
            "prev_hash": "0",
            "hash": "1",
        }))
        .unwrap()
    }

    fn batch(events: &[AuditEvent]) -> Batch<'_> {
        Batch {
            org_slug: "acme",
            stream_id: 7,
            payload: Payload::Events(events),
        }
    }

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            tree_size: 32,
            root_hash: "abc=".into(),
            created_at: "2026-12-01T04:00:00Z".parse().unwrap(),
            signed_note: "auditrail.test/acme\n32\nabc=\n\n— auditrail.test sig\n".into(),
        }
    }

    #[test]
    fn the_signature_follows_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification's reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            webhook_signature(&[secret], id, 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn a_rotated_secret_signs_beside_the_new_one() {
        let old = new_signing_secret();
        let new = new_signing_secret();
        let both = webhook_signature(&[&new, &old], "msg_1", 1, b"{}");
        let parts: Vec<&str> = both.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1], webhook_signature(&[&old], "msg_1", 1, b"{}"));
    }

    #[test]
    fn retries_of_the_same_events_keep_their_message_id() {
        let events = [event(3, "success"), event(4, "success")];
        assert_eq!(batch(&events).message_id(), "msg_7_3_4");
        assert_eq!(batch(&events[..1]).message_id(), "msg_7_3_3");
        let test = Batch {
            payload: Payload::Test(&events[0]),
            ..batch(&events)
        };
        assert_ne!(test.message_id(), test.message_id());
        let checkpoint = checkpoint();
        let signed = Batch {
            payload: Payload::Checkpoint(&checkpoint),
            ..batch(&events)
        };
        assert_eq!(signed.message_id(), "msg_7_checkpoint_32");
    }

    #[test]
    fn splunk_events_are_one_object_each_with_time_and_sourcetype() {
        let events = [event(1, "success"), event(2, "failure")];
        let body = String::from_utf8(splunk_body(&batch(&events), Some("audit"))).unwrap();
        let objects: Vec<Value> = body
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(objects.len(), 2);
        assert_eq!(objects[0]["time"], json!(1_796_097_600.123_456));
        assert_eq!(objects[0]["sourcetype"], "auditrail:audit_event");
        assert_eq!(objects[0]["index"], "audit");
        assert_eq!(objects[1]["event"]["seq"], 2);
    }

    #[test]
    fn datadog_logs_carry_source_service_tags_and_the_event() {
        let events = [event(1, "failure")];
        let body = datadog_body(&batch(&events), None, Some("env:prod"));
        let logs: Vec<Value> = serde_json::from_slice(&body).unwrap();
        assert_eq!(logs[0]["ddsource"], "auditrail");
        assert_eq!(logs[0]["service"], "auditrail");
        assert_eq!(logs[0]["ddtags"], "org:acme,env:prod");
        assert_eq!(logs[0]["status"], "warn");
        assert_eq!(logs[0]["auditrail"]["id"], "evt_1");
    }

    #[test]
    fn syslog_frames_count_octets_and_escape_structured_data() {
        let events = [event(1, "success"), event(2, "failure")];
        let frames = syslog_frames(&batch(&events), "host one");
        let text = String::from_utf8(frames).unwrap();
        let (length, rest) = text.split_once(' ').unwrap();
        let length: usize = length.parse().unwrap();
        let first = &rest[..length];
        assert!(
            first
                .starts_with("<85>1 2026-12-01T04:00:00.123456Z hostone auditrail - user.invited "),
            "{first}"
        );
        assert!(
            first.contains(r#"actor="ann@acme.com" result="success"]"#),
            "{first}"
        );
        let second = rest[length..].split_once(' ').unwrap().1;
        assert!(second.starts_with("<84>1 "), "{second}");
        let checkpoint = checkpoint();
        let signed = Batch {
            payload: Payload::Checkpoint(&checkpoint),
            ..batch(&events)
        };
        let text = String::from_utf8(syslog_frames(&signed, "h")).unwrap();
        let (length, message) = text.split_once(' ').unwrap();
        assert_eq!(length.parse::<usize>().unwrap(), message.len());
        assert!(message.contains(r#"- checkpoint [auditrail@32473 org="acme" tree_size="32" root_hash="abc="] auditrail.test/acme"#), "{message}");
        let body: Value = serde_json::from_slice(&webhook_body(&signed, Utc::now())).unwrap();
        assert_eq!(
            (
                body["type"].as_str(),
                body["data"]["checkpoint"]["tree_size"].as_u64()
            ),
            (Some("audit_log.checkpoint"), Some(32))
        );
        let hec: Value = serde_json::from_slice(&splunk_body(&signed, None)).unwrap();
        assert_eq!(hec["sourcetype"], "auditrail:checkpoint");
        let logs: Vec<Value> = serde_json::from_slice(&datadog_body(&signed, None, None)).unwrap();
        assert_eq!(logs[0]["auditrail_checkpoint"]["tree_size"], 32);
        assert_eq!(param(r#"a"b\c]d"#), r#"a\"b\\c\]d"#);
    }
}
