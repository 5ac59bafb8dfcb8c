//! The provable log's REST doors: `GET /api/v1/checkpoints`, `GET /api/v1/checkpoints/key`,
//! `GET /api/v1/checkpoints/consistency?from=A&to=B` and
//! `GET /api/v1/audit-logs/{id}/proof?size=N`.

use super::caller::Caller;
use super::{AppState, HttpError};
use app::model::{ApiError, CheckpointKey, CheckpointList, ConsistencyProof, InclusionProof};
use axum::extract::{Path, RawQuery, State};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// The query string as `T`, or a 400 naming what is wrong with it.
fn params<T: DeserializeOwned>(raw: Option<String>) -> Result<T, ApiError> {
    serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::invalid(format!("the query string is not valid: {e}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    before: Option<u64>,
    limit: Option<u32>,
}

/// The latest checkpoint and the ones before it (`before`: sizes below it; `limit`).
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<CheckpointList>, HttpError> {
    let ListParams { before, limit } = params(raw)?;
    let list = state
        .services
        .checkpoints(caller.access(), before, limit)
        .await?;
    Ok(Json(list))
}

/// The public key checkpoints are signed with.
pub async fn key(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<CheckpointKey>, HttpError> {
    Ok(Json(state.services.checkpoint_key(caller.access())?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsistencyParams {
    from: u64,
    to: u64,
}

/// The proof that the tree of `to` events extends the tree of `from` events.
pub async fn consistency(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<ConsistencyProof>, HttpError> {
    let ConsistencyParams { from, to } = params(raw)?;
    let proof = state
        .services
        .consistency_proof(caller.access(), from, to)
        .await?;
    Ok(Json(proof))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProofParams {
    size: Option<u64>,
}

/// The proof that an event is in a checkpoint (`size`, the latest by default).
pub async fn inclusion(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<InclusionProof>, HttpError> {
    let ProofParams { size } = params(raw)?;
    let proof = state
        .services
        .inclusion_proof(caller.access(), &id, size)
        .await?;
    Ok(Json(proof))
}
