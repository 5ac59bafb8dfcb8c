//! The operator's command line: one file per subcommand; this file parses and dispatches.

mod api_key;
mod export;
mod index;
mod migrate;
mod org;
mod seed;
mod serve;
mod status;
mod user;
mod verify;

use crate::service::{Services, SessionSettings};
use crate::store;
use clap::{Parser, Subcommand};
use std::process::ExitCode;
use std::sync::Arc;

/// Auditrail: a self-hostable security audit log.
#[derive(Parser)]
#[command(name = "auditrail", version, about)]
struct Cli {
    /// Where the data lives: sqlite://path/to/file.db
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        default_value = "sqlite://data/auditrail.db"
    )]
    database_url: String,
    /// How log lines are written to stderr: `text` for people, `json` for log shippers.
    #[arg(
        long,
        global = true,
        env = "AUDITRAIL_LOG_FORMAT",
        default_value = "text"
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the web app (migrates first).
    Serve(serve::Args),
    /// Bring the database schema up to date.
    Migrate,
    /// Create the demo organization `acme` with a user per role, and realistic events.
    Seed(seed::Args),
    /// Manage organizations.
    #[command(subcommand)]
    Org(org::Command),
    /// Manage users.
    #[command(subcommand)]
    User(user::Command),
    /// Manage API keys.
    #[command(name = "api-key", subcommand)]
    ApiKey(api_key::Command),
    /// Export an organization's events as CSV, JSON or NDJSON.
    Export(export::Args),
    /// Verify an organization's hash chain: every event's hash, every link and the chain head.
    Verify(verify::Args),
    /// Show how far the search index is behind the log, per organization.
    Status,
    /// Index what the log holds beyond the search index, then exit (or keep following it).
    Index(index::Args),
}

/// How log lines are written.
#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// Sends log lines to stderr in `format`, filtered by `RUST_LOG` (default: info, sqlx warnings).
fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => logs.json().with_current_span(true).init(),
        LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
    }
}

/// A command's failure, printed as `error: …`.
type CliResult = Result<(), Box<dyn std::error::Error>>;

/// Opens the store, migrated, and the services over it.
async fn services(
    database_url: &str,
    sessions: SessionSettings,
) -> Result<Arc<Services>, Box<dyn std::error::Error>> {
    let stores = store::open(database_url).await?;
    Ok(Arc::new(Services::new(stores, sessions)))
}

/// Parses the command line, runs the command, and turns failure into exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logs(cli.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result: CliResult = runtime.block_on(async {
        let url = cli.database_url.as_str();
        match cli.command {
            Command::Serve(args) => serve::run(url, args).await,
            Command::Migrate => migrate::run(url).await,
            Command::Seed(args) => seed::run(url, args).await,
            Command::Org(command) => org::run(url, command).await,
            Command::User(command) => user::run(url, command).await,
            Command::ApiKey(command) => api_key::run(url, command).await,
            Command::Export(args) => export::run(url, args).await,
            Command::Verify(args) => verify::run(url, args).await,
            Command::Status => status::run(url).await,
            Command::Index(args) => index::run(url, args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
