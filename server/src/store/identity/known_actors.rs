//! The actors an organization's log has seen (the `actors` table, which each append keeps up to
//! date), read for the actor filter's typeahead.

use super::{from_micros, IdentityStore};
use crate::store::filter_sql::like_contains;
use crate::store::{StoreError, StoreResult};
use app::model::{ActorType, KnownActor};

impl IdentityStore {
    /// Up to `limit` of the organization's actors whose label contains `text`
    /// (case-insensitive), most active first.
    pub async fn known_actors(
        &self,
        org_id: i64,
        text: &str,
        limit: u32,
    ) -> StoreResult<Vec<KnownActor>> {
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT label, actor_type, event_count, last_seen FROM actors
             WHERE org_id = $1 AND label LIKE $2 ESCAPE '\\'
             ORDER BY event_count DESC, label LIMIT $3",
        )
        .bind(org_id)
        .bind(like_contains(&text.trim().to_lowercase()))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(label, actor_type, events, last_seen)| {
                Ok(KnownActor {
                    label,
                    kind: actor_type_named(&actor_type)?,
                    events: u64::try_from(events).unwrap_or(0),
                    last_seen: from_micros(last_seen)?,
                })
            })
            .collect()
    }
}

/// The actor type stored under its wire name.
fn actor_type_named(name: &str) -> StoreResult<ActorType> {
    [
        ActorType::User,
        ActorType::ApiKey,
        ActorType::ServiceAccount,
        ActorType::System,
    ]
    .into_iter()
    .find(|k| k.as_str() == name)
    .ok_or_else(|| StoreError::Corrupt(format!("actor type {name}")))
}
