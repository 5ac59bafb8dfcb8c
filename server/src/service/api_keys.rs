//! API keys: issued with scopes, shown once, stored as a SHA-256; listed, renamed, rotated and
//! deleted by members holding `api_keys:manage`.

use super::authorization::check_within;
use super::self_audit::OwnEvent;
use super::Services;
use crate::digest::sha256_hex;
use crate::store::{ApiKey, IdentityTx, Organization};
use app::api::backend::ApiKeysBackend;
use app::model::{
    Access, ApiError, ApiKeySummary, CreatedApiKey, ErrorCode, Permission, Requester,
};
use async_trait::async_trait;
use chrono::Utc;
use rand::distributions::{Alphanumeric, DistString};
use rand::rngs::OsRng;

/// Prefix of every API key, so leaked keys are recognisable by secret scanners.
const API_KEY_PREFIX: &str = "atr_";

/// A fresh secret with its stored hash and visible last four characters.
struct Secret {
    secret: String,
    hash: String,
    last4: String,
}

fn new_secret() -> Secret {
    let secret = format!(
        "{API_KEY_PREFIX}{}",
        Alphanumeric.sample_string(&mut OsRng, 40)
    );
    Secret {
        hash: sha256_hex(secret.as_bytes()),
        last4: secret[secret.len() - 4..].to_owned(),
        secret,
    }
}

fn check_name(name: &str) -> Result<&str, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::invalid("name must be 1 to 100 characters").with_field("name"));
    }
    Ok(name)
}

fn check_scopes(scopes: &[Permission]) -> Result<(), ApiError> {
    if scopes.is_empty()
        || scopes
            .iter()
            .any(|s| !Permission::API_KEY_SCOPES.contains(s))
    {
        return Err(ApiError::invalid(
            "scopes must be some of events:write, audit_logs:read, audit_logs:export",
        )
        .with_field("scopes"));
    }
    Ok(())
}

fn key_event(action: &str, requester: &Requester, id: i64, name: &str) -> OwnEvent {
    OwnEvent::by(action, requester).target("api_key", format!("key_{id}"), name)
}

impl Services {
    /// Issues a key in `tx`; answers it and its full secret, which is never shown again.
    async fn issue_api_key(
        tx: &mut IdentityTx,
        org_id: i64,
        name: &str,
        scopes: &[Permission],
    ) -> Result<(ApiKey, String), ApiError> {
        let name = check_name(name)?;
        check_scopes(scopes)?;
        let secret = new_secret();
        let key = tx
            .create_api_key(org_id, name, scopes, &secret.hash, &secret.last4)
            .await?;
        Ok((key, secret.secret))
    }

    /// Creates an API key for the operator at the command line; answers it and its secret.
    pub async fn create_api_key(
        &self,
        org: &Organization,
        name: &str,
        scopes: &[Permission],
    ) -> Result<(ApiKey, String), ApiError> {
        let mut tx = self.stores.identity.begin().await?;
        let created = Self::issue_api_key(&mut tx, org.id, name, scopes).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// The key and its access for a presented secret, or 401. Notes the key as used.
    pub async fn authenticate_api_key(&self, secret: &str) -> Result<(ApiKey, Access), ApiError> {
        let (key, access) = self.api_key_access(secret).await?;
        if let Err(error) = self.stores.identity.touch_api_key(key.id, Utc::now()).await {
            tracing::warn!(%error, key = key.id, "could not note the key's last use");
        }
        Ok((key, access))
    }

    /// The key and its access for a presented secret, or 401, without noting the key as used
    /// (which takes a write lock): for checking again a key already authenticated.
    pub(super) async fn api_key_access(&self, secret: &str) -> Result<(ApiKey, Access), ApiError> {
        let (key, org) = self
            .stores
            .identity
            .api_key_by_secret_hash(&sha256_hex(secret.as_bytes()))
            .await?
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "invalid API key"))?;
        let access = Access {
            org_id: org.id,
            org_slug: org.slug,
            plan: org.plan,
            permissions: key.scopes.clone(),
        };
        Ok((key, access))
    }
}

/// One key of the requester's organization that the requester may act on, read in `tx`: they
/// hold `api_keys:manage` and every scope of the key (else they could rotate a reading key and
/// read with it).
async fn managed_key(
    tx: &mut IdentityTx,
    requester: &Requester,
    id: i64,
) -> Result<ApiKeySummary, ApiError> {
    let access = &requester.viewer.access;
    access.require(Permission::ApiKeysManage)?;
    let key = tx
        .api_key(access.org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("API key"))?;
    check_within(access, &key.scopes, "manage this key")?;
    Ok(key)
}

#[async_trait]
impl ApiKeysBackend for Services {
    async fn api_keys(&self, requester: &Requester) -> Result<Vec<ApiKeySummary>, ApiError> {
        requester.viewer.access.require(Permission::ApiKeysManage)?;
        let org = requester.viewer.access.org_id;
        Ok(self.stores.identity.api_keys(org).await?)
    }

    async fn create_api_key(
        &self,
        requester: &Requester,
        name: &str,
        scopes: &[Permission],
    ) -> Result<CreatedApiKey, ApiError> {
        let access = &requester.viewer.access;
        access.require(Permission::ApiKeysManage)?;
        check_within(access, scopes, "create this key").map_err(|e| e.with_field("scopes"))?;
        let mut tx = self.stores.identity.begin().await?;
        let (key, secret) = Self::issue_api_key(&mut tx, access.org_id, name, scopes).await?;
        let scopes: Vec<_> = key.scopes.iter().map(|s| s.as_str()).collect();
        let event = key_event("api_key.created", requester, key.id, &key.name)
            .detail("key_last4", key.last4.clone())
            .detail("scopes", scopes);
        Self::stage(&mut tx, access.org_id, &requester.client, event).await?;
        let key = managed_key(&mut tx, requester, key.id).await?;
        self.commit(tx).await?;
        Ok(CreatedApiKey { key, secret })
    }

    async fn rename_api_key(
        &self,
        requester: &Requester,
        id: i64,
        name: &str,
    ) -> Result<(), ApiError> {
        let name = check_name(name)?;
        let mut tx = self.stores.identity.begin().await?;
        let before = managed_key(&mut tx, requester, id).await?;
        let org = requester.viewer.access.org_id;
        if !tx.rename_api_key(org, id, name).await? {
            return Err(ApiError::not_found("API key"));
        }
        let event = key_event("api_key.updated", requester, id, name)
            .detail("key_last4", before.last4.clone())
            .change("name", before.name, name);
        Self::stage(&mut tx, org, &requester.client, event).await?;
        self.commit(tx).await
    }

    async fn rotate_api_key(
        &self,
        requester: &Requester,
        id: i64,
    ) -> Result<CreatedApiKey, ApiError> {
        let mut tx = self.stores.identity.begin().await?;
        let before = managed_key(&mut tx, requester, id).await?;
        let secret = new_secret();
        let org = requester.viewer.access.org_id;
        if !tx
            .rotate_api_key(org, id, &secret.hash, &secret.last4)
            .await?
        {
            return Err(ApiError::not_found("API key"));
        }
        let event = key_event("api_key.rotated", requester, id, &before.name)
            .detail("key_last4", before.last4.clone())
            .detail("new_key_last4", secret.last4.clone());
        Self::stage(&mut tx, org, &requester.client, event).await?;
        let key = managed_key(&mut tx, requester, id).await?;
        self.commit(tx).await?;
        Ok(CreatedApiKey {
            key,
            secret: secret.secret,
        })
    }

    async fn delete_api_key(&self, requester: &Requester, id: i64) -> Result<(), ApiError> {
        let mut tx = self.stores.identity.begin().await?;
        let before = managed_key(&mut tx, requester, id).await?;
        let org = requester.viewer.access.org_id;
        if !tx.delete_api_key(org, id).await? {
            return Err(ApiError::not_found("API key"));
        }
        let event = key_event("api_key.deleted", requester, id, &before.name)
            .detail("key_last4", before.last4);
        Self::stage(&mut tx, org, &requester.client, event).await?;
        self.commit(tx).await
    }
}
