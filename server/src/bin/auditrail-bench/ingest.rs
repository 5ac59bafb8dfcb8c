//! `auditrail-bench ingest`: events/s through `POST /api/v1/events` (batches from concurrent
//! clients into fresh databases): as a burst (the server acknowledging appends while indexing
//! is left to `auditrail index`, timed after it) and sustained (the server's own indexer running
//! beside the appends). Then the minimal durable append of the same rows in the same run: a
//! table with only its primary key, written by a plain batched INSERT loop on SQLite and `COPY`
//! on PostgreSQL.

use super::server_process::{api_key, cli, quantile, ServerProcess};
use server::demo::EventGenerator;
use sqlx::{Connection, Executor};
use std::str::FromStr;
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

/// The minimal durable append: the log's rows in a table with only its primary key.
const MINIMAL_TABLE: &str =
    "CREATE TABLE minimal_log (org_id BIGINT NOT NULL, seq BIGINT NOT NULL, \
     data TEXT NOT NULL, PRIMARY KEY (org_id, seq))";

/// Throw-away databases: a burst run, a sustained run and the minimal append.
struct Scratch {
    urls: [String; 3],
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
            for which in ["burst", "sustained", "minimal"] {
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
                urls: [urls[0].clone(), urls[1].clone(), urls[2].clone()],
                admin: Some(args.postgres.clone()),
                _dir: None,
            }
        } else {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = |n: &str| format!("sqlite://{}", dir.path().join(n).display());
            Self {
                urls: [url("burst.db"), url("sustained.db"), url("minimal.db")],
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
                    let res = loop {
                        let res = http
                            .post(&url)
                            .bearer_auth(&key)
                            .header("content-type", "application/json")
                            .body(body.clone())
                            .send()
                            .await
                            .expect("POST /api/v1/events");
                        match retry_after(&res) {
                            Some(wait) => tokio::time::sleep(wait).await,
                            None => break res,
                        }
                    };
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

/// How long a 429 (the server's index catching up) asks the client to wait.
fn retry_after(res: &reqwest::Response) -> Option<std::time::Duration> {
    if res.status() != reqwest::StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let seconds = res
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .unwrap_or(1);
    Some(std::time::Duration::from_secs(seconds))
}

/// The log's rows (org_id, seq, data) of the burst run.
async fn log_rows(from: &str) -> Vec<(i64, i64, String)> {
    let pool = sqlx::AnyPool::connect(from).await.expect("source");
    sqlx::query_as("SELECT org_id, seq, data FROM event_log ORDER BY org_id, seq")
        .fetch_all(&pool)
        .await
        .expect("read the log")
}

/// Appends `rows` to a table with only its primary key in a fresh SQLite database (WAL,
/// `synchronous = NORMAL`, as Auditrail opens it): one multi-row INSERT and one transaction per
/// `batch` rows. Answers seconds.
async fn minimal_sqlite(to: &str, rows: &[(i64, i64, String)], batch: usize) -> f64 {
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(to)
        .expect("url")
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Normal);
    let target = sqlx::SqlitePool::connect_with(options)
        .await
        .expect("target");
    target
        .execute(format!("{MINIMAL_TABLE} WITHOUT ROWID").as_str())
        .await
        .expect("create");
    let start = Instant::now();
    for chunk in rows.chunks(batch) {
        let mut insert =
            sqlx::QueryBuilder::<sqlx::Sqlite>::new("INSERT INTO minimal_log (org_id, seq, data) ");
        insert.push_values(chunk, |mut row, (org_id, seq, data)| {
            row.push_bind(org_id)
                .push_bind(seq)
                .push_bind(data.as_str());
        });
        insert.build().execute(&target).await.expect("insert");
    }
    start.elapsed().as_secs_f64()
}

/// COPYs `rows` into a table with only its primary key in a fresh PostgreSQL database, `batch`
/// rows per `COPY`. Answers seconds.
async fn minimal_postgres(to: &str, rows: &[(i64, i64, String)], batch: usize) -> f64 {
    let mut target = sqlx::PgConnection::connect(to).await.expect("target");
    target.execute(MINIMAL_TABLE).await.expect("create");
    let start = Instant::now();
    for chunk in rows.chunks(batch) {
        let mut data = String::new();
        for (org_id, seq, json) in chunk {
            let escaped = json
                .replace('\\', "\\\\")
                .replace('\t', "\\t")
                .replace('\n', "\\n");
            data.push_str(&format!("{org_id}\t{seq}\t{escaped}\n"));
        }
        let mut copy = target
            .copy_in_raw("COPY minimal_log (org_id, seq, data) FROM STDIN")
            .await
            .expect("copy in");
        copy.send(data.into_bytes()).await.expect("copy data");
        copy.finish().await.expect("copy finish");
    }
    start.elapsed().as_secs_f64()
}

/// Seconds `auditrail index` takes to index everything the burst left behind.
fn index_burst(url: &str) -> f64 {
    let start = Instant::now();
    cli(url, &["index"]);
    start.elapsed().as_secs_f64()
}

/// Waits until the server's own indexer has caught up; answers the seconds waited.
async fn wait_for_index(url: &str) -> f64 {
    let pool = sqlx::AnyPool::connect(url).await.expect("database");
    let start = Instant::now();
    loop {
        let (behind,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM chain_heads h LEFT JOIN index_positions p \
             ON p.org_id = h.org_id WHERE h.seq > COALESCE(p.seq, 0)",
        )
        .fetch_one(&pool)
        .await
        .expect("lag");
        if behind == 0 {
            return start.elapsed().as_secs_f64();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Ingests `bodies` into a fresh database through a server started with `serve_args`; answers
/// the server (still running), the seconds and the sorted latencies.
async fn ingest_run(
    url: &str,
    serve_args: &[&str],
    bodies: Vec<String>,
    clients: usize,
) -> (ServerProcess, f64, Vec<f64>) {
    cli(
        url,
        &["org", "create", "--slug", "bench", "--name", "Bench"],
    );
    let key = api_key(url, "bench", "events:write");
    let server = ServerProcess::start_with(url, serve_args);
    let (seconds, latencies) = post_all(&server.base, &key, bodies, clients).await;
    (server, seconds, latencies)
}

pub async fn run(args: Args) {
    sqlx::any::install_default_drivers();
    let scratch = Scratch::new(&args).await;
    let [burst_url, sustained_url, minimal_url] = &scratch.urls;
    let n = args.events as f64;

    let (server, burst_seconds, latencies) = ingest_run(
        burst_url,
        &["--no-indexer"],
        bodies(args.events, args.batch),
        args.clients,
    )
    .await;
    drop(server);
    let index_seconds = index_burst(burst_url);
    let (server, sustained_seconds, _) = ingest_run(
        sustained_url,
        &[],
        bodies(args.events, args.batch),
        args.clients,
    )
    .await;
    let catch_up_seconds = wait_for_index(sustained_url).await;
    drop(server);
    let rows = log_rows(burst_url).await;
    let minimal_seconds = if args.database == "postgres" {
        minimal_postgres(minimal_url, &rows, args.batch).await
    } else {
        minimal_sqlite(minimal_url, &rows, args.batch).await
    };
    scratch.drop_databases().await;

    let minimal_name = if args.database == "postgres" {
        "minimal durable append: `COPY` into a table with only its primary key"
    } else {
        "minimal durable append: batched INSERT into a table with only its primary key"
    };
    let rate = |seconds: f64| n / seconds;
    println!(
        "Ingest into {} — {} events, {} per batch, {} clients",
        args.database, args.events, args.batch, args.clients
    );
    println!();
    println!("| path | seconds | events/s | of the minimal append |");
    println!("|---|---:|---:|---:|");
    let row = |name: &str, seconds: f64| {
        println!(
            "| {name} | {seconds:.2} | {:.0} | {:.0} % |",
            rate(seconds),
            100.0 * minimal_seconds / seconds
        );
    };
    row(
        "HTTP burst (acknowledged, indexing left for later)",
        burst_seconds,
    );
    row(
        "indexer catching up after the burst (`auditrail index`)",
        index_seconds,
    );
    row(
        "HTTP sustained (the server indexing beside the appends)",
        sustained_seconds,
    );
    row(minimal_name, minimal_seconds);
    println!();
    println!(
        "Burst batch latency p50 {:.1} ms, p95 {:.1} ms; sustained: the index caught up {:.1} s \
         after the last acknowledgement.",
        quantile(&latencies, 0.5),
        quantile(&latencies, 0.95),
        catch_up_seconds
    );
}
