//! `auditrail-bench ingest`: events/s through `POST /api/v1/events` (batches from concurrent
//! clients into a fresh database), then the same stored rows written by the raw database path
//! in the same run: a plain batched sqlx INSERT loop on SQLite, `COPY` on PostgreSQL.

use super::server_process::{api_key, cli, quantile, ServerProcess};
use server::demo::EventGenerator;
use sqlx::{Connection, Executor};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// sqlite or postgres.
    #[arg(long, default_value = "sqlite")]
    database: String,
    /// Events to ingest.
    #[arg(long, default_value_t = 200_000)]
    events: usize,
    /// Events per request.
    #[arg(long, default_value_t = 500)]
    batch: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// PostgreSQL server for `--database postgres` (a database on it to connect to).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    postgres: String,
}

/// The columns both the HTTP path and the raw path write (SQLite also keeps idempotency keys in
/// `events`; PostgreSQL keeps them in their own table).
const EVENT_COLUMNS: &str = "org_id, seq, id, occurred_at, received_at, action, category, \
     actor_type, actor_id, actor_label, ip, ip_bytes, environment, result, hash, search_text, data";
const SQLITE_EVENT_COLUMNS: &str = "org_id, seq, id, occurred_at, received_at, action, category, \
     actor_type, actor_id, actor_label, ip, ip_bytes, environment, result, hash, search_text, data, \
     idempotency_key, content_hash";
const TARGET_COLUMNS: &str = "org_id, seq, kind, target_id";

/// A throw-away database: two of them per run (HTTP, then raw).
struct Scratch {
    urls: [String; 2],
    admin: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl Scratch {
    async fn new(args: &Args) -> Self {
        if args.database == "postgres" {
            let stamp = std::process::id();
            let server = args
                .postgres
                .rsplit_once('/')
                .map_or(args.postgres.as_str(), |(s, _)| s);
            let mut admin = sqlx::PgConnection::connect(&args.postgres)
                .await
                .expect("PostgreSQL");
            let mut urls = Vec::new();
            for which in ["http", "raw"] {
                let name = format!("auditrail_bench_{which}_{stamp}");
                admin
                    .execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
                    .await
                    .expect("drop");
                admin
                    .execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("create");
                urls.push(format!("{server}/{name}"));
            }
            Self {
                urls: [urls[0].clone(), urls[1].clone()],
                admin: Some(args.postgres.clone()),
                _dir: None,
            }
        } else {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = |n: &str| format!("sqlite://{}", dir.path().join(n).display());
            Self {
                urls: [url("http.db"), url("raw.db")],
                admin: None,
                _dir: Some(dir),
            }
        }
    }

    async fn drop_databases(&self) {
        if let Some(admin) = &self.admin {
            let mut conn = sqlx::PgConnection::connect(admin)
                .await
                .expect("PostgreSQL");
            for url in &self.urls {
                let name = url.rsplit('/').next().unwrap_or_default();
                let _ = conn
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await;
            }
        }
    }
}

/// Realistic events as ready-to-send request bodies of `batch` events each.
fn bodies(events: usize, batch: usize) -> Vec<String> {
    let mut generator = EventGenerator::new(events);
    let mut out = Vec::new();
    while let Some(chunk) = generator.next_batch(batch) {
        out.push(serde_json::json!({ "events": chunk }).to_string());
    }
    out
}

/// Posts every body from `clients` concurrent clients; answers seconds and sorted latencies (ms).
async fn post_all(base: &str, key: &str, bodies: Vec<String>, clients: usize) -> (f64, Vec<f64>) {
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (bodies, next) = (bodies.clone(), next.clone());
            let (url, key) = (format!("{base}/api/v1/events"), key.to_owned());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = bodies.get(i) else {
                        return latencies;
                    };
                    let sent = Instant::now();
                    let res = http
                        .post(&url)
                        .bearer_auth(&key)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .expect("POST /api/v1/events");
                    assert_eq!(
                        res.status().as_u16(),
                        201,
                        "ingest failed: {}",
                        res.text().await.unwrap_or_default()
                    );
                    latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                }
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.expect("client"));
    }
    let seconds = start.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    (seconds, latencies)
}

/// Writes the rows the HTTP run stored into the fresh second SQLite database: one prepared
/// INSERT per row, `batch` rows per transaction. Answers seconds.
async fn raw_sqlite(from: &str, to: &str, batch: usize) -> f64 {
    let source = sqlx::SqlitePool::connect(from).await.expect("source");
    let target = sqlx::SqlitePool::connect(to).await.expect("target");
    target
        .execute("PRAGMA synchronous = NORMAL")
        .await
        .expect("pragma");
    let mut seconds = 0.0;
    for (table, columns) in [
        ("events", SQLITE_EVENT_COLUMNS),
        ("event_targets", TARGET_COLUMNS),
    ] {
        let rows = sqlx::query(&format!(
            "SELECT {columns} FROM {table} ORDER BY org_id, seq"
        ))
        .fetch_all(&source)
        .await
        .expect("read rows");
        let n = columns.split(',').count();
        let placeholders = vec!["?"; n].join(", ");
        let insert = format!("INSERT INTO {table} ({columns}) VALUES ({placeholders})");
        let start = Instant::now();
        for chunk in rows.chunks(batch) {
            let mut tx = target.begin().await.expect("begin");
            for row in chunk {
                let mut query = sqlx::query(&insert);
                for i in 0..n {
                    let value: sqlx::sqlite::SqliteValueRef =
                        sqlx::Row::try_get_raw(row, i).expect("value");
                    query = bind_sqlite_value(query, value);
                }
                query.execute(&mut *tx).await.expect("insert");
            }
            tx.commit().await.expect("commit");
        }
        seconds += start.elapsed().as_secs_f64();
    }
    seconds
}

/// Binds a value read from one SQLite row into a query for another, keeping its storage class.
fn bind_sqlite_value<'q>(
    query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    value: sqlx::sqlite::SqliteValueRef<'_>,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    use sqlx::{TypeInfo, ValueRef};
    let owned = sqlx::ValueRef::to_owned(&value);
    if value.is_null() {
        return query.bind(None::<String>);
    }
    match value.type_info().name() {
        "INTEGER" => query.bind(sqlx::Value::try_decode::<i64>(&owned).expect("integer")),
        "BLOB" => query.bind(sqlx::Value::try_decode::<Vec<u8>>(&owned).expect("blob")),
        _ => query.bind(sqlx::Value::try_decode::<String>(&owned).expect("text")),
    }
}

/// COPYs the rows the HTTP run stored into the fresh second PostgreSQL database. Answers seconds
/// for the `COPY … FROM STDIN` alone.
async fn raw_postgres(from: &str, to: &str) -> f64 {
    let mut source = sqlx::PgConnection::connect(from).await.expect("source");
    let mut target = sqlx::PgConnection::connect(to).await.expect("target");
    let mut seconds = 0.0;
    for (table, columns) in [("events", EVENT_COLUMNS), ("event_targets", TARGET_COLUMNS)] {
        let mut out = source
            .copy_out_raw(&format!("COPY (SELECT {columns} FROM {table}) TO STDOUT"))
            .await
            .expect("copy out");
        let mut data = Vec::new();
        while let Some(chunk) = futures::StreamExt::next(&mut out).await {
            data.extend_from_slice(&chunk.expect("copy out chunk"));
        }
        drop(out);
        let start = Instant::now();
        let mut copy = target
            .copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN"))
            .await
            .expect("copy in");
        copy.send(data).await.expect("copy data");
        copy.finish().await.expect("copy finish");
        seconds += start.elapsed().as_secs_f64();
    }
    seconds
}

pub async fn run(args: Args) {
    let scratch = Scratch::new(&args).await;
    let [http_url, raw_url] = &scratch.urls;
    cli(
        http_url,
        &["org", "create", "--slug", "bench", "--name", "Bench"],
    );
    cli(
        raw_url,
        &["org", "create", "--slug", "bench", "--name", "Bench"],
    );
    let key = api_key(http_url, "bench", "events:write");
    let bodies = bodies(args.events, args.batch);
    let server = ServerProcess::start(http_url);
    let (http_seconds, latencies) = post_all(&server.base, &key, bodies, args.clients).await;
    drop(server);
    let raw_seconds = if args.database == "postgres" {
        raw_postgres(http_url, raw_url).await
    } else {
        raw_sqlite(http_url, raw_url, args.batch).await
    };
    scratch.drop_databases().await;

    let n = args.events as f64;
    let (http_rate, raw_rate) = (n / http_seconds, n / raw_seconds);
    let raw_name = if args.database == "postgres" {
        "`COPY … FROM STDIN` of the same rows (limit)"
    } else {
        "plain sqlx batched INSERT of the same rows (limit)"
    };
    println!(
        "Ingest into {} — {} events, {} per batch, {} clients",
        args.database, args.events, args.batch, args.clients
    );
    println!();
    println!("| path | seconds | events/s |");
    println!("|---|---:|---:|");
    println!("| HTTP `POST /api/v1/events` | {http_seconds:.2} | {http_rate:.0} |");
    println!("| {raw_name} | {raw_seconds:.2} | {raw_rate:.0} |");
    println!();
    println!(
        "HTTP is {:.0} % of the limit; batch latency p50 {:.1} ms, p95 {:.1} ms",
        100.0 * http_rate / raw_rate,
        quantile(&latencies, 0.5),
        quantile(&latencies, 0.95)
    );
}
