//! `auditrail-bench verify`: `auditrail verify --org acme` over a seeded database, against the
//! raw limit over the same bytes in the same run: the stored event JSON read in `seq` order,
//! and plain SHA-256 of each (also timed alone, without the read).

use super::server_process::{acme, verify_acme};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// The seeded database (`sqlite://…` or `postgres://…`).
    #[arg(long)]
    database_url: String,
}

/// Rows read per keyset chunk, as `auditrail verify` reads them.
const CHUNK: i64 = 10_000;

/// Reads every stored event JSON of `org_id` in `seq` order and hashes each with SHA-256;
/// answers (events, bytes, total seconds, seconds spent hashing).
async fn read_and_hash(pool: &sqlx::AnyPool, org_id: i64) -> (u64, u64, f64, f64) {
    let start = Instant::now();
    let (mut events, mut bytes, mut hashing) = (0u64, 0u64, Duration::ZERO);
    let mut after = 0i64;
    loop {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT seq, data FROM event_log WHERE org_id = $1 AND seq > $2 AND seq <= $2 + $3 \
             ORDER BY seq",
        )
        .bind(org_id)
        .bind(after)
        .bind(CHUNK)
        .fetch_all(pool)
        .await
        .expect("raw read");
        let Some((last, _)) = rows.last() else { break };
        after = *last;
        let hashed = Instant::now();
        for (_, data) in &rows {
            std::hint::black_box(Sha256::digest(data.as_bytes()));
            bytes += data.len() as u64;
        }
        hashing += hashed.elapsed();
        events += rows.len() as u64;
    }
    (
        events,
        bytes,
        start.elapsed().as_secs_f64(),
        hashing.as_secs_f64(),
    )
}

pub async fn run(args: Args) {
    let url = args.database_url.as_str();
    let (checked, verify_seconds) = verify_acme(url);

    let (pool, org_id) = acme(url).await;
    let (events, bytes, raw_seconds, hash_seconds) = read_and_hash(&pool, org_id).await;
    let rate = |n: u64, s: f64| (n as f64 / s).round();
    println!("| path | events | seconds | events/s |");
    println!("|---|---:|---:|---:|");
    println!(
        "| `auditrail verify --org acme` (whole process) | {checked} | {verify_seconds:.2} | **{}** |",
        rate(checked, verify_seconds)
    );
    println!(
        "| raw: read the stored JSON in seq order + SHA-256 of each | {events} | {raw_seconds:.2} | {} |",
        rate(events, raw_seconds)
    );
    println!(
        "| SHA-256 alone over the same {:.0} MB (avg {} B/event) | {events} | {hash_seconds:.2} | {} |",
        bytes as f64 / 1e6,
        bytes / events.max(1),
        rate(events, hash_seconds)
    );
}
