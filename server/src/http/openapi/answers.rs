//! The error answers an operation lists: the error envelope with each status.

use app::model::ErrorEnvelope;
use std::collections::BTreeMap;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{IntoResponses, ToSchema};

/// Declares one error answer per status: an [`IntoResponses`] for the operations to list.
macro_rules! error_answers {
    ($($(#[doc = $doc:literal])* $name:ident = $status:literal;)*) => {$(
        $(#[doc = $doc])*
        pub enum $name {}

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
                error_answer($status, concat!($($doc),*).trim())
            }
        }
    )*};
}

error_answers! {
    /// The request is not valid (`invalid_request`, or `validation_failed` for an event): `field`
    /// names what is wrong (and `index` the event of a batch).
    BadRequest = 400;
    /// No credentials, or not valid ones (`unauthorized`).
    Unauthorized = 401;
    /// The organization's plan does not include reading audit logs (`payment_required`).
    PaymentRequired = 402;
    /// The key lacks the scope (or the role the permission), or a session cookie came from
    /// another site (`forbidden`).
    Forbidden = 403;
    /// Unknown, or another organization's (`not_found`).
    NotFound = 404;
    /// Conflicts with the stored state (`conflict`).
    Conflict = 409;
    /// The request body is over its limit (`payload_too_large`).
    PayloadTooLarge = 413;
    /// Too many at once (`rate_limited`): wait `Retry-After` seconds.
    TooManyRequests = 429;
    /// An unexpected failure on the server (`internal`).
    ServerError = 500;
}

/// 414 for a URL over 64 KiB: hyper answers it, before any handler and without a body (a filter
/// of many long values can reach it).
pub enum UriTooLong {}

impl IntoResponses for UriTooLong {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
        let answer = ResponseBuilder::new()
            .description("The URL is over 64 KiB (answered without a body).")
            .build();
        BTreeMap::from([("414".to_owned(), answer.into())])
    }
}

/// The error answer with `status`: the error envelope, and `Retry-After` with a 429.
fn error_answer(
    status: u16,
    description: &str,
) -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name(ErrorEnvelope::name())))
        .build();
    let mut answer = ResponseBuilder::new()
        .description(description.split_whitespace().collect::<Vec<_>>().join(" "))
        .content("application/json", content);
    if status == 429 {
        let seconds = HeaderBuilder::new()
            .schema(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0)),
            )
            .description(Some("Seconds to wait before trying again."))
            .build();
        answer = answer.header("Retry-After", seconds);
    }
    BTreeMap::from([(status.to_string(), answer.build().into())])
}
