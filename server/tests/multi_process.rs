//! Several server processes on one database, as behind a load balancer: concurrent ingest from 8
//! clients into one organization (group commits in each process, the head lock between them)
//! keeps `seq` gap-free and the hash chain verifiable.

mod common;

use app::model::AuditEvent;
use common::{event, TestServer};
use serde_json::{json, Value};

#[tokio::test]
async fn two_processes_ingesting_into_one_organization_keep_one_intact_chain() {
    let server = TestServer::start();
    server.org("acme", "pro");
    let key = server.key("acme", "events:write,audit_logs:read");
    let peer = server.peer();

    let writers: Vec<_> = (0..8)
        .map(|w| {
            let base = if w % 2 == 0 {
                server.base.clone()
            } else {
                peer.base.clone()
            };
            let key = key.clone();
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                for round in 0..15 {
                    let batch: Vec<Value> =
                        (0..20).map(|i| event(w * 1000 + round * 20 + i)).collect();
                    let res = http
                        .post(format!("{base}/api/v1/events"))
                        .bearer_auth(&key)
                        .json(&json!({ "events": batch }))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(res.status(), 201);
                }
            })
        })
        .collect();
    for w in writers {
        w.await.unwrap();
    }

    let mut events: Vec<AuditEvent> = Vec::new();
    loop {
        let after = events.last().map_or(0, |e| e.seq);
        let path = format!("/api/v1/audit-logs?after_seq={after}&limit=1000");
        let (status, page) = server.get(&key, &path).await;
        assert_eq!(status, 200);
        let more: Vec<AuditEvent> = serde_json::from_value(page["data"].clone()).unwrap();
        if more.is_empty() {
            break;
        }
        events.extend(more);
    }
    assert_eq!(events.len(), 2400);
    events.sort_by_key(|e| e.seq);
    let mut prev = server::chain::GENESIS.to_owned();
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as i64 + 1);
        assert_eq!(e.prev_hash, prev);
        assert_eq!(server::chain::link_hash(&prev, e), e.hash);
        prev.clone_from(&e.hash);
    }
}
