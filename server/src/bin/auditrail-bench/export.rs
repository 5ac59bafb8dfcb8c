//! `auditrail-bench export`: the whole log of a seeded SQLite database as CSV through HTTP,
//! against Debian's `sqlite3 -csv` dumping the same rows, with the server's memory growth.

use super::server_process::{api_key, rss_kib, ServerProcess};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// A SQLite database seeded with `auditrail seed --events N`.
    #[arg(long)]
    database: std::path::PathBuf,
}

/// Streams the export to nowhere, counting rows; answers (rows, seconds, seconds to first byte).
async fn export_csv(base: &str, key: &str) -> (u64, f64, f64) {
    let start = Instant::now();
    let mut res = reqwest::Client::new()
        .get(format!("{base}/api/v1/audit-logs/export?format=csv"))
        .bearer_auth(key)
        .send()
        .await
        .expect("export request");
    assert!(
        res.status().is_success(),
        "export answered {}",
        res.status()
    );
    let mut first_byte = None;
    let mut lines = 0u64;
    while let Some(chunk) = res.chunk().await.expect("export body") {
        first_byte.get_or_insert_with(|| start.elapsed().as_secs_f64());
        lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
    }
    let rows = lines.saturating_sub(1);
    (
        rows,
        start.elapsed().as_secs_f64(),
        first_byte.unwrap_or(0.0),
    )
}

/// Dumps the same rows in the export's order (`seq`) with `sqlite3 -csv` into a pipe read as fast
/// as it comes; answers (rows, seconds).
fn sqlite3_dump(database: &std::path::Path) -> (u64, f64) {
    let start = Instant::now();
    let mut child = Command::new("sqlite3")
        .arg("-csv")
        .arg(database)
        .arg(
            "SELECT e.id, e.seq, e.occurred_at, e.action, e.category, e.actor_type, e.actor_id, \
             e.actor_label, e.ip, e.environment, e.result, l.hash, l.data FROM events e \
             JOIN event_log l ON l.org_id = e.org_id AND l.seq = e.seq \
             ORDER BY l.org_id, l.seq",
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("sqlite3 (apt-get install sqlite3)");
    let mut out = child.stdout.take().expect("sqlite3 stdout");
    let mut buffer = vec![0u8; 1 << 20];
    let mut rows = 0u64;
    loop {
        let n = std::io::Read::read(&mut out, &mut buffer).expect("read sqlite3 output");
        if n == 0 {
            break;
        }
        rows += buffer[..n].iter().filter(|b| **b == b'\n').count() as u64;
    }
    let _ = child.wait();
    (rows, start.elapsed().as_secs_f64())
}

pub async fn run(args: Args) {
    let url = format!("sqlite://{}", args.database.display());
    let key = api_key(&url, "acme", "audit_logs:read,audit_logs:export");
    let server = ServerProcess::start(&url);
    let pid = server.pid();
    let before = rss_kib(pid);
    let peak = Arc::new(AtomicU64::new(before));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    let (rows, seconds, first_byte) = export_csv(&server.base, &key).await;
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    drop(server);
    let growth = (peak.load(Ordering::Relaxed) - before) as f64 / 1024.0;
    let (dump_rows, dump_seconds) = sqlite3_dump(&args.database);
    let (ours, limit) = (rows as f64 / seconds, dump_rows as f64 / dump_seconds);
    println!("| path | rows | seconds | rows/s |");
    println!("|---|---:|---:|---:|");
    println!(
        "| HTTP `GET /api/v1/audit-logs/export?format=csv` | {rows} | {seconds:.1} | {ours:.0} |"
    );
    println!("| `sqlite3 -csv` of the same rows (limit) | {dump_rows} | {dump_seconds:.1} | {limit:.0} |");
    println!();
    println!(
        "export is {:.2}× sqlite3; first byte after {:.3} s; server RSS {:.0} MiB before, +{:.1} MiB at peak",
        ours / limit,
        first_byte,
        before as f64 / 1024.0,
        growth
    );
}
