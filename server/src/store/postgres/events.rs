//! The index of audit events on PostgreSQL: what the indexer writes for each batch of events,
//! one `UNNEST` insert per table.

use crate::store::actors::ActorTallies;
use crate::store::filter_sql::{Dialect, TextIndex};
use crate::store::hourly_counts::HourlyTallies;
use crate::store::log::IndexWriter;
use crate::store::{stored_ip, StoreResult};
use app::model::{search_text, AuditEvent};
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use sqlx::{PgConnection, Postgres};

/// How PostgreSQL spells the index's reads.
pub const DIALECT: Dialect<DateTime<Utc>> = Dialect {
    micros: "CAST(EXTRACT(EPOCH FROM occurred_at) * 1000000 AS BIGINT)",
    text_index: TextIndex::TrigramLike,
    time: |t| t,
    unindexed_ip: "(ip_bytes || ''::bytea)",
};

impl IndexWriter for Postgres {
    fn write_index<'e>(
        conn: &'e mut PgConnection,
        org_id: i64,
        events: &'e [AuditEvent],
    ) -> BoxFuture<'e, StoreResult<()>> {
        Box::pin(index(conn, org_id, events))
    }
}

/// Writes the index rows of `events` (their search columns, targets, free text, actors and
/// hourly counts).
async fn index(conn: &mut PgConnection, org_id: i64, events: &[AuditEvent]) -> StoreResult<()> {
    let mut columns = Columns::default();
    let mut actors = ActorTallies::default();
    let mut hourly = HourlyTallies::default();
    for event in events {
        columns.push(event);
        actors.add(event);
        hourly.add(event);
    }
    columns.insert(conn, org_id).await?;
    add_actor_tallies(conn, org_id, actors).await?;
    add_hourly_tallies(conn, org_id, hourly).await
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
    search_text: Vec<String>,
    target_seq: Vec<i64>,
    target_kind: Vec<String>,
    target_id: Vec<String>,
}

impl Columns {
    fn push(&mut self, e: &AuditEvent) {
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
        self.search_text.push(search_text(e));
        for t in &e.targets {
            self.target_seq.push(e.seq);
            self.target_kind.push(t.kind.clone());
            self.target_id.push(t.id.clone());
        }
    }

    async fn insert(self, conn: &mut PgConnection, org_id: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO events (org_id, seq, id, occurred_at, received_at, action, category,
                 actor_type, actor_id, actor_label, ip, ip_bytes, environment, result, search_text)
             SELECT $1, * FROM UNNEST($2::bigint[], $3::text[], $4::timestamptz[],
                 $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                 $11::text[], $12::bytea[], $13::text[], $14::text[], $15::text[])",
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
        .bind(self.search_text)
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

/// Adds per-actor tallies to the `actors` table in one statement.
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

/// Adds hourly tallies to the hourly count tables, one statement per table.
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
