//! `auditrail-bench query`: first-page, deep-page (after following 1,000 cursors) and total
//! latency of the list API per filter, on a database seeded with `auditrail seed --events N`
//! (SQLite or PostgreSQL).

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

/// One measured filter: its API query string and the hand-written SQL condition that selects
/// the same events, run directly against the database for comparison.
struct Filter {
    name: &'static str,
    query: String,
    raw_where: String,
}

/// The filters measured: the investigation issue's indexed ones, and free text.
fn filters(sqlite: bool) -> Vec<Filter> {
    let week_ago = chrono::Utc::now().date_naive() - chrono::Duration::days(7);
    let week_ago_start = week_ago.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    let (since, ip_range, contains) = if sqlite {
        (
            week_ago_start.timestamp_micros().to_string(),
            "x'00000000000000000000ffff0a000000' AND x'00000000000000000000ffff0affffff'",
            "instr",
        )
    } else {
        (
            format!("'{}'::timestamptz", week_ago_start.to_rfc3339()),
            "'\\x00000000000000000000ffff0a000000'::bytea \
             AND '\\x00000000000000000000ffff0affffff'::bytea",
            "strpos",
        )
    };
    let filter = |name, query: String, raw_where: String| Filter {
        name,
        query,
        raw_where,
    };
    vec![
        filter("none (whole log)", String::new(), String::new()),
        filter(
            "time range (last 7 days)",
            format!("from={week_ago}"),
            format!(" AND occurred_at >= {since}"),
        ),
        filter(
            "action (SECRET_READ)",
            "action=SECRET_READ".into(),
            " AND action = 'SECRET_READ'".into(),
        ),
        filter(
            "category (auth)",
            "category=auth".into(),
            " AND category = 'auth'".into(),
        ),
        filter(
            "actor (admin@acme.com)",
            "actor=admin@acme.com".into(),
            " AND (actor_label = 'admin@acme.com' OR actor_id = 'admin@acme.com')".into(),
        ),
        filter(
            "IP (10.0.0.0/8)",
            "ip=10.0.0.0/8".into(),
            format!(" AND ip_bytes BETWEEN {ip_range}"),
        ),
        filter(
            "free text (stripe)",
            "q=stripe".into(),
            format!(" AND {contains}(search_text, 'stripe') > 0"),
        ),
    ]
}

/// Sorted timings (ms) of `samples` runs of a raw SQL statement through sqlx, rows fetched.
async fn measure_raw(pool: &sqlx::AnyPool, sql: &str, samples: usize) -> Vec<f64> {
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let start = Instant::now();
        sqlx::query(sql).fetch_all(pool).await.expect("raw query");
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times
}

/// `p50 / p95` of sorted timings.
fn p50_p95(sorted: &[f64]) -> String {
    format!(
        "{:.1} / {:.1}",
        quantile(sorted, 0.5),
        quantile(sorted, 0.95)
    )
}

/// Cursors followed to reach the deep page.
const DEEP_PAGE_CURSORS: usize = 1000;

/// The cursor of page `DEEP_PAGE_CURSORS + 1`, if the filter has that many pages.
async fn deep_cursor(http: &reqwest::Client, page: &str, key: &str) -> Option<String> {
    let mut cursor: Option<String> = None;
    for _ in 0..DEEP_PAGE_CURSORS {
        let url = match &cursor {
            Some(c) => format!("{page}&cursor={c}"),
            None => page.to_owned(),
        };
        let body: serde_json::Value = http
            .get(&url)
            .bearer_auth(key)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        cursor = Some(body["next_cursor"].as_str()?.to_owned());
    }
    cursor
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
    sqlx::any::install_default_drivers();
    let raw = sqlx::AnyPool::connect(&args.database_url)
        .await
        .expect("raw connection");
    let (org_id,): (i64,) = sqlx::query_as("SELECT id FROM organizations WHERE slug = 'acme'")
        .fetch_one(&raw)
        .await
        .expect("the demo organization");
    let sqlite = args.database_url.starts_with("sqlite:");
    println!(
        "| filter | matching | first page (50) p50 / p95 ms | raw SQL page | page {} p50 / p95 ms | total p50 / p95 ms | raw SQL COUNT(*) |",
        DEEP_PAGE_CURSORS + 1
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let total_samples = (args.samples / 5).max(3);
    for filter in filters(sqlite) {
        let page = format!(
            "{}/api/v1/audit-logs?limit=50&{}",
            server.base, filter.query
        );
        let (first, _) = measure(&http, &page, &key, args.samples).await;
        let (totals, body) = measure(
            &http,
            &format!("{page}&include_total=true"),
            &key,
            total_samples,
        )
        .await;
        let deep = match deep_cursor(&http, &page, &key).await {
            Some(cursor) => {
                let url = format!("{page}&cursor={cursor}");
                p50_p95(&measure(&http, &url, &key, args.samples).await.0)
            }
            None => "(fewer pages)".to_owned(),
        };
        let condition = format!("WHERE org_id = {org_id}{}", filter.raw_where);
        let raw_page = measure_raw(
            &raw,
            &format!(
                "SELECT (SELECT l.data FROM event_log l WHERE l.org_id = events.org_id \
                 AND l.seq = events.seq) FROM events {condition} \
                 ORDER BY occurred_at DESC, id DESC LIMIT 51"
            ),
            args.samples,
        )
        .await;
        let raw_count = measure_raw(
            &raw,
            &format!("SELECT COUNT(*) FROM events {condition}"),
            total_samples,
        )
        .await;
        println!(
            "| {} | {} | {} | {} | {deep} | {} | {} |",
            filter.name,
            body["total"].as_u64().unwrap_or(0),
            p50_p95(&first),
            p50_p95(&raw_page),
            p50_p95(&totals),
            p50_p95(&raw_count),
        );
    }
}
