//! Health: whether the process can serve (readiness), and the gauges `/metrics` reports.

use super::Services;
use crate::prometheus::{
    CHAINS, CHAIN_EVENTS, DB_CONNECTIONS, DB_CONNECTIONS_IDLE, INDEX_LAG_EVENTS, INDEX_LAG_SECONDS,
    OWN_EVENTS_PENDING, STREAMS_FAILING, STREAM_LAG_EVENTS, TAIL_EVENTS_KEPT, UNSIGNED_EVENTS,
};
use app::model::ApiError;
use serde::Serialize;
use std::collections::HashMap;

/// What `/readyz` reports.
#[derive(Debug, Serialize)]
pub struct Readiness {
    /// The database answers.
    pub database: bool,
    /// Every migration of this build is applied.
    pub schema_current: bool,
    /// Self-audit events committed but not yet linked into their chains (a backlog means
    /// linking fails; they are retried every few seconds).
    pub own_events_pending: Option<i64>,
    /// Events appended but not yet in the search index (reads stay exact meanwhile).
    pub index_lag_events: Option<i64>,
    /// Events not yet in a signed checkpoint (provable once the next one is signed).
    pub unsigned_events: Option<u64>,
    /// Log streams (not paused) and how they fare.
    pub log_streams: Option<StreamsHealth>,
}

/// Log streams at a glance: how many, how many failing, and the events they have yet to send.
#[derive(Debug, Serialize)]
pub struct StreamsHealth {
    pub active: u64,
    pub failing: u64,
    pub lag_events: i64,
}

impl Readiness {
    /// Ready to serve: the database answers with the current schema.
    pub fn ready(&self) -> bool {
        self.database && self.schema_current
    }
}

impl Services {
    /// Checks the database and the schema.
    pub async fn readiness(&self) -> Readiness {
        let identity = &self.stores.identity;
        let schema = identity.schema_is_current().await;
        if let Err(error) = &schema {
            tracing::warn!(%error, "readiness: the database does not answer");
        }
        Readiness {
            database: schema.is_ok(),
            schema_current: schema.unwrap_or(false),
            own_events_pending: identity.pending_own_event_count().await.ok(),
            index_lag_events: self.index_lag_total().await.ok().map(|(events, _)| events),
            unsigned_events: self.unsigned_events().await.ok(),
            log_streams: self.streams_health().await.ok(),
        }
    }

    /// The streams not paused, the failing ones, and their events not yet delivered.
    async fn streams_health(&self) -> Result<StreamsHealth, ApiError> {
        let positions = self.stores.identity.active_stream_positions().await?;
        let mut heads = HashMap::new();
        let mut health = StreamsHealth {
            active: positions.len() as u64,
            failing: 0,
            lag_events: 0,
        };
        for (org_id, cursor, failing) in positions {
            let head = match heads.get(&org_id) {
                Some(head) => *head,
                None => *heads
                    .entry(org_id)
                    .or_insert(self.stores.events.head_seq(org_id).await?),
            };
            health.failing += u64::from(failing);
            health.lag_events += (head - cursor).max(0);
        }
        Ok(health)
    }

    /// Sets the gauges read at scrape time: connections, the tails kept in memory, the chains, the self-audit backlog, the index's
    /// lag, the events not yet in a signed checkpoint and the log streams' lag and failures.
    pub async fn update_gauges(&self) {
        let identity = &self.stores.identity;
        for (pool, (open, idle)) in [
            ("identity", identity.connections()),
            ("events", self.stores.events.connections()),
        ] {
            metrics::gauge!(DB_CONNECTIONS, "pool" => pool).set(f64::from(open));
            metrics::gauge!(DB_CONNECTIONS_IDLE, "pool" => pool).set(idle as f64);
        }
        metrics::gauge!(TAIL_EVENTS_KEPT).set(self.stores.events.tail_events_kept() as f64);
        if let Ok(pending) = identity.pending_own_event_count().await {
            metrics::gauge!(OWN_EVENTS_PENDING).set(pending as f64);
        }
        if let Ok(totals) = self.stores.events.chain_totals().await {
            metrics::gauge!(CHAINS).set(totals.chains as f64);
            metrics::gauge!(CHAIN_EVENTS).set(totals.events as f64);
        }
        if let Ok((events, seconds)) = self.index_lag_total().await {
            metrics::gauge!(INDEX_LAG_EVENTS).set(events as f64);
            metrics::gauge!(INDEX_LAG_SECONDS).set(seconds);
        }
        if let Ok(unsigned) = self.unsigned_events().await {
            metrics::gauge!(UNSIGNED_EVENTS).set(unsigned as f64);
        }
        if let Ok(streams) = self.streams_health().await {
            metrics::gauge!(STREAM_LAG_EVENTS).set(streams.lag_events as f64);
            metrics::gauge!(STREAMS_FAILING).set(streams.failing as f64);
        }
    }
}
