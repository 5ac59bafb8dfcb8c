//! `auditrail-bench`: measures Auditrail against the raw database doing the same work, in the
//! same run. Build with `--profile server-release`; it drives the `auditrail` binary built next
//! to it. `make bench` runs every measurement; BENCHMARKS.md records the figures.

mod export;
mod ingest;
mod proofs;
mod purge;
mod query;
mod server_process;
mod streams;
mod verify;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "auditrail-bench", about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Events/s through `POST /api/v1/events` against a raw batched insert (SQLite) or COPY
    /// (PostgreSQL) of the same rows.
    Ingest(ingest::Args),
    /// A whole seeded log as CSV through HTTP against `sqlite3 -csv`, with server memory growth.
    Export(export::Args),
    /// First-page and total latency of the list API per filter on a seeded database.
    Query(query::Args),
    /// `auditrail verify` over a seeded log against reading the same rows and plain SHA-256.
    Verify(verify::Args),
    /// Inclusion and consistency proof latency on a seeded log, and the tree's build rate.
    Proofs(proofs::Args),
    /// The retention purge of a whole seeded log (on a copy), then `auditrail verify`.
    Purge(purge::Args),
    /// Log stream delivery per sink to local receivers, and the lag under a steady ingest.
    Streams(streams::Args),
}

#[tokio::main]
async fn main() {
    match Cli::parse().command {
        Command::Ingest(args) => ingest::run(args).await,
        Command::Export(args) => export::run(args).await,
        Command::Query(args) => query::run(args).await,
        Command::Verify(args) => verify::run(args).await,
        Command::Proofs(args) => proofs::run(args).await,
        Command::Purge(args) => purge::run(args).await,
        Command::Streams(args) => streams::run(args).await,
    }
}
