//! The provable log over HTTP, on SQLite or PostgreSQL as the environment asks: signed
//! checkpoints, inclusion and consistency proofs checked here with nothing but the public key,
//! exports that carry their proofs and verify offline with `auditrail verify --offline`.

mod common;

use app::model::{ConsistencyProof, InclusionProof, Permission};
use axum::body::Body;
use axum::http::header::AUTHORIZATION;
use axum::http::Request;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use common::in_process::App;
use common::{event, verify_offline};
use serde_json::{json, Value};
use server::proof::merkle::{self, Hash};
use server::proof::note::{Checkpoint, NoteVerifier};
use server::store::event_leaf;

/// An organization with events posted in two rounds, a checkpoint signed after each.
struct Log {
    app: App,
    reader: String,
    exporter: String,
    writer: String,
    /// The checkpoints' signed notes, oldest first.
    checkpoints: Vec<String>,
}

impl Log {
    async fn new() -> Self {
        let app = App::start().await;
        let org = app.org("acme").await;
        let writer = app.key(&org, "writer", &[Permission::EventsWrite]).await;
        let reader = app.key(&org, "reader", &[Permission::AuditLogsRead]).await;
        let scopes = [Permission::AuditLogsRead, Permission::AuditLogsExport];
        let exporter = app.key(&org, "exporter", &scopes).await;
        let mut log = Self {
            app,
            reader,
            exporter,
            writer,
            checkpoints: Vec::new(),
        };
        for (from, to) in [(0, 23), (23, 40)] {
            let events: Vec<Value> = (from..to).map(event).collect();
            let (status, body) = log
                .app
                .ingest(&log.writer, &json!({ "events": events }))
                .await;
            assert_eq!(status, 201, "{body}");
            log.app.services.catch_up().await.expect("catch up");
            let latest = log.get("/api/v1/checkpoints").await["latest"].clone();
            log.checkpoints
                .push(latest["signed_note"].as_str().expect("note").to_owned());
        }
        log
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self.app.get(&self.reader, path).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    async fn key(&self) -> NoteVerifier {
        let key = self.get("/api/v1/checkpoints/key").await;
        assert_eq!(key["algorithm"], "Ed25519");
        NoteVerifier::parse(key["verifier_key"].as_str().expect("verifier key")).expect("key")
    }

    async fn events(&self) -> Vec<Value> {
        let page = self.get("/api/v1/audit-logs?limit=500").await;
        page["data"].as_array().expect("events").clone()
    }

    /// The export's body as the API streams it.
    async fn export(&self, query: &str) -> (u16, String) {
        let request = Request::get(format!("/api/v1/audit-logs/export?{query}"))
            .header(AUTHORIZATION, format!("Bearer {}", self.exporter))
            .body(Body::empty())
            .unwrap();
        self.app.raw(request).await
    }
}

fn hashes(encoded: &[String]) -> Vec<Hash> {
    encoded
        .iter()
        .map(|h| BASE64.decode(h).unwrap().try_into().unwrap())
        .collect()
}

#[tokio::test]
async fn every_event_proves_its_inclusion_in_a_signed_checkpoint() {
    let log = Log::new().await;
    let key = log.key().await;
    let first = Checkpoint::open(&log.checkpoints[0], &key).expect("first checkpoint verifies");
    let latest = Checkpoint::open(&log.checkpoints[1], &key).expect("latest checkpoint verifies");
    assert!(first.origin.ends_with("/acme"), "{}", first.origin);
    assert!(first.size >= 23 && latest.size >= first.size + 17);
    let listed = log.get("/api/v1/checkpoints").await;
    assert_eq!(listed["history"][0], listed["latest"]);
    assert_eq!(listed["latest"]["tree_size"], latest.size);
    assert_eq!(listed["latest"]["root_hash"], BASE64.encode(latest.root));

    for event in log.events().await {
        let (id, seq) = (
            event["id"].as_str().unwrap(),
            event["seq"].as_u64().unwrap(),
        );
        let proof: InclusionProof =
            serde_json::from_value(log.get(&format!("/api/v1/audit-logs/{id}/proof")).await)
                .unwrap();
        assert_eq!((proof.seq as u64, proof.tree_size), (seq, latest.size));
        assert_eq!(proof.checkpoint, log.checkpoints[1]);
        let leaf = event_leaf(event["hash"].as_str().unwrap()).unwrap();
        merkle::verify_inclusion(
            &leaf,
            seq - 1,
            latest.size,
            &hashes(&proof.proof),
            &latest.root,
        )
        .unwrap_or_else(|e| panic!("event {seq}: {e}"));

        let in_first = format!("/api/v1/audit-logs/{id}/proof?size={}", first.size);
        let (status, body) = log.app.get(&log.reader, &in_first).await;
        if seq <= first.size {
            let proof: InclusionProof = serde_json::from_value(body).unwrap();
            merkle::verify_inclusion(
                &leaf,
                seq - 1,
                first.size,
                &hashes(&proof.proof),
                &first.root,
            )
            .unwrap_or_else(|e| panic!("event {seq} in the first checkpoint: {e}"));
        } else {
            assert_eq!(status, 400, "event {seq} came after it: {body}");
        }
    }

    let path = format!(
        "/api/v1/checkpoints/consistency?from={}&to={}",
        first.size, latest.size
    );
    let proof: ConsistencyProof = serde_json::from_value(log.get(&path).await).unwrap();
    merkle::verify_consistency(
        first.size,
        latest.size,
        &hashes(&proof.proof),
        &first.root,
        &latest.root,
    )
    .expect("the latest checkpoint extends the first");
}

#[tokio::test]
async fn proofs_refuse_bad_parameters_other_organizations_and_callers_without_read() {
    let log = Log::new().await;
    let id = log.events().await[0]["id"].as_str().unwrap().to_owned();
    for (path, status) in [
        (format!("/api/v1/audit-logs/{id}/proof?size=5"), 404),
        (format!("/api/v1/audit-logs/{id}/proof?size=many"), 400),
        (format!("/api/v1/audit-logs/{id}/proof?sise=5"), 400),
        ("/api/v1/audit-logs/no-such-event/proof".to_owned(), 404),
        (
            "/api/v1/checkpoints/consistency?from=0&to=3".to_owned(),
            400,
        ),
        (
            "/api/v1/checkpoints/consistency?from=4&to=3".to_owned(),
            400,
        ),
        (
            "/api/v1/checkpoints/consistency?from=1&to=100000".to_owned(),
            400,
        ),
        ("/api/v1/checkpoints/consistency?from=1".to_owned(), 400),
        ("/api/v1/checkpoints?limit=0".to_owned(), 400),
    ] {
        let (got, body) = log.app.get(&log.reader, &path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(body["error"]["message"].is_string(), "{path}: {body}");
    }
    for path in [
        format!("/api/v1/audit-logs/{id}/proof"),
        "/api/v1/checkpoints".to_owned(),
        "/api/v1/checkpoints/key".to_owned(),
        "/api/v1/checkpoints/consistency?from=1&to=2".to_owned(),
    ] {
        let (status, _) = log.app.get(&log.writer, &path).await;
        assert_eq!(status, 403, "{path} needs audit_logs:read");
    }
    let other = log.app.org("globex").await;
    let outsider = log
        .app
        .key(&other, "reader", &[Permission::AuditLogsRead])
        .await;
    let (status, _) = log
        .app
        .get(&outsider, &format!("/api/v1/audit-logs/{id}/proof"))
        .await;
    assert_eq!(status, 404, "another organization's event is not found");
    let (_, listed) = log.app.get(&outsider, "/api/v1/checkpoints").await;
    assert_eq!(listed["latest"], Value::Null, "{listed}");
}

#[tokio::test]
async fn an_export_with_proofs_verifies_offline_and_an_altered_one_does_not() {
    let log = Log::new().await;
    let key = log.get("/api/v1/checkpoints/key").await["verifier_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };

    let (status, body) = log
        .export("format=ndjson&include_proof=true&action=user.invited")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.lines().count(), 40);
    let export = file("export.ndjson", &body);
    let (ok, stderr) = verify_offline(&["--key", &key, "--export", &export]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("40 events"), "{stderr}");

    let altered = file(
        "altered.ndjson",
        &body.replacen("alice@acme.com", "mallory@acme.com", 1),
    );
    let (ok, stderr) = verify_offline(&["--key", &key, "--export", &altered]);
    assert!(!ok && stderr.contains("was altered"), "{stderr}");

    // The whole log (the export above is recorded in it now) rebuilds a checkpoint's tree.
    log.app.services.catch_up().await.unwrap();
    let latest = log.get("/api/v1/checkpoints").await["latest"]["signed_note"].clone();
    let latest = file("latest.txt", latest.as_str().unwrap());
    let (status, whole) = log.export("format=json").await;
    assert_eq!(status, 200);
    let whole = file("whole.json", &whole);
    let (ok, stderr) =
        verify_offline(&["--key", &key, "--export", &whole, "--checkpoint", &latest]);
    assert!(
        ok,
        "the whole log rebuilds the latest checkpoint's tree: {stderr}"
    );

    let (status, body) = log.export("format=csv&include_proof=true").await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn a_consistency_proof_verifies_offline_between_two_checkpoints() {
    let log = Log::new().await;
    let key = log.key().await;
    let sizes: Vec<u64> = log
        .checkpoints
        .iter()
        .map(|note| Checkpoint::open(note, &key).unwrap().size)
        .collect();
    let path = format!(
        "/api/v1/checkpoints/consistency?from={}&to={}",
        sizes[0], sizes[1]
    );
    let proof = log.get(&path).await;
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let (old, new) = (
        file("old.txt", &log.checkpoints[0]),
        file("new.txt", &log.checkpoints[1]),
    );
    let proof = file("proof.json", &proof.to_string());
    let key_file = file("key.txt", &key.verifier_key());
    let args = [
        "--key",
        &key_file,
        "--checkpoint",
        &old,
        "--checkpoint",
        &new,
        "--consistency",
        &proof,
    ];
    let (ok, stderr) = verify_offline(&args);
    assert!(ok, "{stderr}");
    let swapped = [
        "--key",
        &key_file,
        "--checkpoint",
        &new,
        "--checkpoint",
        &old,
        "--consistency",
        &proof,
    ];
    let (ok, stderr) = verify_offline(&swapped);
    assert!(!ok, "{stderr}");
}
