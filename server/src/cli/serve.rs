//! `auditrail serve`: migrate, then serve the API and the web app until interrupted.

use super::{services_reaching, CliResult, Global};
use crate::http;
use crate::outbound::DestinationPolicy;
use crate::service::{LockoutPolicy, SessionSettings};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "AUDITRAIL_BIND", default_value = "127.0.0.1:3000")]
    bind: SocketAddr,
    /// The built web app (Trunk's dist/).
    #[arg(long, env = "AUDITRAIL_ASSETS_DIR", default_value = "dist")]
    assets_dir: PathBuf,
    /// Mark the session cookie Secure and send HSTS (set when served over HTTPS only).
    #[arg(long, env = "AUDITRAIL_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Hours a session lasts after sign-in.
    #[arg(long, env = "AUDITRAIL_SESSION_HOURS", default_value_t = 12)]
    session_hours: u32,
    /// Failed sign-ins within the lockout window that lock an account.
    #[arg(long, env = "AUDITRAIL_LOCKOUT_ATTEMPTS", default_value_t = 5)]
    lockout_attempts: u32,
    /// Minutes over which failed sign-ins count, and minutes a lock lasts.
    #[arg(long, env = "AUDITRAIL_LOCKOUT_MINUTES", default_value_t = 15)]
    lockout_minutes: u32,
    /// Take the client's address from `X-Forwarded-For` (only behind a proxy that sets it).
    #[arg(long, env = "AUDITRAIL_TRUST_PROXY")]
    trust_proxy: bool,
    /// Serve `/metrics`, `/healthz` and `/readyz` on this address of their own (and `/metrics`
    /// no longer on the main one), e.g. an address only the monitoring network reaches.
    #[arg(long, env = "AUDITRAIL_METRICS_BIND")]
    metrics_bind: Option<SocketAddr>,
    /// Do not index here: leave it to an `auditrail index --follow` process (reads stay exact
    /// meanwhile, scanning what is not indexed yet).
    #[arg(long, env = "AUDITRAIL_NO_INDEXER")]
    no_indexer: bool,
    /// Events an organization's index may fall behind its log before ingest answers 429 with
    /// `Retry-After` until the indexer catches up (0: never; reads scan what is not indexed, so
    /// a long tail slows them). Applies while this process indexes.
    #[arg(long, env = "AUDITRAIL_MAX_INDEX_LAG", default_value_t = 20_000)]
    max_index_lag: u64,
    /// Minutes between background purges of events past their organization's retention.
    #[arg(long, env = "AUDITRAIL_PURGE_EVERY_MINUTES", default_value_t = 60)]
    purge_every_minutes: u64,
    /// Do not purge here (leave it to `auditrail purge`, or keep everything).
    #[arg(long, env = "AUDITRAIL_NO_PURGE")]
    no_purge: bool,
    /// Do not deliver log streams here (another `serve` process on the same database does).
    #[arg(long, env = "AUDITRAIL_NO_STREAMS")]
    no_streams: bool,
    /// Let log streams reach loopback and private addresses, and plain `http://` URLs (a SIEM on
    /// the internal network, a local receiver). Link-local addresses such as cloud metadata
    /// stay refused.
    #[arg(long, env = "AUDITRAIL_ALLOW_PRIVATE_DESTINATIONS")]
    allow_private_destinations: bool,
}

pub async fn run(global: &Global, args: Args) -> CliResult {
    let lockout_minutes = chrono::Duration::minutes(i64::from(args.lockout_minutes));
    let sessions = SessionSettings {
        ttl: chrono::Duration::hours(i64::from(args.session_hours)),
        secure_cookie: args.secure_cookies,
        lockout: LockoutPolicy {
            attempts: args.lockout_attempts.max(1),
            window: lockout_minutes,
            duration: lockout_minutes,
        },
    };
    let destinations = DestinationPolicy {
        allow_private: args.allow_private_destinations,
    };
    let services = services_reaching(global, sessions, destinations).await?;
    tokio::spawn(link_own_events(services.clone()));
    if !args.no_streams {
        tokio::spawn(services.clone().run_log_streams());
    }
    if !args.no_indexer {
        tokio::spawn(services.clone().run_indexer(args.max_index_lag));
    }
    if !args.no_purge {
        let every = std::time::Duration::from_secs(args.purge_every_minutes.max(1) * 60);
        tokio::spawn(purge(services.clone(), global.archive_dir(), every));
    }
    if !args.assets_dir.join("index.html").exists() {
        tracing::warn!(dir = %args.assets_dir.display(), "web app not built here: run `trunk build --release`");
    }
    let deployment = http::Deployment {
        trust_proxy: args.trust_proxy,
        https_only: args.secure_cookies,
        metrics_here: args.metrics_bind.is_none(),
    };
    if let Some(address) = args.metrics_bind {
        let listener = tokio::net::TcpListener::bind(address).await?;
        tracing::info!("metrics and health on http://{}", listener.local_addr()?);
        let operator = http::operator_router(services.clone());
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, operator).await {
                tracing::error!(%error, "the metrics address stopped");
            }
        });
    }
    let app = http::router(services, &args.assets_dir, deployment);
    let listener = tokio::net::TcpListener::bind(args.bind).await?;
    tracing::info!("Auditrail listening on http://{}", listener.local_addr()?);
    http::serve(listener, app, http::Timeouts::default(), shutdown_signal()).await;
    Ok(())
}

/// How often self-audit events left staged (by a crash between a change's commit and the
/// linking of its events) are linked into their chains.
const LINK_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Links staged self-audit events at start and then every [`LINK_EVERY`].
async fn link_own_events(services: std::sync::Arc<crate::service::Services>) {
    loop {
        if let Err(error) = services.link_own_events().await {
            tracing::error!(%error, "could not link staged security events; will retry");
        }
        tokio::time::sleep(LINK_EVERY).await;
    }
}

/// Purges expired events a minute after start and then every `every`.
async fn purge(
    services: std::sync::Arc<crate::service::Services>,
    archives: std::path::PathBuf,
    every: std::time::Duration,
) {
    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    loop {
        let purged = services.purge_all(&archives, chrono::Utc::now()).await;
        if purged > 0 {
            tracing::info!(purged, archives = %archives.display(), "retention purge done");
        }
        tokio::time::sleep(every).await;
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
