//! `GET /api/v1/audit-logs/export?format=csv|json|ndjson[&include_proof=true]&…filters…`: the
//! whole filtered view as a streamed download (API key with `audit_logs:export`, or a member whose role has it).

use super::caller::Caller;
use super::openapi::{
    BadRequest, ExportedEvent, FilterParams, Forbidden, NotFound, PaymentRequired, ServerError,
    TooManyRequests, Unauthorized, UriTooLong,
};
use super::{AppState, HttpError};
use app::model::{ApiError, EventQuery, ExportFormat};
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

/// What an export request asks for besides its filter.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportParams {
    /// The file's format.
    format: ExportFormat,
    /// Each event with its proof of inclusion in the latest signed checkpoint, where the export
    /// stops (`json` and `ndjson`).
    #[param(required = false)]
    include_proof: bool,
}

/// Splits `format` and `include_proof` from the filter parameters and parses them all.
fn parse(raw: Option<&str>) -> Result<(ExportParams, EventQuery), ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|_| ApiError::invalid("the query string is not valid"))?;
    let mut format = None;
    let mut include_proof = false;
    let mut filters = Vec::new();
    for (key, value) in &pairs {
        match key.as_str() {
            "include_proof" => {
                include_proof = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(ApiError::invalid("include_proof must be true or false")
                            .with_field("include_proof"))
                    }
                }
            }
            "format" => {
                format = Some(ExportFormat::parse(value).ok_or_else(|| {
                    ApiError::invalid("format must be csv, json or ndjson").with_field("format")
                })?)
            }
            "limit" | "cursor" | "include_total" | "after_seq" => {
                return Err(ApiError::invalid("an export holds every matching event")
                    .with_field(key.as_str()))
            }
            _ => filters.push((key.as_str(), value.as_str())),
        }
    }
    let format = format.ok_or_else(|| {
        ApiError::invalid("format is required: csv, json or ndjson").with_field("format")
    })?;
    let params = ExportParams {
        format,
        include_proof,
    };
    Ok((params, EventQuery::from_pairs(filters)?))
}

/// Streams the export as an attachment.
#[utoipa::path(
    get,
    path = "/api/v1/audit-logs/export",
    tag = "audit logs",
    params(ExportParams, FilterParams),
    responses(
        (status = 200, description = "Every matching event, oldest `seq` first, as a download",
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"auditrail-<org>-<from>-<to>.<format>\"`")),
            content(
                (String = "text/csv"),
                (Vec<ExportedEvent> = "application/json"),
                (String = "application/x-ndjson"),
            )),
        BadRequest, Unauthorized, PaymentRequired, Forbidden, NotFound, UriTooLong,
        TooManyRequests, ServerError,
    ),
    security(("api_key" = ["audit_logs:export"]), ("session" = ["audit_logs:export"]))
)]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, HttpError> {
    let (
        ExportParams {
            format,
            include_proof,
        },
        query,
    ) = parse(raw.as_deref())?;
    let export = state
        .services
        .export(
            caller.access(),
            caller.actor(),
            query.filter,
            format,
            include_proof,
        )
        .await?;
    let disposition = format!("attachment; filename=\"{}\"", export.file_name);
    Ok((
        [
            (CONTENT_TYPE, format.content_type().to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(export.body.map(|chunk| chunk.map(|c| c.bytes))),
    )
        .into_response())
}
