//! `auditrail index [--follow]`: the indexer as a process of its own, for a server started with
//! `--no-indexer` (or to catch up before a benchmark or a backup).

use super::{services, CliResult, Global};
use crate::service::SessionSettings;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Keep indexing new events until interrupted, instead of exiting once caught up.
    #[arg(long)]
    follow: bool,
}

pub async fn run(global: &Global, args: Args) -> CliResult {
    let services = services(global, SessionSettings::default()).await?;
    if args.follow {
        // No ingest here to hold back: the serving process limits its own.
        services.run_indexer(0).await;
        return Ok(());
    }
    let start = Instant::now();
    let indexed = services.catch_up().await?;
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "Indexed {indexed} events in {seconds:.2} s ({:.0} events/s); the index and the Merkle tree are caught up.",
        indexed as f64 / seconds.max(f64::EPSILON)
    );
    Ok(())
}
