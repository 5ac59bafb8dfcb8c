//! Log streams: destinations an organization's events are pushed to as they arrive (a SIEM's
//! webhook, Splunk's HTTP Event Collector, Datadog's logs intake, a syslog collector), each
//! with its own cursor, state and delivery log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest stream name.
pub const MAX_STREAM_NAME_LEN: usize = 100;
/// Longest destination URL or host name.
pub const MAX_DESTINATION_LEN: usize = 2_048;
/// Longest credential (Splunk token, Datadog API key).
pub const MAX_CREDENTIAL_LEN: usize = 512;
/// Most delivery attempts a stream keeps in its log.
pub const DELIVERY_LOG_LEN: usize = 50;

/// Where a stream delivers, and in which format.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Destination {
    /// JSON batches POSTed to `url`, signed in the Standard Webhooks style.
    Webhook { url: String },
    /// Splunk HTTP Event Collector at `url` (its base, e.g. `https://splunk:8088`); the stream's
    /// credential is the HEC token.
    SplunkHec {
        url: String,
        /// The Splunk index to write to (the token's default when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        index: Option<String>,
    },
    /// Datadog's logs intake (`url`, e.g. `https://http-intake.logs.datadoghq.com/api/v2/logs`);
    /// the stream's credential is the API key.
    Datadog {
        url: String,
        /// `service` of every log (`auditrail` when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        service: Option<String>,
        /// `ddtags`, comma-separated `key:value` pairs.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tags: Option<String>,
    },
    /// RFC 5424 messages over TCP with octet-counting framing (RFC 6587), TLS when `tls`
    /// (RFC 5425).
    Syslog {
        host: String,
        port: u16,
        #[serde(default)]
        tls: bool,
    },
}

impl Destination {
    /// The wire name of the kind: `webhook`, `splunk_hec`, `datadog`, `syslog`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Webhook { .. } => "webhook",
            Self::SplunkHec { .. } => "splunk_hec",
            Self::Datadog { .. } => "datadog",
            Self::Syslog { .. } => "syslog",
        }
    }

    /// The kind in words.
    pub fn kind_label(&self) -> &'static str {
        match self {
            Self::Webhook { .. } => "Webhook",
            Self::SplunkHec { .. } => "Splunk HEC",
            Self::Datadog { .. } => "Datadog",
            Self::Syslog { .. } => "Syslog",
        }
    }

    /// Where it delivers, as one line (`https://…` or `syslog+tls://host:port`).
    pub fn address(&self) -> String {
        match self {
            Self::Webhook { url } | Self::SplunkHec { url, .. } | Self::Datadog { url, .. } => {
                url.clone()
            }
            Self::Syslog { host, port, tls } => {
                let scheme = if *tls { "syslog+tls" } else { "syslog" };
                format!("{scheme}://{host}:{port}")
            }
        }
    }

    /// Whether deliveries need a credential the admin gives (a token or API key).
    pub fn needs_credential(&self) -> bool {
        matches!(self, Self::SplunkHec { .. } | Self::Datadog { .. })
    }

    /// Whether deliveries are signed with a secret the server generates.
    pub fn is_signed(&self) -> bool {
        matches!(self, Self::Webhook { .. })
    }
}

/// A stream's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StreamState {
    /// Delivering (or waiting for events).
    Active,
    /// Paused by an admin: the cursor stays where it is.
    Paused,
    /// The destination keeps refusing or is unreachable; retried with backoff.
    Failing,
}

impl StreamState {
    /// The state in words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Paused => "Paused",
            Self::Failing => "Failing",
        }
    }
}

/// A log stream as its managers see it (never its secrets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LogStream {
    pub id: i64,
    pub name: String,
    pub destination: Destination,
    /// Which events it carries, in the search syntax (empty: every event).
    pub filter: String,
    pub state: StreamState,
    /// The last four characters of the destination's credential, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_last4: Option<String>,
    /// Every event up to this `seq` has been delivered (or did not match the filter).
    pub cursor_seq: i64,
    /// Events received but not yet delivered or passed over.
    pub lag_events: i64,
    /// Seconds since the oldest undelivered event was received (0 when caught up).
    pub lag_seconds: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_delivered_at: Option<DateTime<Utc>>,
    /// Why the latest attempt failed, while it keeps failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<DateTime<Utc>>,
    /// Until then, deliveries are also signed with the secret before the last rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// What `POST /api/v1/streams` takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewLogStream {
    pub name: String,
    pub destination: Destination,
    /// Which events to carry, in the search syntax (empty or absent: every event).
    #[serde(default)]
    pub filter: String,
    /// The Splunk HEC token or Datadog API key (required for those kinds, refused for others).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// What `PATCH /api/v1/streams/{id}` takes: only what is given changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LogStreamUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<Destination>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
}

/// A stream just created, with its signing secret (webhooks only), shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedLogStream {
    pub stream: LogStream,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<String>,
}

/// A webhook stream's new signing secret, shown this once; the previous one still signs
/// deliveries until `previous_secret_expires_at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RotatedSecret {
    pub signing_secret: String,
    pub previous_secret_expires_at: DateTime<Utc>,
}

/// What an attempt carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryKind {
    /// A batch of the organization's events.
    Events,
    /// A test event sent from the stream's page (not an event of the log).
    Test,
    /// The latest signed checkpoint of the events delivered (`last_seq` is its size).
    Checkpoint,
}

/// One delivery attempt, as the delivery log keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub attempted_at: DateTime<Utc>,
    pub kind: DeliveryKind,
    /// The `seq` range carried (0, 0 for a test; 0 to its size for a checkpoint).
    pub first_seq: i64,
    pub last_seq: i64,
    pub events: u32,
    /// Whether the destination acknowledged it (2xx, or written for syslog).
    pub ok: bool,
    /// The destination's HTTP status, when it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub latency_ms: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
