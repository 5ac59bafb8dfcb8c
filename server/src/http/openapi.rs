//! The OpenAPI 3.1 description of `/api/v1`, served at `GET /api/v1/openapi.json`. Each
//! operation is declared beside its handler (`#[utoipa::path]`) and every schema is derived from
//! the wire type itself (`app::model`, with the `ssr` feature); this module gathers them and
//! adds what no one handler owns: the security schemes, the filter parameters shared by the list,
//! the export and the live tail ([`params`]), the bodies no one wire type describes ([`bodies`]),
//! and the error answers ([`answers`]).

mod answers;
mod bodies;
mod params;

pub use answers::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, PaymentRequired, ServerError,
    TooManyRequests, Unauthorized, UriTooLong,
};
pub use bodies::{ExportedEvent, IngestBody, StreamEvent};
pub use params::{FilterParams, PageParams, StreamParams};

use super::{audit_logs, checkpoints, events, export, log_streams, settings, stream};
use crate::service::SESSION_COOKIE;
use app::model::{ErrorEnvelope, ExportFormat, Permission};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The document: every `/api/v1` operation, its schemas and security schemes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Auditrail API",
        description = "Tamper-evident audit logs: send events, read, filter, export and tail them, \
                       and verify their hash chain and signed Merkle checkpoints. Every error \
                       answers `{\"error\": {\"code\", \"message\", \"field\"?, \"index\"?, \
                       \"retry_after\"?}}` with the matching HTTP status."
    ),
    paths(
        events::ingest,
        audit_logs::list,
        export::export,
        stream::stream,
        audit_logs::verify,
        audit_logs::get_one,
        checkpoints::inclusion,
        checkpoints::list,
        checkpoints::key,
        checkpoints::consistency,
        audit_logs::event_types,
        settings::retention,
        settings::update_retention,
        log_streams::list,
        log_streams::create,
        log_streams::get_one,
        log_streams::update,
        log_streams::delete,
        log_streams::rotate_secret,
        log_streams::test,
        log_streams::deliveries,
        document,
    ),
    components(schemas(ErrorEnvelope, ExportFormat)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "events", description = "Sending events"),
        (name = "audit logs", description = "Reading, exporting, tailing and verifying events"),
        (name = "proofs", description = "Signed checkpoints and Merkle proofs (RFC 9162)"),
        (name = "settings", description = "Organization settings (members' sessions only)"),
        (name = "log streams", description = "Pushing events to SIEMs (members' sessions only)"),
        (name = "meta", description = "This document"),
    )
)]
struct ApiDoc;

/// The API key's security scheme, as the operations' `security` name it.
const API_KEY: &str = "api_key";
/// The session cookie's security scheme.
const SESSION: &str = "session";

/// Adds the two ways to authenticate: an API key (its scopes listed from
/// [`Permission::API_KEY_SCOPES`]) and the web app's session cookie.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scopes: Vec<String> = Permission::API_KEY_SCOPES
            .iter()
            .map(|p| format!("- `{}`: {}", p.as_str(), p.description()))
            .collect();
        let api_key = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(format!(
                "An API key (`auditrail api-key create`), sent as `Authorization: Bearer <key>`. \
                 An operation lists the scope it needs; a key holds some of:\n{}",
                scopes.join("\n")
            )))
            .build();
        let session = ApiKey::Cookie(ApiKeyValue::with_description(
            SESSION_COOKIE,
            "The web app's session cookie (HttpOnly), honoured only on requests from Auditrail's \
             own pages (`Sec-Fetch-Site: same-origin` or a same-origin `Origin`). An operation \
             lists the permission the member's role needs.",
        ));
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(API_KEY, SecurityScheme::Http(api_key));
        components.add_security_scheme(SESSION, SecurityScheme::ApiKey(session));
    }
}

/// The document as served, rendered once.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| panic!("the OpenAPI document does not serialise: {e}"))
});

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    security(()),
    responses((status = 200, description = "This document (OpenAPI 3.1)", body = Object))
)]
pub async fn document() -> Response {
    ([(CONTENT_TYPE, "application/json")], DOCUMENT.as_str()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_1_and_serialises() {
        let document: serde_json::Value = serde_json::from_str(&DOCUMENT).unwrap();
        assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    }
}
