//! The one error type that crosses the wire, with its HTTP status.

use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What went wrong, in a form a client can branch on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request is malformed or a parameter is invalid.
    InvalidRequest,
    /// An event in an ingest request failed validation.
    ValidationFailed,
    /// No credentials, or credentials that are not valid.
    Unauthorized,
    /// The credentials are valid but lack the permission.
    Forbidden,
    /// The organization's plan does not include the capability.
    PaymentRequired,
    /// The resource does not exist (or belongs to another organization).
    NotFound,
    /// An idempotency key was reused with different content.
    Conflict,
    /// The request body is larger than the limit.
    PayloadTooLarge,
    /// Too many failed sign-ins: the account is locked for a while.
    TooManyAttempts,
    /// Too many requests of this kind (sign-ins, resets, invitations from one address or for one
    /// account, open live streams of one caller, or ingest while the organization's index
    /// catches up): wait `retry_after` seconds and retry.
    RateLimited,
    /// An unexpected failure on the server.
    Internal,
    /// The database cannot be reached for now (restarting, out of connections): nothing was
    /// written; retry after `retry_after` seconds.
    Unavailable,
    /// The server's storage is full: nothing was written.
    InsufficientStorage,
}

impl ErrorCode {
    /// The HTTP status this code is answered with.
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidRequest | Self::ValidationFailed => 400,
            Self::Unauthorized => 401,
            Self::PaymentRequired => 402,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Conflict => 409,
            Self::PayloadTooLarge => 413,
            Self::TooManyAttempts | Self::RateLimited => 429,
            Self::Internal => 500,
            Self::Unavailable => 503,
            Self::InsufficientStorage => 507,
        }
    }
}

/// An error answered to a client: `{"code", "message", "field"?, "index"?, "retry_after"?}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// The offending field, as a dotted path (`actor.type`, `targets[0].id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The offending event's position in an ingest batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// Seconds to wait before trying again (also sent as `Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            index: None,
            retry_after: None,
        }
    }

    /// A bad request parameter or body.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, message)
    }

    /// The resource is unknown to the caller's organization.
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    /// An unexpected server failure; the detail stays in the server log.
    pub fn internal() -> Self {
        Self::new(ErrorCode::Internal, "internal error")
    }

    /// The same error, naming the offending field.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The same error, naming the offending event of a batch.
    pub fn at_index(mut self, index: usize) -> Self {
        self.index = Some(index);
        self
    }

    /// The same error, telling the client to wait `seconds` before trying again.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        self.code.status()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

/// The wire shape of every error answer, REST or server function: `{"error": {...}}`.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ErrorEnvelope {
    pub error: ApiError,
}

/// Encodes server-function errors as an [`ErrorEnvelope`], like the REST API's.
pub struct EnvelopeEncoding;

impl ContentType for EnvelopeEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for EnvelopeEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl Encodes<ApiError> for EnvelopeEncoding {
    type Error = serde_json::Error;

    fn encode(error: &ApiError) -> Result<Bytes, Self::Error> {
        let envelope = ErrorEnvelope {
            error: error.clone(),
        };
        serde_json::to_vec(&envelope).map(Bytes::from)
    }
}

impl Decodes<ApiError> for EnvelopeEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<ApiError, Self::Error> {
        serde_json::from_slice::<ErrorEnvelope>(&bytes).map(|e| e.error)
    }
}

/// Server functions answer this error type too, so the browser receives it typed.
impl leptos::server_fn::error::FromServerFnError for ApiError {
    type Encoder = EnvelopeEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Args(m) | E::Deserialization(m) | E::MissingArg(m) => Self::invalid(m),
            E::Request(m) => Self::new(
                ErrorCode::Internal,
                format!("could not reach the server: {m}"),
            ),
            other => Self::new(ErrorCode::Internal, other.to_string()),
        }
    }
}
