//! `auditrail index [--follow]`: the indexer as a process of its own, for a server started with
//! `--no-indexer` (or to catch up before a benchmark or a backup).

use super::{services, CliResult};
use crate::service::SessionSettings;
use crate::store::indexer;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Keep indexing new events until interrupted, instead of exiting once caught up.
    #[arg(long)]
    follow: bool,
}

pub async fn run(database_url: &str, args: Args) -> CliResult {
    let services = services(database_url, SessionSettings::default()).await?;
    if args.follow {
        services.run_indexer().await;
        return Ok(());
    }
    let start = Instant::now();
    let indexed = indexer::catch_up(&*services.stores().events).await?;
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "Indexed {indexed} events in {seconds:.2} s ({:.0} events/s); the index is caught up.",
        indexed as f64 / seconds.max(f64::EPSILON)
    );
    Ok(())
}
