//! `auditrail serve`: migrate, then serve the API and the web app until interrupted.

use super::{services, CliResult};
use crate::http;
use crate::service::SessionSettings;
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
    /// Mark the session cookie Secure (set when served over HTTPS).
    #[arg(long, env = "AUDITRAIL_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Hours a session lasts after sign-in.
    #[arg(long, env = "AUDITRAIL_SESSION_HOURS", default_value_t = 12)]
    session_hours: u32,
}

pub async fn run(database_url: &str, args: Args) -> CliResult {
    let sessions = SessionSettings {
        ttl: chrono::Duration::hours(i64::from(args.session_hours)),
        secure_cookie: args.secure_cookies,
    };
    let services = services(database_url, sessions).await?;
    if !args.assets_dir.join("index.html").exists() {
        tracing::warn!(dir = %args.assets_dir.display(), "web app not built here: run `trunk build --release`");
    }
    let app = http::router(services, &args.assets_dir);
    let listener = tokio::net::TcpListener::bind(args.bind).await?;
    tracing::info!("Auditrail listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
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
