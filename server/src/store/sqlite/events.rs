//! The index of audit events on SQLite: what the indexer writes for each event.

use super::micros;
use crate::store::actors::ActorTallies;
use crate::store::filter_sql::{Dialect, TextIndex};
use crate::store::hourly_counts::HourlyTallies;
use crate::store::log::IndexWriter;
use crate::store::{stored_ip, StoreResult};
use app::model::{search_text, AuditEvent, Target};
use futures::future::BoxFuture;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

/// How SQLite spells the index's reads.
pub const DIALECT: Dialect<i64> = Dialect {
    micros: "occurred_at",
    text_index: TextIndex::Fts5Trigram,
    time: micros,
    unindexed_ip: "+ip_bytes",
};

/// Rows per multi-row `INSERT` (SQLite takes at most 32,766 parameters per statement). Each is
/// run once and not kept prepared (why: `LogDatabase`).
const ROWS_PER_INSERT: usize = 1000;

impl IndexWriter for Sqlite {
    fn write_index<'e>(
        conn: &'e mut SqliteConnection,
        org_id: i64,
        events: &'e [AuditEvent],
    ) -> BoxFuture<'e, StoreResult<()>> {
        Box::pin(index(conn, org_id, events))
    }
}

/// Writes the index rows of `events` (their search columns, targets, free text, actors and
/// hourly counts), a few multi-row statements per table.
async fn index(conn: &mut SqliteConnection, org_id: i64, events: &[AuditEvent]) -> StoreResult<()> {
    let mut actors = ActorTallies::default();
    let mut hourly = HourlyTallies::default();
    for chunk in events.chunks(ROWS_PER_INSERT) {
        insert_events(conn, org_id, chunk).await?;
        let targets: Vec<(i64, &Target)> = chunk
            .iter()
            .flat_map(|e| e.targets.iter().map(move |t| (e.seq, t)))
            .collect();
        for targets in targets.chunks(ROWS_PER_INSERT) {
            let mut query = QueryBuilder::<Sqlite>::new(
                "INSERT INTO event_targets (org_id, seq, kind, target_id) ",
            );
            query.push_values(targets, |mut row, (seq, target)| {
                row.push_bind(org_id)
                    .push_bind(*seq)
                    .push_bind(target.kind.as_str())
                    .push_bind(target.id.as_str());
            });
            query.build().persistent(false).execute(&mut *conn).await?;
        }
        for event in chunk {
            actors.add(event);
            hourly.add(event);
        }
    }
    add_actor_tallies(conn, org_id, actors).await?;
    add_hourly_tallies(conn, org_id, hourly).await
}

async fn insert_events(
    conn: &mut SqliteConnection,
    org_id: i64,
    events: &[AuditEvent],
) -> StoreResult<()> {
    let mut query = QueryBuilder::<Sqlite>::new(
        "INSERT INTO events (org_id, seq, id, occurred_at, received_at, action, category, \
         actor_type, actor_id, actor_label, ip, ip_bytes, environment, result, search_text) ",
    );
    query.push_values(events, |mut row, event| {
        row.push_bind(org_id)
            .push_bind(event.seq)
            .push_bind(event.id.as_str())
            .push_bind(micros(event.occurred_at))
            .push_bind(micros(event.received_at))
            .push_bind(event.action.as_str())
            .push_bind(event.category.as_str())
            .push_bind(event.actor.kind.as_str())
            .push_bind(event.actor.id.as_str())
            .push_bind(event.actor.label().to_lowercase())
            .push_bind(event.context.ip.as_deref())
            .push_bind(stored_ip(event))
            .push_bind(event.context.environment.as_deref())
            .push_bind(event.result.as_str())
            .push_bind(search_text(event));
    });
    query.build().persistent(false).execute(&mut *conn).await?;
    Ok(())
}

/// Adds per-actor tallies to the `actors` table.
async fn add_actor_tallies(
    conn: &mut SqliteConnection,
    org_id: i64,
    actors: ActorTallies,
) -> StoreResult<()> {
    let rows: Vec<_> = actors.into_rows().collect();
    for rows in rows.chunks(ROWS_PER_INSERT) {
        let mut query = QueryBuilder::<Sqlite>::new(
            "INSERT INTO actors (org_id, label, actor_type, event_count, last_seen) ",
        );
        query.push_values(rows, |mut row, actor| {
            row.push_bind(org_id)
                .push_bind(actor.label.as_str())
                .push_bind(actor.actor_type)
                .push_bind(actor.events)
                .push_bind(actor.last_seen);
        });
        query.push(
            " ON CONFLICT (org_id, label) DO UPDATE SET \
             event_count = event_count + excluded.event_count, \
             last_seen = max(last_seen, excluded.last_seen)",
        );
        query.build().persistent(false).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Adds hourly tallies to the hourly count tables.
async fn add_hourly_tallies(
    conn: &mut SqliteConnection,
    org_id: i64,
    tallies: HourlyTallies,
) -> StoreResult<()> {
    let by_action: Vec<_> = tallies.by_action.into_iter().collect();
    for rows in by_action.chunks(ROWS_PER_INSERT) {
        let mut query = QueryBuilder::<Sqlite>::new(
            "INSERT INTO hourly_action_counts (org_id, hour, action, category, result, n) ",
        );
        query.push_values(rows, |mut row, ((hour, action, category, result), n)| {
            row.push_bind(org_id)
                .push_bind(*hour)
                .push_bind(action.as_str())
                .push_bind(category.as_str())
                .push_bind(*result)
                .push_bind(*n);
        });
        query.push(
            " ON CONFLICT (org_id, hour, action, category, result) DO UPDATE SET n = n + excluded.n",
        );
        query.build().persistent(false).execute(&mut *conn).await?;
    }
    let by_actor: Vec<_> = tallies.by_actor.into_iter().collect();
    for rows in by_actor.chunks(ROWS_PER_INSERT) {
        let mut query = QueryBuilder::<Sqlite>::new(
            "INSERT INTO hourly_actor_counts (org_id, hour, actor_label, actor_id, n) ",
        );
        query.push_values(rows, |mut row, ((hour, label, id), n)| {
            row.push_bind(org_id)
                .push_bind(*hour)
                .push_bind(label.as_str())
                .push_bind(id.as_str())
                .push_bind(*n);
        });
        query.push(
            " ON CONFLICT (org_id, hour, actor_label, actor_id) DO UPDATE SET n = n + excluded.n",
        );
        query.build().persistent(false).execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::DIALECT;
    use crate::store::filter_sql::{read_query, Read};
    use crate::store::index_reads::hints;
    use crate::store::{log, EventStore, SqliteStore, WriteGate};
    use app::model::EventFilter;
    use chrono::{Duration, Utc};
    use sqlx::Sqlite;

    /// How SQLite plans an export's read (in `seq` order, up to a snapshot) of `filter`.
    async fn export_plan(store: &SqliteStore, filter: EventFilter) -> String {
        let filter = EventFilter {
            through_seq: Some(1_000_000),
            ..filter
        };
        let read = Read::AfterSeq {
            after: 0,
            limit: 2000,
        };
        let mut tx = log::snapshot(store.pool()).await.unwrap();
        let hints = hints(&mut tx, &DIALECT, 1, &filter, read).await.unwrap();
        let query = read_query::<Sqlite, _>(&DIALECT, 1, &filter, read, &hints);
        let explain = format!("EXPLAIN QUERY PLAN {}", query.sql());
        let steps: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(&explain).fetch_all(&mut *tx).await.unwrap();
        steps
            .into_iter()
            .map(|(.., detail)| detail)
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// An export of a recent window finds its few events through the time index; walking the
    /// organization's events in `seq` order to find them took seconds per chunk at 400,000
    /// events under the load test. Without a window the walk in order is the right read.
    #[tokio::test]
    async fn an_export_of_a_sparse_window_reads_the_time_index() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("plan.db").display());
        let store = SqliteStore::connect(&url, WriteGate::for_url(&url))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let recent = EventFilter {
            from: Some(Utc::now() - Duration::seconds(2)),
            ..EventFilter::default()
        };
        let plan = export_plan(&store, recent).await;
        assert!(plan.contains("events_by_time"), "{plan}");
        let plan = export_plan(&store, EventFilter::default()).await;
        assert!(!plan.contains("events_by_time"), "{plan}");
    }
}
