//! The provable log's REST doors: `GET /api/v1/checkpoints`, `GET /api/v1/checkpoints/key`,
//! `GET /api/v1/checkpoints/consistency?from=A&to=B` and
//! `GET /api/v1/audit-logs/{id}/proof?size=N`.

use super::caller::Caller;
use super::openapi::{BadRequest, Forbidden, NotFound, PaymentRequired, ServerError, Unauthorized};
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

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Only checkpoints of fewer events than this.
    before: Option<u64>,
    /// Checkpoints in `history`, at most.
    // The service's bounds (`MAX_CHECKPOINTS_PAGE`): the attribute takes literals only.
    #[param(minimum = 1, maximum = 1000, default = 100)]
    limit: Option<u32>,
}

/// The latest checkpoint and the ones before it (`before`: sizes below it; `limit`).
#[utoipa::path(
    get,
    path = "/api/v1/checkpoints",
    tag = "proofs",
    params(ListParams),
    responses(
        (status = 200, description = "The latest checkpoint and its history, largest first", body = CheckpointList),
        BadRequest, Unauthorized, PaymentRequired, Forbidden, ServerError,
    ),
    security(("api_key" = ["audit_logs:read"]), ("session" = ["audit_logs:read"]))
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/checkpoints/key",
    tag = "proofs",
    responses(
        (status = 200, description = "The Ed25519 verifier key", body = CheckpointKey),
        Unauthorized, PaymentRequired, Forbidden, ServerError,
    ),
    security(("api_key" = ["audit_logs:read"]), ("session" = ["audit_logs:read"]))
)]
pub async fn key(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<CheckpointKey>, HttpError> {
    Ok(Json(state.services.checkpoint_key(caller.access())?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ConsistencyParams {
    /// The size of the older checkpoint's tree.
    #[param(minimum = 1)]
    from: u64,
    /// The size of the newer checkpoint's tree (at least `from`).
    #[param(minimum = 1)]
    to: u64,
}

/// The proof that the tree of `to` events extends the tree of `from` events.
#[utoipa::path(
    get,
    path = "/api/v1/checkpoints/consistency",
    tag = "proofs",
    params(ConsistencyParams),
    responses(
        (status = 200, description = "The consistency proof", body = ConsistencyProof),
        BadRequest, Unauthorized, PaymentRequired, Forbidden, NotFound, ServerError,
    ),
    security(("api_key" = ["audit_logs:read"]), ("session" = ["audit_logs:read"]))
)]
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

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ProofParams {
    /// The checkpoint's size (the latest checkpoint by default).
    size: Option<u64>,
}

/// The proof that an event is in a checkpoint (`size`, the latest by default).
#[utoipa::path(
    get,
    path = "/api/v1/audit-logs/{id}/proof",
    tag = "proofs",
    params(("id" = String, Path, description = "The event's id"), ProofParams),
    responses(
        (status = 200, description = "The inclusion proof, with the checkpoint's signed note", body = InclusionProof),
        BadRequest, Unauthorized, PaymentRequired, Forbidden, NotFound, ServerError,
    ),
    security(("api_key" = ["audit_logs:read"]), ("session" = ["audit_logs:read"]))
)]
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
