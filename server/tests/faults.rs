//! Faults of the world around the server. Ignored by `cargo test`: they restart the machine's
//! PostgreSQL, which every other PostgreSQL test uses, and mount a file system (root), so
//! `make reliability` runs them alone
//! (`cargo test -p server --test faults -- --ignored --test-threads 1`).

mod common;

use common::database::TestDatabase;
use common::TestServer;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

/// Restarts the machine's PostgreSQL cluster (`pg_ctlcluster VERSION main restart`).
fn restart_postgres() {
    let version = std::fs::read_dir("/etc/postgresql")
        .expect("a Debian PostgreSQL cluster")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .max()
        .expect("a PostgreSQL version");
    let status = Command::new("pg_ctlcluster")
        .args(["--skip-systemctl-redirect", &version, "main", "restart"])
        .status()
        .expect("run pg_ctlcluster");
    assert!(status.success(), "pg_ctlcluster restart failed");
}

/// One request's batch of keyed events.
fn batch(round: usize) -> (Vec<String>, Value) {
    let keys: Vec<String> = (0..50).map(|i| format!("r{round}-e{i}")).collect();
    let events: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({"action": "user.login", "actor": {"type": "user", "id": "u_1"},
                   "idempotency_key": k})
        })
        .collect();
    (keys, json!({ "events": events }))
}

#[tokio::test]
#[ignore = "restarts the machine's PostgreSQL: run alone by make reliability"]
async fn a_postgresql_restart_answers_503_with_retry_after_then_recovers_losing_nothing() {
    assert_eq!(
        std::env::var("AUDITRAIL_TEST_DATABASE").as_deref(),
        Ok("postgres"),
        "run with AUDITRAIL_TEST_DATABASE=postgres"
    );
    let server = TestServer::start();
    server.org("acme", "pro");
    let key = server.key("acme", "events:write,audit_logs:read");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut acknowledged: HashMap<String, i64> = HashMap::new();
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    let mut unacknowledged = Vec::new();
    let mut restarted_at = None;
    let start = Instant::now();
    let mut round = 0;
    while start.elapsed() < Duration::from_secs(12) {
        if restarted_at.is_none() && start.elapsed() > Duration::from_secs(2) {
            // Restart in the background while the ingest goes on.
            restarted_at = Some(Instant::now());
            std::thread::spawn(restart_postgres);
        }
        let (keys, body) = batch(round);
        round += 1;
        let response = http
            .post(server.url("/api/v1/events"))
            .bearer_auth(&key)
            .json(&body)
            .send()
            .await
            .expect("the server answers while its database is away");
        let status = response.status().as_u16();
        *statuses.entry(status).or_default() += 1;
        let retry_after = response.headers().contains_key("retry-after");
        let answer: Value = response.json().await.expect("a JSON answer");
        match status {
            201 => {
                for (k, e) in keys.iter().zip(answer["events"].as_array().unwrap()) {
                    acknowledged.insert(k.clone(), e["seq"].as_i64().unwrap());
                }
            }
            503 => {
                assert!(retry_after, "a 503 without Retry-After: {answer}");
                assert_eq!(answer["error"]["code"], "unavailable", "{answer}");
                unacknowledged.push((keys, body));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => panic!("answered {other} while the database restarted: {answer}"),
        }
    }
    let last_ok = statuses.get(&201).copied().unwrap_or(0);
    assert!(last_ok > 0, "{statuses:?}");
    // The refused batches, retried now: all of them land (their keys dedupe anything that was
    // committed without an answer).
    for (keys, body) in unacknowledged {
        let response = http
            .post(server.url("/api/v1/events"))
            .bearer_auth(&key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "the retry after the restart");
        let answer: Value = response.json().await.unwrap();
        for (k, e) in keys.iter().zip(answer["events"].as_array().unwrap()) {
            acknowledged.insert(k.clone(), e["seq"].as_i64().unwrap());
        }
    }
    let (status, page) = server
        .get(&key, "/api/v1/audit-logs?include_total=true&limit=1")
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        page["total"],
        acknowledged.len(),
        "every acknowledged event, once"
    );
    let (_, verified) = server.get(&key, "/api/v1/audit-logs/verify").await;
    assert_eq!(verified["ok"], true, "{verified}");
    println!(
        "PostgreSQL restarted {:.1} s into the run: {statuses:?} answers, {} events acknowledged, 0 lost",
        restarted_at.map_or(0.0, |t| (t - start).as_secs_f64()),
        acknowledged.len()
    );
}

/// A tmpfs of a given size, mounted on a temporary directory for one test; unmounted on drop.
struct SmallFilesystem {
    dir: tempfile::TempDir,
}

impl SmallFilesystem {
    fn mount(mib: u32) -> Self {
        let dir = tempfile::tempdir().expect("mount point");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("run mount");
        assert!(status.success(), "mounting a tmpfs needs root");
        Self { dir }
    }

    /// Gives the file system `mib` MiB in all.
    fn resize(&self, mib: u32) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,size={mib}m")])
            .arg(self.dir.path())
            .status()
            .expect("run mount");
        assert!(status.success(), "resizing the tmpfs");
    }

    fn path(&self) -> &std::path::Path {
        self.dir.path()
    }
}

impl Drop for SmallFilesystem {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[tokio::test]
#[ignore = "mounts a tmpfs (root): run alone by make reliability"]
async fn a_full_disk_refuses_ingest_cleanly_writes_nothing_partial_and_recovers_with_space() {
    let disk = SmallFilesystem::mount(12);
    let server = TestServer::start_on(TestDatabase::sqlite_in(disk.path()), &[]);
    server.org("acme", "pro");
    let key = server.key("acme", "events:write,audit_logs:read");
    let mut acknowledged = 0usize;
    let mut refused = None;
    for round in 0..2_000 {
        let (_, body) = batch(round);
        let (status, answer) = server.ingest(&key, &body).await;
        match status {
            201 => acknowledged += answer["events"].as_array().unwrap().len(),
            507 | 503 => {
                let code = answer["error"]["code"].as_str().unwrap_or_default();
                assert!(
                    ["insufficient_storage", "unavailable"].contains(&code),
                    "{answer}"
                );
                refused = Some((round, status, body));
                break;
            }
            other => panic!("answered {other} as the disk filled: {answer}"),
        }
    }
    let (round, status, body) = refused.expect("12 MiB fill up within 2,000 batches");
    assert!(acknowledged > 0, "some batches fit before the disk filled");

    // Still full: refused again, reads still answer, and what is there is whole.
    let (again, _) = server.ingest(&key, &body).await;
    assert!([503, 507].contains(&again), "{again}");
    let (read, page) = server
        .get(&key, "/api/v1/audit-logs?include_total=true&limit=1")
        .await;
    assert_eq!(read, 200, "{page}");
    assert_eq!(page["total"], acknowledged, "only what was acknowledged");

    // Space returns: the refused batch goes in, and the chain holds every event once.
    disk.resize(256);
    let mut retried = 0;
    let answer = loop {
        let (status, answer) = server.ingest(&key, &body).await;
        match status {
            201 => break answer,
            503 | 507 if retried < 50 => {
                retried += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => panic!("answered {other} after space returned: {answer}"),
        }
    };
    acknowledged += answer["events"].as_array().unwrap().len();
    let (_, page) = server
        .get(&key, "/api/v1/audit-logs?include_total=true&limit=1")
        .await;
    assert_eq!(
        page["total"], acknowledged,
        "every acknowledged event, once"
    );
    let (_, verified) = server.get(&key, "/api/v1/audit-logs/verify").await;
    assert_eq!(verified["ok"], true, "{verified}");
    println!(
        "disk full after {round} batches ({acknowledged} events with the retry): {status}, \
         then 201 once space returned; 0 lost, the chain verifies"
    );
}
