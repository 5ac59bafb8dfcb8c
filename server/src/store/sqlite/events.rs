//! The index of audit events on SQLite: what the indexer writes for each event.

use super::micros;
use crate::store::actors::ActorTallies;
use crate::store::filter_sql::{Dialect, TextIndex};
use crate::store::hourly_counts::HourlyTallies;
use crate::store::{stored_ip, StoreResult};
use app::model::{search_text, AuditEvent};
use sqlx::SqliteConnection;

/// How SQLite spells the index's reads.
pub const DIALECT: Dialect<i64> = Dialect {
    micros: "occurred_at",
    text_index: TextIndex::Fts5Trigram,
    time: micros,
    unindexed_ip: "+ip_bytes",
};

/// Writes the index rows of `events` (their search columns, targets, free text, actors and
/// hourly counts).
pub async fn index(
    conn: &mut SqliteConnection,
    org_id: i64,
    events: &[AuditEvent],
) -> StoreResult<()> {
    let mut actors = ActorTallies::default();
    let mut hourly = HourlyTallies::default();
    for event in events {
        insert(conn, org_id, event).await?;
        actors.add(event);
        hourly.add(event);
    }
    add_actor_tallies(conn, org_id, actors).await?;
    add_hourly_tallies(conn, org_id, hourly).await
}

async fn insert(conn: &mut SqliteConnection, org_id: i64, event: &AuditEvent) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO events (org_id, seq, id, occurred_at, received_at, action, category,
             actor_type, actor_id, actor_label, ip, ip_bytes, environment, result, search_text)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(org_id)
    .bind(event.seq)
    .bind(&event.id)
    .bind(micros(event.occurred_at))
    .bind(micros(event.received_at))
    .bind(&event.action)
    .bind(&event.category)
    .bind(event.actor.kind.as_str())
    .bind(&event.actor.id)
    .bind(event.actor.label().to_lowercase())
    .bind(&event.context.ip)
    .bind(stored_ip(event))
    .bind(&event.context.environment)
    .bind(event.result.as_str())
    .bind(search_text(event))
    .execute(&mut *conn)
    .await?;
    for target in &event.targets {
        sqlx::query("INSERT INTO event_targets (org_id, seq, kind, target_id) VALUES (?, ?, ?, ?)")
            .bind(org_id)
            .bind(event.seq)
            .bind(&target.kind)
            .bind(&target.id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Adds per-actor tallies to the `actors` table.
async fn add_actor_tallies(
    conn: &mut SqliteConnection,
    org_id: i64,
    actors: ActorTallies,
) -> StoreResult<()> {
    for actor in actors.into_rows() {
        sqlx::query(
            "INSERT INTO actors (org_id, label, actor_type, event_count, last_seen)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (org_id, label) DO UPDATE SET
                 event_count = event_count + excluded.event_count,
                 last_seen = max(last_seen, excluded.last_seen)",
        )
        .bind(org_id)
        .bind(actor.label)
        .bind(actor.actor_type)
        .bind(actor.events)
        .bind(actor.last_seen)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Adds hourly tallies to the hourly count tables.
async fn add_hourly_tallies(
    conn: &mut SqliteConnection,
    org_id: i64,
    tallies: HourlyTallies,
) -> StoreResult<()> {
    for ((hour, action, category, result), n) in tallies.by_action {
        sqlx::query(
            "INSERT INTO hourly_action_counts (org_id, hour, action, category, result, n)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (org_id, hour, action, category, result) DO UPDATE SET n = n + excluded.n",
        )
        .bind(org_id)
        .bind(hour)
        .bind(action)
        .bind(category)
        .bind(result)
        .bind(n)
        .execute(&mut *conn)
        .await?;
    }
    for ((hour, label, id), n) in tallies.by_actor {
        sqlx::query(
            "INSERT INTO hourly_actor_counts (org_id, hour, actor_label, actor_id, n)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (org_id, hour, actor_label, actor_id) DO UPDATE SET n = n + excluded.n",
        )
        .bind(org_id)
        .bind(hour)
        .bind(label)
        .bind(id)
        .bind(n)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
