//! Chain verification and the append-only triggers, on SQLite or PostgreSQL as the environment
//! asks: the triggers refuse plain edits, and every edit made after dropping them (as an attacker
//! holding the database's credentials would) is found by `GET /api/v1/audit-logs/verify` at the
//! right `seq`, with the right reason. The log is indexed and its Merkle tree built and
//! checkpointed before each tampering, as a served log is moments after its appends.

mod common;

use app::model::Permission;
use axum::body::Body;
use axum::http::header::AUTHORIZATION;
use axum::http::Request;
use common::event;
use common::in_process::App;
use serde_json::{json, Value};
use server::proof::note::NoteVerifier;
use server::proof::offline;
use std::io::Cursor;

/// An organization with twenty events posted through the API (more than a stored Merkle
/// subtree's sixteen), and a key that reads it.
struct Log {
    app: App,
    org_id: i64,
    reader: String,
    /// The `seq` of the posted events, in order.
    seqs: Vec<i64>,
}

impl Log {
    async fn new() -> Self {
        let app = App::start().await;
        let org = app.org("acme").await;
        let writer = app.key(&org, "writer", &[Permission::EventsWrite]).await;
        let reader = app.key(&org, "reader", &[Permission::AuditLogsRead]).await;
        let events: Vec<Value> = (0..20).map(event).collect();
        let (status, body) = app.ingest(&writer, &json!({ "events": events })).await;
        assert_eq!(status, 201, "{body}");
        let seqs = body["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| e["seq"].as_i64().expect("seq"))
            .collect();
        app.services.catch_up().await.expect("index and checkpoint");
        Self {
            app,
            org_id: org.id,
            reader,
            seqs,
        }
    }

    async fn verify(&self) -> Value {
        let (status, body) = self
            .app
            .get(&self.reader, "/api/v1/audit-logs/verify")
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// The size of the latest signed checkpoint.
    async fn checkpointed(&self) -> i64 {
        let (status, body) = self.app.get(&self.reader, "/api/v1/checkpoints").await;
        assert_eq!(status, 200, "{body}");
        body["latest"]["tree_size"].as_i64().expect("a checkpoint")
    }

    /// Drops the append-only triggers, then runs `statements` (`{org}` stands for the
    /// organization's id).
    async fn tamper(&self, statements: &[&str]) {
        let drop_triggers: &[&str] = if self.app.database.is_postgres() {
            &[
                "DROP TRIGGER event_log_refuse_change ON event_log",
                "DROP TRIGGER events_refuse_change ON events",
                "DROP TRIGGER event_targets_refuse_change ON event_targets",
                "DROP TRIGGER chain_heads_refuse_rewind ON chain_heads",
                "DROP TRIGGER checkpoints_refuse_change ON checkpoints",
                "DROP TRIGGER merkle_trees_refuse_shrink ON merkle_trees",
            ]
        } else {
            &[
                "DROP TRIGGER event_log_refuse_update",
                "DROP TRIGGER event_log_refuse_delete",
                "DROP TRIGGER events_refuse_update",
                "DROP TRIGGER events_refuse_delete",
                "DROP TRIGGER event_targets_refuse_delete",
                "DROP TRIGGER chain_heads_refuse_rewind",
                "DROP TRIGGER checkpoints_refuse_update",
                "DROP TRIGGER checkpoints_refuse_delete",
                "DROP TRIGGER merkle_trees_refuse_shrink",
            ]
        };
        let org = self.org_id.to_string();
        let statements: Vec<String> = statements
            .iter()
            .map(|s| s.replace("{org}", &org))
            .collect();
        let all: Vec<&str> = drop_triggers
            .iter()
            .copied()
            .chain(statements.iter().map(String::as_str))
            .collect();
        self.app.database.execute(&all).await.expect("tamper");
    }
}

/// Asserts that verify reports a break at `seq` whose reason contains `reason`.
fn assert_broken(verification: &Value, seq: i64, reason: &str) {
    assert_eq!(verification["ok"], false, "{verification}");
    assert_eq!(verification["broken_at_seq"], seq, "{verification}");
    let why = verification["reason"].as_str().expect("reason");
    assert!(why.contains(reason), "{why}");
}

#[tokio::test]
async fn an_untouched_chain_verifies_and_its_status_is_recorded() {
    let log = Log::new().await;
    let verification = log.verify().await;
    assert_eq!(verification["ok"], true, "{verification}");
    let last = *log.seqs.last().unwrap();
    assert_eq!(verification["checked"], last);
    assert!(verification.get("broken_at_seq").is_none());
    let org = log.app.services.organization("acme").await.expect("acme");
    let status = log
        .app
        .services
        .chain_status(&org.operator_access())
        .await
        .expect("status")
        .expect("a recorded verification");
    assert!(status.ok);
    assert_eq!(status.checked, last as u64);
}

#[tokio::test]
async fn verify_needs_audit_logs_read() {
    let log = Log::new().await;
    let org = log.app.services.organization("acme").await.expect("acme");
    let writer = log
        .app
        .key(&org, "writer-only", &[Permission::EventsWrite])
        .await;
    let (status, _) = log.app.get(&writer, "/api/v1/audit-logs/verify").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn triggers_refuse_updates_and_deletes_of_events_and_a_rewound_head() {
    let log = Log::new().await;
    let org = log.org_id;
    for statement in [
        format!("UPDATE event_log SET data = '{{}}' WHERE org_id = {org}"),
        format!("DELETE FROM event_log WHERE org_id = {org}"),
        format!("UPDATE events SET action = 'x' WHERE org_id = {org}"),
        format!("DELETE FROM events WHERE org_id = {org}"),
        format!("DELETE FROM event_targets WHERE org_id = {org}"),
        format!("UPDATE chain_heads SET seq = 1 WHERE org_id = {org}"),
        format!("DELETE FROM chain_heads WHERE org_id = {org}"),
        format!("UPDATE merkle_nodes SET hash = hash WHERE org_id = {org}"),
        format!("DELETE FROM merkle_nodes WHERE org_id = {org}"),
        format!("UPDATE merkle_trees SET size = 1 WHERE org_id = {org}"),
        format!("UPDATE checkpoints SET signed_note = '' WHERE org_id = {org}"),
        format!("DELETE FROM checkpoints WHERE org_id = {org}"),
    ] {
        let refused = log.app.database.execute(&[&statement]).await;
        assert!(refused.is_err(), "{statement} was allowed");
    }
    assert_eq!(log.verify().await["ok"], true);
}

#[tokio::test]
async fn a_purge_guard_row_lets_deletes_of_its_organization_through() {
    let log = Log::new().await;
    let org = log.org_id;
    let first = log.seqs[0];
    log.app
        .database
        .execute(&[
            &format!("INSERT INTO purge_in_progress (org_id) VALUES ({org})"),
            &format!("DELETE FROM event_targets WHERE org_id = {org} AND seq = {first}"),
            &format!("DELETE FROM events WHERE org_id = {org} AND seq = {first}"),
            &format!("DELETE FROM event_log WHERE org_id = {org} AND seq = {first}"),
            &format!("DELETE FROM purge_in_progress WHERE org_id = {org}"),
        ])
        .await
        .expect("a purge's deletes pass");
    let updated = format!("UPDATE event_log SET data = '{{}}' WHERE org_id = {org}");
    assert!(log.app.database.execute(&[&updated]).await.is_err());
}

#[tokio::test]
async fn an_altered_field_breaks_the_chain_at_that_event() {
    let log = Log::new().await;
    let seq = log.seqs[2];
    log.tamper(&[&format!(
        "UPDATE event_log SET data = replace(data, 'alice@acme.com', 'mallory@acme.com') \
         WHERE org_id = {{org}} AND seq = {seq}"
    )])
    .await;
    assert_broken(&log.verify().await, seq, "was altered");
}

#[tokio::test]
async fn a_deleted_middle_event_breaks_the_chain_where_it_was() {
    let log = Log::new().await;
    let seq = log.seqs[2];
    log.tamper(&[&format!(
        "DELETE FROM event_log WHERE org_id = {{org}} AND seq = {seq}"
    )])
    .await;
    assert_broken(&log.verify().await, seq, "missing");
}

/// Deletes the events after `kept` and rewrites the head to the last one kept.
fn cut_after(kept: i64) -> [String; 2] {
    [
        format!("DELETE FROM event_log WHERE org_id = {{org}} AND seq > {kept}"),
        format!(
            "UPDATE chain_heads SET seq = {kept}, hash = (SELECT hash FROM event_log \
             WHERE org_id = {{org}} AND seq = {kept}) WHERE org_id = {{org}}"
        ),
    ]
}

#[tokio::test]
async fn deleting_the_newest_events_and_rewriting_the_head_is_found_by_the_checkpoint() {
    let log = Log::new().await;
    let kept = log.seqs[2];
    let [delete, rewrite] = cut_after(kept);
    log.tamper(&[&delete, &rewrite]).await;
    assert_broken(&log.verify().await, kept + 1, "a checkpoint was signed at");
}

#[tokio::test]
async fn deleting_the_newest_events_and_their_checkpoints_is_still_found_by_the_tallies() {
    let log = Log::new().await;
    let kept = log.seqs[2];
    let [delete, rewrite] = cut_after(kept);
    let checkpoints = "DELETE FROM checkpoints WHERE org_id = {org}";
    log.tamper(&[&delete, &rewrite, checkpoints]).await;
    assert_broken(&log.verify().await, kept + 1, "tallies");
}

#[tokio::test]
async fn an_auditor_holding_an_earlier_checkpoint_finds_a_thorough_rewrite_offline() {
    let log = Log::new().await;
    let (_, checkpoints) = log.app.get(&log.reader, "/api/v1/checkpoints").await;
    let kept = checkpoints["latest"]["signed_note"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, key) = log.app.get(&log.reader, "/api/v1/checkpoints/key").await;
    let key = NoteVerifier::parse(key["verifier_key"].as_str().unwrap()).unwrap();
    // Every trace of the newest events goes: the log, the head, the index, the checkpoints.
    let last_kept = log.seqs[2];
    let [delete, rewrite] = cut_after(last_kept);
    let index = format!("DELETE FROM events WHERE org_id = {{org}} AND seq > {last_kept}");
    let targets = format!("DELETE FROM event_targets WHERE org_id = {{org}} AND seq > {last_kept}");
    let checkpoints = "DELETE FROM checkpoints WHERE org_id = {org}";
    log.tamper(&[&delete, &rewrite, &targets, &index, checkpoints])
        .await;

    let org = log.app.services.organization("acme").await.unwrap();
    let scopes = [Permission::AuditLogsRead, Permission::AuditLogsExport];
    let exporter = log.app.key(&org, "exporter", &scopes).await;
    let (status, export) = log
        .app
        .raw(
            Request::get("/api/v1/audit-logs/export?format=ndjson")
                .header(AUTHORIZATION, format!("Bearer {exporter}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, 200, "{export}");
    let refuted = offline::verify_export(Cursor::new(export.into_bytes()), &key, &[kept])
        .expect_err("the rewritten log does not make the kept checkpoint's tree");
    assert!(refuted.0.contains("the checkpoint has"), "{refuted}");
}

#[tokio::test]
async fn an_altered_checkpoint_or_one_signed_by_another_key_is_found() {
    let log = Log::new().await;
    let size = log.checkpointed().await;
    let zeros = "00".repeat(32);
    let zero_root = if log.app.database.is_postgres() {
        format!("'\\x{zeros}'")
    } else {
        format!("X'{zeros}'")
    };
    log.tamper(&[&format!(
        "UPDATE checkpoints SET root_hash = {zero_root} WHERE org_id = {{org}}"
    )])
    .await;
    assert_broken(&log.verify().await, size, "its signed note says otherwise");

    let log = Log::new().await;
    let size = log.checkpointed().await;
    let forger = server::proof::note::NoteSigner::generate("auditrail.test").unwrap();
    let forged = forger.sign("auditrail.test/acme\n1\nAAAA\n").unwrap();
    log.tamper(&[&format!(
        "UPDATE checkpoints SET signed_note = '{forged}' WHERE org_id = {{org}}"
    )])
    .await;
    assert_broken(&log.verify().await, size, "is not valid");
}

#[tokio::test]
async fn swapped_events_break_the_chain_at_the_first_of_them() {
    let log = Log::new().await;
    let (a, b) = (log.seqs[1], log.seqs[2]);
    log.tamper(&[
        &format!("UPDATE event_log SET seq = -1 WHERE org_id = {{org}} AND seq = {a}"),
        &format!("UPDATE event_log SET seq = {a} WHERE org_id = {{org}} AND seq = {b}"),
        &format!("UPDATE event_log SET seq = {b} WHERE org_id = {{org}} AND seq = -1"),
    ])
    .await;
    assert_broken(&log.verify().await, a, "rows were moved");
}
