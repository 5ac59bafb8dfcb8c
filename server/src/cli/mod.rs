//! The operator's command line: one file per subcommand; this file parses and dispatches.

mod api_key;
mod export;
mod index;
mod keys;
mod migrate;
mod org;
mod purge;
mod seed;
mod serve;
mod status;
mod user;
mod verify;

use crate::outbound::DestinationPolicy;
use crate::proof::key_file;
use crate::service::{CheckpointPolicy, Services, SessionSettings};
use crate::store;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Auditrail: a self-hostable security audit log.
#[derive(Parser)]
#[command(name = "auditrail", version, about)]
struct Cli {
    #[command(flatten)]
    global: Global,
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

/// What every command shares: where the data lives, and how its checkpoints are signed.
#[derive(clap::Args)]
pub struct Global {
    /// Where the data lives: sqlite://path/to/file.db or postgres://user@host/database
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        default_value = "sqlite://data/auditrail.db"
    )]
    database_url: String,
    /// The Ed25519 key checkpoints are signed with (a C2SP signer key), generated on first start
    /// when missing [default: `signing-key` beside the SQLite file, `data/signing-key` otherwise]
    #[arg(long, global = true, env = "AUDITRAIL_SIGNING_KEY_FILE")]
    signing_key_file: Option<PathBuf>,
    /// The name a generated signing key gets; every checkpoint's origin is `NAME/org-slug`.
    #[arg(
        long,
        global = true,
        env = "AUDITRAIL_LOG_NAME",
        default_value = "auditrail"
    )]
    log_name: String,
    /// Sign a checkpoint once this many events joined an organization's tree since its last one…
    #[arg(
        long,
        global = true,
        env = "AUDITRAIL_CHECKPOINT_EVERY_EVENTS",
        default_value_t = 10_000
    )]
    checkpoint_every_events: u64,
    /// …or once this many seconds passed since it, with any event added.
    #[arg(
        long,
        global = true,
        env = "AUDITRAIL_CHECKPOINT_EVERY_SECONDS",
        default_value_t = 60
    )]
    checkpoint_every_seconds: u64,
    /// Where purges archive expired events (a directory per organization)
    /// [default: `archives` beside the SQLite file, `data/archives` otherwise]
    #[arg(long, global = true, env = "AUDITRAIL_ARCHIVE_DIR")]
    archive_dir: Option<PathBuf>,
}

impl Global {
    /// The signing key's file: as configured, or beside the SQLite database.
    fn signing_key_file(&self) -> PathBuf {
        match &self.signing_key_file {
            Some(path) => path.clone(),
            None => self.data_dir().join("signing-key"),
        }
    }

    /// Where purges write their archives: as configured, or beside the SQLite database.
    fn archive_dir(&self) -> PathBuf {
        match &self.archive_dir {
            Some(path) => path.clone(),
            None => self.data_dir().join("archives"),
        }
    }

    /// The SQLite file's directory, or `data`.
    fn data_dir(&self) -> PathBuf {
        let sqlite_file = self
            .database_url
            .strip_prefix("sqlite://")
            .or_else(|| self.database_url.strip_prefix("sqlite:"))
            .and_then(|rest| rest.split('?').next())
            .filter(|path| !path.is_empty() && !path.starts_with(':'));
        let dir = sqlite_file
            .and_then(|file| Path::new(file).parent())
            .filter(|dir| !dir.as_os_str().is_empty());
        dir.unwrap_or(Path::new("data")).to_path_buf()
    }

    /// How checkpoints are signed: the key from its file (generated when missing) and the
    /// cadence.
    fn checkpoint_policy(&self) -> Result<CheckpointPolicy, key_file::KeyFileError> {
        let signer = key_file::load_or_generate(&self.signing_key_file(), &self.log_name)?;
        Ok(CheckpointPolicy {
            every_events: self.checkpoint_every_events.max(1),
            every: Duration::from_secs(self.checkpoint_every_seconds.max(1)),
            ..CheckpointPolicy::new(signer)
        })
    }
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
    /// Archive, then delete, an organization's events past its retention.
    Purge(purge::Args),
    /// Show the public key checkpoints are signed with.
    #[command(subcommand)]
    Keys(keys::Command),
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
    global: &Global,
    sessions: SessionSettings,
) -> Result<Arc<Services>, Box<dyn std::error::Error>> {
    services_reaching(global, sessions, DestinationPolicy::default()).await
}

/// [`services`] whose log streams reach the destinations `policy` allows.
async fn services_reaching(
    global: &Global,
    sessions: SessionSettings,
    policy: DestinationPolicy,
) -> Result<Arc<Services>, Box<dyn std::error::Error>> {
    let checkpoints = global.checkpoint_policy()?;
    let stores = store::open(&global.database_url).await?;
    let services = Services::new(stores, sessions, checkpoints).with_destinations(policy);
    Ok(Arc::new(services))
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
        let global = &cli.global;
        match cli.command {
            Command::Serve(args) => serve::run(global, args).await,
            Command::Migrate => migrate::run(global).await,
            Command::Seed(args) => seed::run(global, args).await,
            Command::Org(command) => org::run(global, command).await,
            Command::User(command) => user::run(global, command).await,
            Command::ApiKey(command) => api_key::run(global, command).await,
            Command::Export(args) => export::run(global, args).await,
            Command::Verify(args) => verify::run(global, args).await,
            Command::Status => status::run(global).await,
            Command::Index(args) => index::run(global, args).await,
            Command::Purge(args) => purge::run(global, args).await,
            Command::Keys(command) => keys::run(global, command),
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
