//! `GET /api/v1/audit-logs/export?format=csv|json|ndjson&…filters…`: the whole filtered view as
//! a streamed download (API key with `audit_logs:export`, or a member whose role has it).

use super::caller::Caller;
use super::{AppState, HttpError};
use app::model::{ApiError, EventQuery, ExportFormat};
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

/// Splits `format` from the filter parameters and parses both.
fn parse(raw: Option<&str>) -> Result<(ExportFormat, EventQuery), ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|_| ApiError::invalid("the query string is not valid"))?;
    let mut format = None;
    let mut filters = Vec::new();
    for (key, value) in &pairs {
        match key.as_str() {
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
    Ok((format, EventQuery::from_pairs(filters)?))
}

/// Streams the export as an attachment.
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, HttpError> {
    let (format, query) = parse(raw.as_deref())?;
    let export = state
        .services
        .export(caller.access(), caller.actor(), query.filter, format)
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
