//! `auditrail-bench query`: first-page and total latency of the list API per filter, on a
//! database seeded with `auditrail seed --events N` (SQLite or PostgreSQL).

use super::server_process::{api_key, quantile, ServerProcess};
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// The seeded database (`sqlite://…` or `postgres://…`).
    #[arg(long)]
    database_url: String,
    /// Requests per first-page measurement (totals take a fifth as many).
    #[arg(long, default_value_t = 50)]
    samples: usize,
}

/// The filters measured: the investigation issue's indexed ones, and free text.
fn filters() -> Vec<(&'static str, String)> {
    let week_ago = (chrono::Utc::now() - chrono::Duration::days(7)).format("%Y-%m-%d");
    vec![
        ("none (whole log)", String::new()),
        ("time range (last 7 days)", format!("from={week_ago}")),
        ("action (SECRET_READ)", "action=SECRET_READ".into()),
        ("category (auth)", "category=auth".into()),
        ("actor (admin@acme.com)", "actor=admin@acme.com".into()),
        ("IP (10.0.0.0/8)", "ip=10.0.0.0/8".into()),
        ("free text (stripe)", "q=stripe".into()),
    ]
}

/// Sorted timings (ms) of `samples` GETs, and the last body.
async fn measure(
    http: &reqwest::Client,
    url: &str,
    key: &str,
    samples: usize,
) -> (Vec<f64>, serde_json::Value) {
    let mut times = Vec::with_capacity(samples);
    let mut body = serde_json::Value::Null;
    for _ in 0..samples {
        let start = Instant::now();
        let res = http
            .get(url)
            .bearer_auth(key)
            .send()
            .await
            .expect("list request");
        assert!(res.status().is_success(), "{url}: {}", res.status());
        body = res.json().await.expect("list body");
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    (times, body)
}

pub async fn run(args: Args) {
    let key = api_key(&args.database_url, "acme", "audit_logs:read");
    let server = ServerProcess::start(&args.database_url);
    let http = reqwest::Client::new();
    println!("| filter | matching | first page (50) p50 / p95 ms | total p50 / p95 ms |");
    println!("|---|---:|---:|---:|");
    for (name, query) in filters() {
        let page = format!("{}/api/v1/audit-logs?limit=50&{query}", server.base);
        let (first, _) = measure(&http, &page, &key, args.samples).await;
        let (totals, body) = measure(
            &http,
            &format!("{page}&include_total=true"),
            &key,
            (args.samples / 5).max(3),
        )
        .await;
        println!(
            "| {name} | {} | {:.1} / {:.1} | {:.0} / {:.0} |",
            body["total"].as_u64().unwrap_or(0),
            quantile(&first, 0.5),
            quantile(&first, 0.95),
            quantile(&totals, 0.5),
            quantile(&totals, 0.95)
        );
    }
}
