//! Prometheus metrics: one process-wide recorder, rendered at `/metrics`. The names of every
//! metric Auditrail records live here; labels stay bounded (routes as declared, never raw paths
//! or organizations).

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;

/// Requests answered, by `method`, `route` (as declared) and `status`.
pub const HTTP_REQUESTS: &str = "auditrail_http_requests_total";
/// Seconds from request to response head, by `method` and `route`.
pub const HTTP_DURATION: &str = "auditrail_http_request_duration_seconds";
/// Events committed by ingest (idempotent retries excluded).
pub const EVENTS_INGESTED: &str = "auditrail_events_ingested_total";
/// Events per ingest batch.
pub const INGEST_BATCH_SIZE: &str = "auditrail_ingest_batch_size";
/// Rows sent by exports.
pub const EXPORT_ROWS: &str = "auditrail_export_rows_total";
/// Events archived and deleted by retention purges.
pub const EVENTS_PURGED: &str = "auditrail_events_purged_total";
/// Events log streams delivered (acknowledged by their destination), by `kind`.
pub const STREAM_EVENTS_DELIVERED: &str = "auditrail_stream_events_delivered_total";
/// Log stream deliveries that failed, by `kind`.
pub const STREAM_DELIVERY_FAILURES: &str = "auditrail_stream_delivery_failures_total";
/// Events received but not yet delivered by log streams, over all streams not paused.
pub const STREAM_LAG_EVENTS: &str = "auditrail_stream_lag_events";
/// Log streams currently failing.
pub const STREAMS_FAILING: &str = "auditrail_streams_failing";
/// Self-audit events committed but not yet linked into their chains.
pub const OWN_EVENTS_PENDING: &str = "auditrail_own_events_pending";
/// Organizations with a chain (at least one event).
pub const CHAINS: &str = "auditrail_chains";
/// Events in every organization's chain (the sum of the chain heads' `seq`).
pub const CHAIN_EVENTS: &str = "auditrail_chain_events";
/// Events appended but not yet indexed, over all organizations.
pub const INDEX_LAG_EVENTS: &str = "auditrail_index_lag_events";
/// Seconds since the oldest event not yet indexed was received (0 when caught up).
pub const INDEX_LAG_SECONDS: &str = "auditrail_index_lag_seconds";
/// Events not yet in a signed checkpoint, over all organizations.
pub const UNSIGNED_EVENTS: &str = "auditrail_unsigned_events";
/// Decoded events of the unindexed tails kept in memory for the reads, over all organizations.
pub const TAIL_EVENTS_KEPT: &str = "auditrail_tail_events_kept";
/// Open database connections, by `pool` (`identity`, `events`).
pub const DB_CONNECTIONS: &str = "auditrail_db_connections";
/// Idle database connections, by `pool`.
pub const DB_CONNECTIONS_IDLE: &str = "auditrail_db_connections_idle";

const SECONDS_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];
const BATCH_BUCKETS: [f64; 8] = [1.0, 10.0, 50.0, 100.0, 250.0, 500.0, 750.0, 1000.0];

/// How often the histograms' recorded samples are folded into their buckets.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The process's recorder, installed on first use, and its handle for rendering. A thread folds
/// the histograms' samples into their buckets every [`UPKEEP_EVERY`]: the recorder otherwise
/// keeps every sample until `/metrics` is rendered, so a server nobody scrapes grew by each
/// request's duration for as long as it ran.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let mut builder = PrometheusBuilder::new();
        for (name, buckets) in [
            (HTTP_DURATION, &SECONDS_BUCKETS[..]),
            (INGEST_BATCH_SIZE, &BATCH_BUCKETS[..]),
        ] {
            builder = builder
                .set_buckets_for_metric(Matcher::Full(name.into()), buckets)
                .expect("the bucket lists are constant and not empty");
        }
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics stays empty");
        }
        let upkept = handle.clone();
        let upkeep = std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || loop {
                std::thread::sleep(UPKEEP_EVERY);
                upkept.run_upkeep();
            });
        if let Err(error) = upkeep {
            tracing::warn!(%error, "no metrics upkeep thread: histograms grow until scraped");
        }
        handle
    })
}
