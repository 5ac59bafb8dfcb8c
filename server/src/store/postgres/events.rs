//! Appending, listing and counting audit events on PostgreSQL.

use super::{EventDraft, StoreResult};
use crate::chain::{self, ChainHead, Originals};
use crate::store::actors::ActorTallies;
use crate::store::filter_sql::{
    ip_density_query, read_query, Dialect, Hints, Read, TextIndex, DENSE_IP_MATCHES,
};
use crate::store::hourly_counts::{actor_pairs_query, exact_actor_ids, HourlyTallies};
use crate::store::{decode_event, encode_event, stored_ip};
use app::model::{search_text, AuditEvent, EventFilter};
use chrono::{DateTime, SubsecRound, Utc};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};

/// The originals of events whose idempotency keys were stored before.
async fn stored_by_idempotency_keys(
    conn: &mut PgConnection,
    org_id: i64,
    keys: &[String],
) -> StoreResult<Originals> {
    if keys.is_empty() {
        return Ok(Originals::new());
    }
    let found: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT k.idempotency_key, k.content_hash, e.data
         FROM idempotency_keys k
         JOIN events e ON e.org_id = k.org_id AND e.occurred_at = k.occurred_at AND e.id = k.event_id
         WHERE k.org_id = $1 AND k.idempotency_key = ANY($2)",
    )
    .bind(org_id)
    .bind(keys)
    .fetch_all(conn)
    .await?;
    found
        .into_iter()
        .map(|(key, hash, data)| Ok((key, (hash, decode_event(&data)?))))
        .collect()
}

/// The column arrays of a batch, for one `INSERT … SELECT FROM UNNEST(…)`.
#[derive(Default)]
struct Columns {
    seq: Vec<i64>,
    id: Vec<String>,
    occurred_at: Vec<DateTime<Utc>>,
    received_at: Vec<DateTime<Utc>>,
    action: Vec<String>,
    category: Vec<String>,
    actor_type: Vec<&'static str>,
    actor_id: Vec<String>,
    actor_label: Vec<String>,
    ip: Vec<Option<String>>,
    ip_bytes: Vec<Option<Vec<u8>>>,
    environment: Vec<Option<String>>,
    result: Vec<&'static str>,
    hash: Vec<String>,
    search_text: Vec<String>,
    data: Vec<String>,
    target_seq: Vec<i64>,
    target_kind: Vec<String>,
    target_id: Vec<String>,
}

impl Columns {
    fn push(&mut self, e: &AuditEvent) -> StoreResult<()> {
        self.seq.push(e.seq);
        self.id.push(e.id.clone());
        self.occurred_at.push(e.occurred_at);
        self.received_at.push(e.received_at);
        self.action.push(e.action.clone());
        self.category.push(e.category.clone());
        self.actor_type.push(e.actor.kind.as_str());
        self.actor_id.push(e.actor.id.clone());
        self.actor_label.push(e.actor.label().to_lowercase());
        self.ip.push(e.context.ip.clone());
        self.ip_bytes.push(stored_ip(e));
        self.environment.push(e.context.environment.clone());
        self.result.push(e.result.as_str());
        self.hash.push(e.hash.clone());
        self.search_text.push(search_text(e));
        self.data.push(encode_event(e)?);
        for t in &e.targets {
            self.target_seq.push(e.seq);
            self.target_kind.push(t.kind.clone());
            self.target_id.push(t.id.clone());
        }
        Ok(())
    }

    async fn insert(self, conn: &mut PgConnection, org_id: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO events (org_id, seq, id, occurred_at, received_at, action, category,
                 actor_type, actor_id, actor_label, ip, ip_bytes, environment, result, hash,
                 search_text, data)
             SELECT $1, * FROM UNNEST($2::bigint[], $3::text[], $4::timestamptz[],
                 $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                 $11::text[], $12::bytea[], $13::text[], $14::text[], $15::text[], $16::text[],
                 $17::text[])",
        )
        .bind(org_id)
        .bind(self.seq)
        .bind(self.id)
        .bind(self.occurred_at)
        .bind(self.received_at)
        .bind(self.action)
        .bind(self.category)
        .bind(self.actor_type)
        .bind(self.actor_id)
        .bind(self.actor_label)
        .bind(self.ip)
        .bind(self.ip_bytes)
        .bind(self.environment)
        .bind(self.result)
        .bind(self.hash)
        .bind(self.search_text)
        .bind(self.data)
        .execute(&mut *conn)
        .await?;
        if !self.target_seq.is_empty() {
            sqlx::query(
                "INSERT INTO event_targets (org_id, seq, kind, target_id)
                 SELECT $1, * FROM UNNEST($2::bigint[], $3::text[], $4::text[])",
            )
            .bind(org_id)
            .bind(self.target_seq)
            .bind(self.target_kind)
            .bind(self.target_id)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}

/// Adds a batch's per-actor tallies to the `actors` table in one statement.
async fn add_actor_tallies(
    conn: &mut PgConnection,
    org_id: i64,
    actors: ActorTallies,
) -> StoreResult<()> {
    let (mut labels, mut types, mut counts, mut seen) = (vec![], vec![], vec![], vec![]);
    for actor in actors.into_rows() {
        labels.push(actor.label);
        types.push(actor.actor_type);
        counts.push(actor.events);
        seen.push(actor.last_seen);
    }
    if labels.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO actors (org_id, label, actor_type, event_count, last_seen)
         SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::bigint[], $5::bigint[])
         ON CONFLICT (org_id, label) DO UPDATE SET
             event_count = actors.event_count + excluded.event_count,
             last_seen = GREATEST(actors.last_seen, excluded.last_seen)",
    )
    .bind(org_id)
    .bind(labels)
    .bind(types)
    .bind(counts)
    .bind(seen)
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds a batch's hourly tallies to the hourly count tables, one statement per table.
async fn add_hourly_tallies(
    conn: &mut PgConnection,
    org_id: i64,
    tallies: HourlyTallies,
) -> StoreResult<()> {
    let (mut hours, mut actions, mut categories, mut results, mut counts) =
        (vec![], vec![], vec![], vec![], vec![]);
    for ((hour, action, category, result), n) in tallies.by_action {
        hours.push(hour);
        actions.push(action);
        categories.push(category);
        results.push(result);
        counts.push(n);
    }
    if hours.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO hourly_action_counts (org_id, hour, action, category, result, n)
         SELECT $1, * FROM UNNEST($2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[])
         ON CONFLICT (org_id, hour, action, category, result)
         DO UPDATE SET n = hourly_action_counts.n + excluded.n",
    )
    .bind(org_id)
    .bind(hours)
    .bind(actions)
    .bind(categories)
    .bind(results)
    .bind(counts)
    .execute(&mut *conn)
    .await?;
    let (mut hours, mut labels, mut ids, mut counts) = (vec![], vec![], vec![], vec![]);
    for ((hour, label, id), n) in tallies.by_actor {
        hours.push(hour);
        labels.push(label);
        ids.push(id);
        counts.push(n);
    }
    sqlx::query(
        "INSERT INTO hourly_actor_counts (org_id, hour, actor_label, actor_id, n)
         SELECT $1, * FROM UNNEST($2::bigint[], $3::text[], $4::text[], $5::bigint[])
         ON CONFLICT (org_id, hour, actor_label, actor_id)
         DO UPDATE SET n = hourly_actor_counts.n + excluded.n",
    )
    .bind(org_id)
    .bind(hours)
    .bind(labels)
    .bind(ids)
    .bind(counts)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn append(
    pool: &PgPool,
    org_id: i64,
    batch: Vec<EventDraft>,
) -> StoreResult<Vec<AuditEvent>> {
    let mut tx = pool.begin().await?;
    // The head row's lock serialises appends to this organization across processes.
    let (seq, hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM chain_heads WHERE org_id = $1 FOR UPDATE")
            .bind(org_id)
            .fetch_one(&mut *tx)
            .await?;
    let keys: Vec<String> = batch
        .iter()
        .filter_map(|d| d.event.idempotency_key.clone())
        .collect();
    let originals = stored_by_idempotency_keys(&mut tx, org_id, &keys).await?;
    let linked = chain::link(
        ChainHead { seq, hash },
        batch,
        originals,
        Utc::now().trunc_subsecs(6),
    )?;
    let mut columns = Columns::default();
    let mut new_keys: Vec<(String, String, DateTime<Utc>, String)> = Vec::new();
    let mut actors = ActorTallies::default();
    let mut hourly = HourlyTallies::default();
    for (at, content_hash) in &linked.new {
        let event = &linked.events[*at];
        columns.push(event)?;
        actors.add(event);
        hourly.add(event);
        if let Some(key) = &event.idempotency_key {
            new_keys.push((
                key.clone(),
                event.id.clone(),
                event.occurred_at,
                content_hash.clone(),
            ));
        }
    }

    columns.insert(&mut tx, org_id).await?;
    add_actor_tallies(&mut tx, org_id, actors).await?;
    add_hourly_tallies(&mut tx, org_id, hourly).await?;
    if !new_keys.is_empty() {
        let mut qb = QueryBuilder::<Postgres>::new(
            "INSERT INTO idempotency_keys (org_id, idempotency_key, event_id, occurred_at, content_hash) ",
        );
        qb.push_values(new_keys, |mut row, (key, id, at, hash)| {
            row.push_bind(org_id)
                .push_bind(key)
                .push_bind(id)
                .push_bind(at)
                .push_bind(hash);
        });
        qb.build().execute(&mut *tx).await?;
    }
    sqlx::query("UPDATE chain_heads SET seq = $2, hash = $3 WHERE org_id = $1")
        .bind(org_id)
        .bind(linked.head.seq)
        .bind(&linked.head.hash)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(linked.events)
}

const DIALECT: Dialect<DateTime<Utc>> = Dialect {
    micros: "CAST(EXTRACT(EPOCH FROM occurred_at) * 1000000 AS BIGINT)",
    text_index: TextIndex::TrigramLike,
    time: |t| t,
    unindexed_ip: "(ip_bytes || ''::bytea)",
};

/// The matching events of a list or collector read.
pub async fn read(
    pool: &PgPool,
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
    pool: &PgPool,
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

pub async fn count(pool: &PgPool, org_id: i64, filter: &EventFilter) -> StoreResult<u64> {
    let hints = hints(pool, org_id, filter, false).await?;
    let mut query = read_query(&DIALECT, org_id, filter, Read::Count, &hints);
    let (n,): (i64,) = query.build_query_as().fetch_one(pool).await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub async fn histogram(
    pool: &PgPool,
    org_id: i64,
    filter: &EventFilter,
    bucket_micros: i64,
) -> StoreResult<Vec<(i64, i64, i64)>> {
    let hints = hints(pool, org_id, filter, false).await?;
    let read = Read::Histogram { bucket_micros };
    let mut query = read_query(&DIALECT, org_id, filter, read, &hints);
    Ok(query.build_query_as().fetch_all(pool).await?)
}

pub async fn by_id(pool: &PgPool, org_id: i64, id: &str) -> StoreResult<Option<AuditEvent>> {
    let data: Option<String> =
        sqlx::query_scalar("SELECT data FROM events WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .fetch_optional(pool)
            .await?;
    data.as_deref().map(decode_event).transpose()
}

pub async fn head_seq(pool: &PgPool, org_id: i64) -> StoreResult<i64> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM chain_heads WHERE org_id = $1")
        .bind(org_id)
        .fetch_optional(pool)
        .await?;
    Ok(seq.unwrap_or(0))
}
