//! Appending, listing and counting audit events on SQLite.

use super::{micros, EventDraft, StoreResult};
use crate::chain::{self, ChainHead, Originals};
use crate::store::actors::ActorTallies;
use crate::store::filter_sql::{
    ip_density_query, read_query, Dialect, Hints, Read, TextIndex, DENSE_IP_MATCHES,
};
use crate::store::hourly_counts::{actor_pairs_query, exact_actor_ids, HourlyTallies};
use crate::store::{decode_event, encode_event, stored_ip};
use app::model::{search_text, AuditEvent, EventFilter};
use chrono::{SubsecRound, Utc};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

/// The originals of events whose idempotency keys were stored before.
async fn stored_by_idempotency_keys(
    conn: &mut SqliteConnection,
    org_id: i64,
    keys: &[String],
) -> StoreResult<Originals> {
    if keys.is_empty() {
        return Ok(Originals::new());
    }
    let mut query = QueryBuilder::<Sqlite>::new(
        "SELECT idempotency_key, content_hash, data FROM events WHERE org_id = ",
    );
    query.push_bind(org_id).push(" AND idempotency_key IN (");
    let mut list = query.separated(", ");
    for key in keys {
        list.push_bind(key);
    }
    query.push(")");
    let found: Vec<(String, String, String)> = query.build_query_as().fetch_all(conn).await?;
    found
        .into_iter()
        .map(|(key, hash, data)| Ok((key, (hash, decode_event(&data)?))))
        .collect()
}

async fn insert(
    conn: &mut SqliteConnection,
    org_id: i64,
    event: &AuditEvent,
    content_hash: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO events (org_id, seq, id, occurred_at, received_at, action, category,
             actor_type, actor_id, actor_label, ip, ip_bytes, environment, result,
             idempotency_key, content_hash, hash, search_text, data)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    .bind(&event.idempotency_key)
    .bind(content_hash)
    .bind(&event.hash)
    .bind(search_text(event))
    .bind(encode_event(event)?)
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

pub async fn append(
    pool: &SqlitePool,
    org_id: i64,
    batch: Vec<EventDraft>,
) -> StoreResult<Vec<AuditEvent>> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let head: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM chain_heads WHERE org_id = ?")
            .bind(org_id)
            .fetch_optional(&mut *tx)
            .await?;
    let head = head.map_or_else(ChainHead::genesis, |(seq, hash)| ChainHead { seq, hash });
    let keys: Vec<String> = batch
        .iter()
        .filter_map(|d| d.event.idempotency_key.clone())
        .collect();
    let originals = stored_by_idempotency_keys(&mut tx, org_id, &keys).await?;
    let linked = chain::link(head, batch, originals, Utc::now().trunc_subsecs(6))?;
    let mut actors = ActorTallies::default();
    let mut hourly = HourlyTallies::default();
    for (at, content_hash) in &linked.new {
        let event = &linked.events[*at];
        insert(&mut tx, org_id, event, content_hash).await?;
        actors.add(event);
        hourly.add(event);
    }
    sqlx::query(
        "INSERT INTO chain_heads (org_id, seq, hash) VALUES (?, ?, ?)
         ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
    )
    .bind(org_id)
    .bind(linked.head.seq)
    .bind(&linked.head.hash)
    .execute(&mut *tx)
    .await?;
    add_actor_tallies(&mut tx, org_id, actors).await?;
    add_hourly_tallies(&mut tx, org_id, hourly).await?;
    tx.commit().await?;
    Ok(linked.events)
}

/// Adds a batch's per-actor tallies to the `actors` table.
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

/// Adds a batch's hourly tallies to the hourly count tables.
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

const DIALECT: Dialect<i64> = Dialect {
    micros: "occurred_at",
    text_index: TextIndex::Fts5Trigram,
    time: micros,
    unindexed_ip: "+ip_bytes",
};

/// The matching events of a list or collector read.
pub async fn read(
    pool: &SqlitePool,
    org_id: i64,
    filter: &EventFilter,
    read: Read<'_>,
) -> StoreResult<Vec<AuditEvent>> {
    let newest_first = matches!(read, Read::Keyset { .. });
    let hints = hints(pool, org_id, filter, newest_first).await?;
    let mut query = read_query(&DIALECT, org_id, filter, read, &hints);
    let rows: Vec<(String,)> = query.build_query_as().fetch_all(pool).await?;
    rows.iter().map(|(data,)| decode_event(data)).collect()
}

/// The hints for reading `filter`: its actors resolved to ids, and for a newest-first read,
/// whether its IP ranges are dense (at least [`DENSE_IP_MATCHES`] events).
async fn hints(
    pool: &SqlitePool,
    org_id: i64,
    filter: &EventFilter,
    newest_first: bool,
) -> StoreResult<Hints> {
    let mut hints = Hints::default();
    let actors = &filter.include.actors;
    if !actors.is_empty() {
        let mut pairs = actor_pairs_query(org_id, actors);
        hints.actor_ids = exact_actor_ids(pairs.build_query_as().fetch_all(pool).await?, actors);
    }
    if let Some(mut probe) = ip_density_query(org_id, filter).filter(|_| newest_first) {
        let (n,): (i64,) = probe.build_query_as().fetch_one(pool).await?;
        if n >= DENSE_IP_MATCHES {
            hints.ip_column = DIALECT.unindexed_ip;
        }
    }
    Ok(hints)
}

pub async fn count(pool: &SqlitePool, org_id: i64, filter: &EventFilter) -> StoreResult<u64> {
    let hints = hints(pool, org_id, filter, false).await?;
    let mut query = read_query(&DIALECT, org_id, filter, Read::Count, &hints);
    let (n,): (i64,) = query.build_query_as().fetch_one(pool).await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub async fn histogram(
    pool: &SqlitePool,
    org_id: i64,
    filter: &EventFilter,
    bucket_micros: i64,
) -> StoreResult<Vec<(i64, i64, i64)>> {
    let hints = hints(pool, org_id, filter, false).await?;
    let read = Read::Histogram { bucket_micros };
    let mut query = read_query(&DIALECT, org_id, filter, read, &hints);
    Ok(query.build_query_as().fetch_all(pool).await?)
}

pub async fn by_id(pool: &SqlitePool, org_id: i64, id: &str) -> StoreResult<Option<AuditEvent>> {
    let data: Option<String> =
        sqlx::query_scalar("SELECT data FROM events WHERE org_id = ? AND id = ?")
            .bind(org_id)
            .bind(id)
            .fetch_optional(pool)
            .await?;
    data.as_deref().map(decode_event).transpose()
}

pub async fn head_seq(pool: &SqlitePool, org_id: i64) -> StoreResult<i64> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM chain_heads WHERE org_id = ?")
        .bind(org_id)
        .fetch_optional(pool)
        .await?;
    Ok(seq.unwrap_or(0))
}
