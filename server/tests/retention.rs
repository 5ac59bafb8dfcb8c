//! Retention, on SQLite or PostgreSQL as the environment asks: expired events are archived to
//! files that verify offline, then purged; the chain, the counts and the kept events' proofs
//! still hold; a legal hold stops purges; a purge that cannot finish deletes nothing; settings
//! changes are checked and recorded.

mod common;

use app::model::{Actor, ActorType, ClientInfo, Permission, RetentionUpdate};
use chrono::{Duration, Utc};
use common::in_process::App;
use common::{event, verify_offline};
use serde_json::{json, Value};
use server::store::Organization;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Connection, Executor};

/// An organization with 200 posted events, indexed, in its tree and checkpointed.
struct Log {
    app: App,
    org: Organization,
    reader: String,
    archives: tempfile::TempDir,
}

impl Log {
    async fn new() -> Self {
        let app = App::start().await;
        let org = app.org("acme").await;
        let writer = app.key(&org, "writer", &[Permission::EventsWrite]).await;
        let reader = app.key(&org, "reader", &[Permission::AuditLogsRead]).await;
        for from in [0, 100] {
            let events: Vec<Value> = (from..from + 100).map(event).collect();
            let (status, body) = app.ingest(&writer, &json!({ "events": events })).await;
            assert_eq!(status, 201, "{body}");
        }
        app.services.catch_up().await.expect("catch up");
        Self {
            app,
            org,
            reader,
            archives: tempfile::tempdir().unwrap(),
        }
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self.app.get(&self.reader, path).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    /// How many events the organization holds, as the list's total says.
    async fn total(&self) -> u64 {
        self.get("/api/v1/audit-logs?limit=1&include_total=true")
            .await["total"]
            .as_u64()
            .expect("total")
    }

    async fn purge_at(&self, days_from_now: i64) -> server::service::PurgeReport {
        let now = Utc::now() + Duration::days(days_from_now);
        self.app
            .services
            .purge(&self.org, self.archives.path(), now, false)
            .await
            .expect("purge")
    }

    async fn verified(&self) -> Value {
        self.app.services.catch_up().await.expect("catch up");
        let verification = self.get("/api/v1/audit-logs/verify").await;
        assert_eq!(verification["ok"], true, "{verification}");
        verification
    }
}

#[tokio::test]
async fn expired_events_are_archived_then_purged_and_the_rest_still_proves() {
    let log = Log::new().await;
    let total = log.total().await;
    assert_eq!(total, 200);
    let oldest = log.get("/api/v1/audit-logs?after_seq=0&limit=1").await["data"][0].clone();

    let unexpired = log.purge_at(0).await;
    assert_eq!((unexpired.events, unexpired.purges.len()), (0, 0));

    let purged_total = "auditrail_events_purged_total";
    let counted = log.app.metric(purged_total, &[]).await;
    let report = log.purge_at(91).await;
    // Whole blocks of 16 within the checkpointed, indexed events: 12 × 16 of the 200.
    assert_eq!(report.events, 192);
    // (At least: the counter is the process's, and other tests here may purge meanwhile.)
    assert!(log.app.metric(purged_total, &[]).await - counted >= 192.0);
    let [purge] = report.purges.as_slice() else {
        panic!("one day, one archive: {:?}", report.purges)
    };
    assert_eq!((purge.first_seq, purge.through_seq), (1, 192));
    let archive = log.archives.path().join(&purge.archive);
    let bytes = std::fs::read(&archive).expect("the archive exists");
    assert_eq!(hex::encode(Sha256::digest(&bytes)), purge.archive_sha256);

    let key = log.get("/api/v1/checkpoints/key").await["verifier_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let archive_path = archive.display().to_string();
    let (ok, stderr) = verify_offline(&["--key", &key, "--export", &archive_path]);
    assert!(ok, "the archive verifies offline: {stderr}");
    assert!(stderr.contains("192 events"), "{stderr}");

    // The purge's own event joins the chain; counts, verification and proofs go on.
    let verification = log.verified().await;
    assert_eq!(verification["checked"], 200 - 192 + 1, "{verification}");
    assert_eq!(log.total().await, 9);
    // A whole-log export starts at the first kept event.
    let exporter = [Permission::AuditLogsRead, Permission::AuditLogsExport];
    let exporter = log.app.key(&log.org, "exporter", &exporter).await;
    let (status, exported) = log
        .app
        .get(&exporter, "/api/v1/audit-logs/export?format=json")
        .await;
    assert_eq!(status, 200, "{exported}");
    let seqs: Vec<i64> = exported
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (193..=201).collect::<Vec<_>>());
    let (status, _) = log
        .app
        .get(
            &log.reader,
            &format!("/api/v1/audit-logs/{}", oldest["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(status, 404, "a purged event is gone");
    let purged = log.get("/api/v1/audit-logs?action=retention.purged").await["data"][0].clone();
    assert_eq!(
        purged["details"]["archive_sha256"],
        purge.archive_sha256.as_str()
    );
    assert_eq!(purged["details"]["through_seq"], 192);
    assert_eq!(purged["actor"]["id"], "auditrail");
    let kept = log.get("/api/v1/audit-logs?after_seq=192&limit=1").await["data"][0].clone();
    assert_eq!(kept["seq"], 193);
    let proof = log
        .get(&format!(
            "/api/v1/audit-logs/{}/proof",
            kept["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(proof["seq"], 193, "{proof}");
    let latest = log.get("/api/v1/checkpoints").await["latest"]["tree_size"]
        .as_u64()
        .unwrap();
    let within = format!("/api/v1/checkpoints/consistency?from=100&to={latest}");
    let (status, body) = log.app.get(&log.reader, &within).await;
    assert_eq!(status, 404, "a tree cut among purged leaves: {body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("purged"));
    log.get(&format!(
        "/api/v1/checkpoints/consistency?from=96&to={latest}"
    ))
    .await;

    let again = log.purge_at(91).await;
    assert_eq!(again.events, 0, "fewer than 16 expired events are left");
    let settings = log
        .app
        .services
        .retention(&log.org.operator_access())
        .await
        .unwrap();
    assert_eq!(settings.purged_through_seq, 192);
    assert_eq!(settings.last_purge.as_ref(), Some(purge));
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_auditrail"))
        .arg("status")
        .env("DATABASE_URL", &log.app.database.url)
        .env(
            "AUDITRAIL_SIGNING_KEY_FILE",
            log.app.database.signing_key_file(),
        )
        .output()
        .expect("run auditrail status");
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(
        status.contains("acme: 90 days, purged through event 192 on "),
        "{status}"
    );

    // Outside a purge's transaction the database refuses to delete events or touch purges.
    let database = &log.app.database;
    for statement in [
        "DELETE FROM event_log WHERE seq = 193",
        "DELETE FROM events WHERE seq = 193",
        "UPDATE purges SET through_seq = 0",
        "DELETE FROM purges",
    ] {
        let refused = database.execute(&[statement]).await;
        assert!(refused.is_err(), "{statement} is refused");
    }
    log.verified().await;
}

#[tokio::test]
async fn a_legal_hold_keeps_everything_and_its_change_is_recorded() {
    let log = Log::new().await;
    let services = &log.app.services;
    let access = log.org.operator_access();
    let actor = Actor {
        kind: ActorType::User,
        id: "user_1".into(),
        email: Some("owner@acme.com".into()),
        name: None,
    };
    let hold = RetentionUpdate {
        retention_days: 30,
        legal_hold: Some(true),
    };
    let settings = services
        .set_retention(&access, actor.clone(), &ClientInfo::default(), hold)
        .await
        .unwrap();
    assert!(settings.legal_hold);
    assert_eq!(settings.retention_days, 30);

    let report = log.purge_at(3650).await;
    assert_eq!(report.events, 0);
    assert!(report.held_by.unwrap().contains("legal hold"));
    assert_eq!(log.total().await, 201, "the change's event joined the log");

    let updated = log.get("/api/v1/audit-logs?action=retention.updated").await["data"][0].clone();
    let changes = &updated["changes"];
    assert_eq!(
        changes,
        &json!([
            {"field": "retention_days", "before": 90, "after": 30},
            {"field": "legal_hold", "before": false, "after": true}
        ])
    );
    for days in [0, 91] {
        let beyond = RetentionUpdate {
            retention_days: days,
            legal_hold: None,
        };
        let error = services
            .set_retention(&access, actor.clone(), &ClientInfo::default(), beyond)
            .await
            .unwrap_err();
        assert_eq!(
            (error.status(), error.field.as_deref()),
            (400, Some("retention_days"))
        );
    }
    let mut reader = access.clone();
    reader.permissions = vec![Permission::AuditLogsRead];
    let release = RetentionUpdate {
        retention_days: 30,
        legal_hold: Some(false),
    };
    let error = services
        .set_retention(&reader, actor, &ClientInfo::default(), release)
        .await
        .unwrap_err();
    assert_eq!(error.status(), 403);
    assert_eq!(log.total().await, 201, "refused changes record nothing");
}

/// Holds the database's write lock (SQLite) or the purge guard table (PostgreSQL) in a
/// transaction of its own, so that a purge's transaction cannot start.
async fn block_purges(url: &str, postgres: bool) -> AnyConnection {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(url).await.unwrap();
    let begin = match postgres {
        true => "BEGIN; LOCK TABLE purge_in_progress IN EXCLUSIVE MODE",
        false => "BEGIN IMMEDIATE",
    };
    conn.execute(begin).await.unwrap();
    conn
}

#[tokio::test]
async fn a_purge_stopped_after_its_archive_deletes_nothing_and_the_next_one_completes() {
    let log = Log::new().await;
    let database = &log.app.database;
    let mut blocker = block_purges(&database.url, database.is_postgres()).await;
    let purging = {
        let (services, org) = (log.app.services.clone(), log.org.clone());
        let archives = log.archives.path().to_owned();
        let now = Utc::now() + Duration::days(91);
        tokio::spawn(async move { services.purge(&org, &archives, now, false).await })
    };
    let org_dir = log.archives.path().join("acme");
    for _ in 0..200 {
        let written = std::fs::read_dir(&org_dir).map_or(0, |files| files.count());
        if written > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    // The archive is written and synced; the deleting transaction waits: stop it there, as a
    // crash would.
    purging.abort();
    let _ = purging.await;
    blocker.execute("ROLLBACK").await.unwrap();
    drop(blocker);
    let files: Vec<_> = std::fs::read_dir(&org_dir).unwrap().collect();
    assert_eq!(
        files.len(),
        1,
        "the archive was written before anything was deleted"
    );
    assert_eq!(log.total().await, 200, "nothing was deleted");
    log.verified().await;

    let report = log.purge_at(91).await;
    assert_eq!(report.events, 192);
    let archive = log.archives.path().join(&report.purges[0].archive);
    let bytes = std::fs::read(archive).unwrap();
    assert_eq!(
        hex::encode(Sha256::digest(&bytes)),
        report.purges[0].archive_sha256
    );
    assert_eq!(log.total().await, 200 - 192 + 1);
    log.verified().await;
}

#[tokio::test]
async fn a_purge_that_cannot_write_its_archive_deletes_nothing() {
    let log = Log::new().await;
    let not_a_directory = log.archives.path().join("file");
    std::fs::write(&not_a_directory, "in the way").unwrap();
    let now = Utc::now() + Duration::days(91);
    let error = log
        .app
        .services
        .purge(&log.org, &not_a_directory, now, false)
        .await
        .unwrap_err();
    assert!(
        error.message.contains("cannot be written"),
        "{}",
        error.message
    );
    assert_eq!(log.total().await, 200);
    log.verified().await;
}

#[tokio::test]
async fn a_dry_run_counts_and_keeps_everything() {
    let log = Log::new().await;
    let now = Utc::now() + Duration::days(91);
    let report = log
        .app
        .services
        .purge(&log.org, log.archives.path(), now, true)
        .await
        .unwrap();
    assert_eq!((report.events, report.purges.len()), (192, 0));
    assert_eq!(log.total().await, 200);
    assert!(!log.archives.path().join("acme").exists());
}

#[tokio::test]
async fn settings_are_read_and_changed_by_members_with_settings_manage_only() {
    let log = Log::new().await;
    log.app
        .member(&log.org, "admin@acme.com", "admin", "correct-horse")
        .await;
    log.app
        .member(
            &log.org,
            "auditor@acme.com",
            "account_manager",
            "correct-horse",
        )
        .await;
    let admin = log.app.session("admin@acme.com", "correct-horse").await;
    let (status, settings) = log.app.call(&admin, "settings/retention", json!({})).await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(
        (&settings["retention_days"], &settings["max_retention_days"]),
        (&json!(90), &json!(90))
    );
    let (status, settings) = log
        .app
        .call(
            &admin,
            "settings/set_retention",
            json!({"update": {"retention_days": 14}}),
        )
        .await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["retention_days"], 14);
    assert_eq!(settings["legal_hold"], false);
    let (status, error) = log
        .app
        .call(
            &admin,
            "settings/set_retention",
            json!({"update": {"retention_days": 365}}),
        )
        .await;
    assert_eq!(status, 400, "{error}");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains("from 1 to 90"), "{error}");

    let manager = log.app.session("auditor@acme.com", "correct-horse").await;
    let (status, _) = log
        .app
        .call(&manager, "settings/retention", json!({}))
        .await;
    assert_eq!(status, 403);
    let (status, _) = log.app.get(&log.reader, "/api/v1/settings/retention").await;
    assert_eq!(status, 403, "no API key scope reaches the settings");
}
