//! A real `auditrail` server on a temporary SQLite file, driven over HTTP.

#![allow(dead_code)] // each test binary uses its own subset of these helpers

pub mod database;
pub mod in_process;
pub mod receiver;

use database::TestDatabase;
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// The lines a server process has logged so far.
pub type Log = Arc<Mutex<Vec<String>>>;

/// A running server and the database it owns; the process is killed on drop.
pub struct TestServer {
    pub base: String,
    pub http: reqwest::Client,
    pub log: Log,
    child: Child,
    database: TestDatabase,
    /// `serve`'s extra arguments, kept for restarts.
    args: Vec<String>,
}

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_auditrail")
}

impl TestServer {
    /// Starts a server on an ephemeral port over a fresh database: SQLite, or PostgreSQL when
    /// `AUDITRAIL_TEST_DATABASE=postgres`.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// [`Self::start`], with `args` added to `serve`'s.
    pub fn start_with(args: &[&str]) -> Self {
        Self::start_on(TestDatabase::from_env(), args)
    }

    /// A server over `database`, with `args` added to `serve`'s.
    pub fn start_on(database: TestDatabase, args: &[&str]) -> Self {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let (child, base, log) = serve(&database, &args);
        Self {
            base,
            http: reqwest::Client::new(),
            log,
            child,
            database,
            args,
        }
    }

    /// Kills the server with SIGKILL (no shutdown of any kind) and starts a new one on the same
    /// database; `base` changes to the new process's address.
    pub fn kill_and_restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, base, log) = serve(&self.database, &self.args);
        (self.child, self.base, self.log) = (child, base, log);
    }

    /// A second server process on the same database, as behind a load balancer.
    pub fn peer(&self) -> Peer {
        let (child, base, _) = serve(&self.database, &self.args);
        Peer { base, child }
    }

    /// Runs an `auditrail` subcommand on this server's database; answers its stdout.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new(binary())
            .args(args)
            .env("DATABASE_URL", &self.database.url)
            .env(
                "AUDITRAIL_SIGNING_KEY_FILE",
                self.database.signing_key_file(),
            )
            .output()
            .expect("run auditrail");
        assert!(
            out.status.success(),
            "auditrail {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Creates an organization with the given plan.
    pub fn org(&self, slug: &str, plan: &str) {
        self.cli(&[
            "org", "create", "--slug", slug, "--name", slug, "--plan", plan,
        ]);
    }

    /// Creates an API key and answers its secret (stdout's last line).
    pub fn key(&self, org: &str, scopes: &str) -> String {
        let out = self.cli(&[
            "api-key", "create", "--org", org, "--name", "test-key", "--scopes", scopes,
        ]);
        out.lines().last().expect("key line").to_owned()
    }

    /// Creates a user with a known password.
    pub fn user(&self, org: &str, email: &str, role: &str, password: &str) {
        self.cli(&[
            "user",
            "create",
            "--org",
            org,
            "--email",
            email,
            "--role",
            role,
            "--password",
            password,
        ]);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs a JSON body to the ingest API; answers status and body.
    pub async fn ingest(&self, key: &str, body: &Value) -> (u16, Value) {
        let res = self
            .http
            .post(self.url("/api/v1/events"))
            .bearer_auth(key)
            .json(body)
            .send()
            .await
            .expect("POST /api/v1/events");
        status_and_json(res).await
    }

    /// GETs an API path with a key; answers status and body.
    pub async fn get(&self, key: &str, path_and_query: &str) -> (u16, Value) {
        let res = self
            .http
            .get(self.url(path_and_query))
            .bearer_auth(key)
            .send()
            .await
            .expect("GET");
        status_and_json(res).await
    }
}

impl TestServer {
    /// Signs in through the SPA's server function; answers the session cookie (`name=value`)
    /// or the error status and body.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<String, (u16, Value)> {
        let res = self
            .http
            .post(self.url("/api/session/sign_in"))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .expect("POST sign_in");
        if !res.status().is_success() {
            return Err(status_and_json(res).await);
        }
        let cookie = res
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("auditrail_session="))
            .expect("session Set-Cookie")
            .to_owned();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        Ok(cookie.split(';').next().unwrap().to_owned())
    }

    /// Signs in, panicking on failure.
    pub async fn session(&self, email: &str, password: &str) -> String {
        self.sign_in(email, password)
            .await
            .unwrap_or_else(|e| panic!("sign-in of {email} failed: {e:?}"))
    }

    /// Calls a server function (`members/list`, …) with a JSON body and an optional session
    /// cookie; answers status and body (`null` for an empty body).
    pub async fn call(&self, cookie: Option<&str>, function: &str, body: Value) -> (u16, Value) {
        let mut req = self
            .http
            .post(self.url(&format!("/api/{function}")))
            .json(&body);
        if let Some(cookie) = cookie {
            req = req.header(COOKIE, cookie);
        }
        let res = req.send().await.expect("POST server function");
        let status = res.status().as_u16();
        let text = res.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
        };
        (status, body)
    }

    /// The value of a counter or gauge (summed over its label sets matching `labels`) in `/metrics`.
    pub async fn metric(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let res = self
            .http
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("GET /metrics");
        assert_eq!(res.status(), 200);
        metric_in(&res.text().await.expect("body"), name, labels)
    }

    /// The log lines so far that contain `needle`.
    pub fn logged(&self, needle: &str) -> Vec<String> {
        let log = self.log.lock().unwrap();
        log.iter().filter(|l| l.contains(needle)).cloned().collect()
    }
}

/// Starts `auditrail serve` on an ephemeral port; answers the process, its base URL and its log.
/// It signs a checkpoint whenever its tree grows, so tests meet checkpoints at every size.
fn serve(database: &TestDatabase, args: &[String]) -> (Child, String, Log) {
    let mut child = Command::new(binary())
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--assets-dir",
            "no-web-app",
        ])
        .args(args)
        .env("DATABASE_URL", &database.url)
        .env("AUDITRAIL_SIGNING_KEY_FILE", database.signing_key_file())
        .env("AUDITRAIL_CHECKPOINT_EVERY_EVENTS", "1")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start auditrail serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("server exited before listening")
            .expect("read stderr");
        if let Some(at) = line.find("listening on ") {
            break line[at + "listening on ".len()..].trim().to_owned();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    let log = Log::default();
    let kept = log.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            kept.lock().unwrap().push(line);
        }
    });
    (child, base, log)
}

/// Another server process; killed on drop.
pub struct Peer {
    pub base: String,
    child: Child,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of a counter or gauge in a Prometheus text page (which must parse), summed over its label
/// sets matching `labels`.
pub fn metric_in(page: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    let lines = page.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("Prometheus text format");
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => 0.0,
        })
        .sum()
}

/// The status and JSON body of a response.
pub async fn status_and_json(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    let body =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, body)
}

/// A valid event; `n` makes it distinguishable.
pub fn event(n: usize) -> Value {
    json!({
        "action": "user.invited",
        "actor": {"type": "user", "id": "u_alice", "email": "alice@acme.com"},
        "targets": [{"type": "user", "id": format!("u_{n}"), "name": format!("user{n}@acme.com")}],
        "context": {"ip": "203.0.113.10", "user_agent": "test"},
        "details": {"n": n}
    })
}

/// Runs `auditrail verify --offline` with `args` (no database, no server); answers success and
/// stderr.
pub fn verify_offline(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_auditrail"))
        .args(["verify", "--offline"])
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run auditrail");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
