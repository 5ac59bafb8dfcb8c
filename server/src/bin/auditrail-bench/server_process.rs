//! The release `auditrail` binary driven as an operator would: CLI commands, and a `serve`
//! process whose memory is read from /proc.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The `auditrail` binary next to this benchmark's own executable.
fn auditrail_binary() -> PathBuf {
    std::env::current_exe()
        .expect("own path")
        .with_file_name("auditrail")
}

/// Runs an `auditrail` subcommand on a database; answers stdout.
pub fn cli(database_url: &str, args: &[&str]) -> String {
    let out = Command::new(auditrail_binary())
        .args(args)
        .env("DATABASE_URL", database_url)
        .output()
        .expect("run auditrail (build it with the same profile first)");
    assert!(
        out.status.success(),
        "auditrail {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `auditrail verify --org acme`, which must find the chain intact; answers the events it
/// checked and the seconds the whole process took.
pub fn verify_acme(database_url: &str) -> (u64, f64) {
    let start = std::time::Instant::now();
    let out = cli(database_url, &["verify", "--org", "acme"]);
    let seconds = start.elapsed().as_secs_f64();
    let answer: serde_json::Value = serde_json::from_str(out.trim()).expect("verify's JSON");
    assert_eq!(answer["ok"], true, "the chain should verify: {answer}");
    (answer["checked"].as_u64().expect("checked"), seconds)
}

/// Creates an API key in organization `org`; answers the secret.
pub fn api_key(database_url: &str, org: &str, scopes: &str) -> String {
    let args = [
        "api-key", "create", "--org", org, "--name", "bench", "--scopes", scopes,
    ];
    let out = cli(database_url, &args);
    out.lines().last().expect("key line").to_owned()
}

/// A direct connection to the seeded database, and the demo organization's id in it.
pub async fn acme(database_url: &str) -> (sqlx::AnyPool, i64) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(database_url)
        .await
        .expect("raw connection");
    let (org_id,): (i64,) = sqlx::query_as("SELECT id FROM organizations WHERE slug = 'acme'")
        .fetch_one(&pool)
        .await
        .expect("acme");
    (pool, org_id)
}

/// A running `auditrail serve`; killed on drop.
pub struct ServerProcess {
    pub base: String,
    child: Child,
}

impl ServerProcess {
    /// Starts the server on an ephemeral port over `database_url`.
    pub fn start(database_url: &str) -> Self {
        Self::start_with(database_url, &[])
    }

    /// Starts the server with extra `serve` arguments.
    pub fn start_with(database_url: &str, extra: &[&str]) -> Self {
        let mut child = Command::new(auditrail_binary())
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--assets-dir",
                "no-web-app",
            ])
            .args(extra)
            .env("DATABASE_URL", database_url)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start auditrail serve");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let base = loop {
            let line = lines.next().expect("server exited").expect("read log");
            if let Some(at) = line.find("listening on ") {
                break line[at + "listening on ".len()..].trim().to_owned();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Self { base, child }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A process's resident memory in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The p-quantile of sorted samples.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let i = ((sorted.len() as f64 * q).ceil() as usize).saturating_sub(1);
    sorted.get(i).copied().unwrap_or(0.0)
}
