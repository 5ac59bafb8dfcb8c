//! SIGKILL at random moments while clients ingest and the server indexes (on SQLite, or
//! PostgreSQL when `AUDITRAIL_TEST_DATABASE=postgres`): after each restart nothing acknowledged
//! is lost or doubled, `seq` stays gap-free, the chain verifies, retried batches answer their
//! originals, and the index converges on the log.

mod common;

use common::{event, TestServer};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

/// Clients ingesting at once.
const CLIENTS: usize = 4;
/// Kills per run.
const KILLS: usize = 4;

/// One batch: its events' idempotency keys and bodies.
struct Batch {
    keys: Vec<String>,
    body: Value,
}

fn batch(client: usize, round: usize, size: usize) -> Batch {
    let keys: Vec<String> = (0..size)
        .map(|i| format!("c{client}-r{round}-e{i}"))
        .collect();
    let events: Vec<Value> = keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let mut e = event(client * 1_000_000 + round * 1000 + i);
            e["idempotency_key"] = json!(key);
            e
        })
        .collect();
    Batch {
        keys,
        body: json!({ "events": events }),
    }
}

/// Posts a batch; answers key → seq when it was acknowledged.
async fn post(
    http: &reqwest::Client,
    base: &str,
    key: &str,
    batch: &Batch,
) -> Option<Vec<(String, i64)>> {
    let res = http
        .post(format!("{base}/api/v1/events"))
        .bearer_auth(key)
        .json(&batch.body)
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .ok()?;
    if res.status() != 201 {
        return None;
    }
    let body: Value = res.json().await.ok()?;
    let seqs = body["events"]
        .as_array()?
        .iter()
        .map(|e| e["seq"].as_i64().unwrap());
    Some(batch.keys.iter().cloned().zip(seqs).collect())
}

/// A client: posts batches of 1 to 300 events until one goes unanswered (the server died);
/// answers what was acknowledged and the batch left in flight.
async fn ingest_until_killed(
    base: String,
    key: String,
    client: usize,
    first_round: usize,
) -> (Vec<(String, i64)>, Option<Batch>) {
    let http = reqwest::Client::new();
    let mut rng = StdRng::seed_from_u64(client as u64 * 7919 + first_round as u64);
    let mut acknowledged = Vec::new();
    for round in first_round.. {
        let next = batch(client, round, rng.gen_range(1..=300));
        match post(&http, &base, &key, &next).await {
            Some(acks) => acknowledged.extend(acks),
            None => return (acknowledged, Some(next)),
        }
    }
    unreachable!()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kills_during_ingest_and_indexing_lose_nothing_acknowledged() {
    let mut server = TestServer::start();
    server.org("acme", "pro");
    let key = server.key("acme", "events:write,audit_logs:read");
    let mut rng = StdRng::seed_from_u64(3);
    let mut acknowledged: HashMap<String, i64> = HashMap::new();
    for kill in 0..KILLS {
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| {
                tokio::spawn(ingest_until_killed(
                    server.base.clone(),
                    key.clone(),
                    c,
                    kill * 10_000,
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(rng.gen_range(300..1500))).await;
        server.kill_and_restart();
        let http = reqwest::Client::new();
        for client in clients {
            let (acks, in_flight) = client.await.expect("client");
            for (k, seq) in acks {
                assert!(
                    acknowledged.insert(k, seq).is_none(),
                    "a key was acknowledged twice"
                );
            }
            // The batch in flight at the kill is retried: whatever of it was committed answers
            // its originals, the rest is appended now.
            let retry = in_flight.expect("the kill interrupted every client");
            let acks = post(&http, &server.base, &key, &retry)
                .await
                .expect("retry accepted");
            for (k, seq) in acks {
                if let Some(original) = acknowledged.insert(k.clone(), seq) {
                    assert_eq!(original, seq, "a retry of {k} answered another event");
                }
            }
        }
    }
    // A batch acknowledged before the kills, retried: the same events.
    let replay = batch(0, 0, StdRng::seed_from_u64(0).gen_range(1..=300));
    let http = reqwest::Client::new();
    if acknowledged.contains_key(&replay.keys[0]) {
        for (k, seq) in post(&http, &server.base, &key, &replay)
            .await
            .expect("replay")
        {
            assert_eq!(acknowledged[&k], seq, "replayed {k}");
        }
    }

    // The index converges on the log.
    let mut waited = 0;
    while !server.cli(&["status"]).contains("caught up") {
        waited += 1;
        assert!(waited < 600, "the index never caught up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Every acknowledged event is stored exactly once, in a gap-free, intact chain.
    let mut stored: Vec<(i64, String)> = Vec::new();
    loop {
        let after = stored.last().map_or(0, |(seq, _)| *seq);
        let (status, page) = server
            .get(
                &key,
                &format!("/api/v1/audit-logs?after_seq={after}&limit=1000"),
            )
            .await;
        assert_eq!(status, 200, "{page}");
        let rows = page["data"].as_array().expect("data");
        if rows.is_empty() {
            break;
        }
        stored.extend(rows.iter().map(|e| {
            (
                e["seq"].as_i64().unwrap(),
                e["idempotency_key"].as_str().unwrap().to_owned(),
            )
        }));
    }
    let seqs: Vec<i64> = stored.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(
        seqs,
        (1..=stored.len() as i64).collect::<Vec<_>>(),
        "seq has a gap"
    );
    let by_key: HashMap<&str, i64> = stored.iter().map(|(s, k)| (k.as_str(), *s)).collect();
    assert_eq!(by_key.len(), stored.len(), "an event was stored twice");
    for (k, seq) in &acknowledged {
        assert_eq!(
            by_key.get(k.as_str()),
            Some(seq),
            "acknowledged {k} is missing"
        );
    }
    let (_, verified) = server.get(&key, "/api/v1/audit-logs/verify").await;
    assert_eq!(verified["ok"], true, "{verified}");
    assert_eq!(verified["checked"], stored.len());
    // The index answers for every event (a total from the hourly counts, one counted).
    for query in ["action=user.invited", "q=alice"] {
        let (_, page) = server
            .get(
                &key,
                &format!("/api/v1/audit-logs?include_total=true&limit=1&{query}"),
            )
            .await;
        assert_eq!(page["total"], stored.len(), "{query}");
    }
    println!(
        "{KILLS} kills survived, {} events acknowledged, {} stored, 0 lost",
        acknowledged.len(),
        stored.len()
    );
}
