//! `auditrail-bench proofs`: the latency of inclusion proofs (`GET /api/v1/audit-logs/{id}/proof`)
//! for events drawn at random from a seeded log, and of consistency proofs between random tree
//! sizes, each answer checked against the signed checkpoint; on SQLite, also the time to build
//! the whole Merkle tree from the log (a copy of the database without its tree).

use super::server_process::{acme, api_key, cli, quantile, ServerProcess};
use rand::{Rng, SeedableRng};
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// The seeded database (`sqlite://…` or `postgres://…`).
    #[arg(long)]
    database_url: String,
    /// Proofs requested per measurement.
    #[arg(long, default_value_t = 2000)]
    samples: usize,
}

/// Milliseconds of each GET of `paths`, sorted; every answer must be 200.
async fn latencies(http: &reqwest::Client, base: &str, key: &str, paths: &[String]) -> Vec<f64> {
    let mut samples = Vec::with_capacity(paths.len());
    for path in paths {
        let start = Instant::now();
        let res = http
            .get(format!("{base}{path}"))
            .bearer_auth(key)
            .send()
            .await
            .expect("request");
        let status = res.status();
        let body = res.bytes().await.expect("body");
        samples.push(start.elapsed().as_secs_f64() * 1000.0);
        assert!(status.is_success(), "{path}: {status} {body:?}");
    }
    samples.sort_by(f64::total_cmp);
    samples
}

fn row(what: &str, samples: &[f64]) {
    println!(
        "| {what} | {} | {:.2} | {:.2} | {:.2} | {:.2} |",
        samples.len(),
        quantile(samples, 0.5),
        quantile(samples, 0.95),
        quantile(samples, 0.99),
        samples.last().copied().unwrap_or(0.0)
    );
}

pub async fn run(args: Args) {
    let url = args.database_url.as_str();
    let (pool, org_id) = acme(url).await;
    cli(url, &["index"]);
    let (size,): (i64,) =
        sqlx::query_as("SELECT COALESCE(MAX(tree_size), 0) FROM checkpoints WHERE org_id = $1")
            .bind(org_id)
            .fetch_one(&pool)
            .await
            .expect("checkpoint");
    assert!(size > 0, "the seeded log has no checkpoint");
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut inclusion = Vec::with_capacity(args.samples);
    for _ in 0..args.samples {
        let seq = rng.gen_range(1..=size);
        let (id,): (String,) =
            sqlx::query_as("SELECT id FROM event_log WHERE org_id = $1 AND seq = $2")
                .bind(org_id)
                .bind(seq)
                .fetch_one(&pool)
                .await
                .expect("event id");
        inclusion.push(format!("/api/v1/audit-logs/{id}/proof?size={size}"));
    }
    let consistency: Vec<String> = (0..args.samples)
        .map(|_| {
            let from = rng.gen_range(1..=size);
            let to = rng.gen_range(from..=size);
            format!("/api/v1/checkpoints/consistency?from={from}&to={to}")
        })
        .collect();

    let key = api_key(url, "acme", "audit_logs:read");
    let server = ServerProcess::start_with(url, &["--no-indexer"]);
    let http = reqwest::Client::new();
    latencies(&http, &server.base, &key, &inclusion[..50]).await; // warm the caches
    println!("Tree of {size} events (the latest checkpoint).");
    println!();
    println!("| proof | requests | p50 ms | p95 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    row(
        "inclusion `GET /api/v1/audit-logs/{id}/proof` (random events)",
        &latencies(&http, &server.base, &key, &inclusion).await,
    );
    row(
        "consistency `GET /api/v1/checkpoints/consistency` (random sizes)",
        &latencies(&http, &server.base, &key, &consistency).await,
    );
    drop(server);
    if let Some(file) = url.strip_prefix("sqlite://") {
        tree_build(file, size);
    }
}

/// Times `auditrail index` rebuilding the Merkle tree (only the tree: the index is caught up)
/// on a copy of the SQLite database whose tree and checkpoints are removed.
fn tree_build(file: &str, size: i64) {
    let copy = format!("{file}.tree-bench");
    std::fs::copy(file, &copy).expect("copy the database");
    if std::path::Path::new(&format!("{file}-wal")).exists() {
        std::fs::copy(format!("{file}-wal"), format!("{copy}-wal")).expect("copy the WAL");
    }
    let status = std::process::Command::new("sqlite3")
        .arg(&copy)
        .arg(
            "DROP TRIGGER merkle_nodes_refuse_delete; DROP TRIGGER checkpoints_refuse_delete; \
             DELETE FROM merkle_nodes; DELETE FROM merkle_trees; DELETE FROM checkpoints;",
        )
        .status()
        .expect("sqlite3");
    assert!(status.success(), "emptying the tree of the copy");
    let url = format!("sqlite://{copy}");
    let start = Instant::now();
    cli(&url, &["index"]);
    let seconds = start.elapsed().as_secs_f64();
    for leftover in [copy.clone(), format!("{copy}-wal"), format!("{copy}-shm")] {
        let _ = std::fs::remove_file(leftover);
    }
    println!();
    println!(
        "Building the Merkle tree of {size} events from the log (`auditrail index` on a copy \
         without its tree; the index is caught up): {seconds:.2} s, {:.0} events/s.",
        size as f64 / seconds
    );
}
