//! `auditrail purge --org S [--dry-run]`: archives, then deletes, the organization's events
//! past its retention now, as the server's background purge does.

use super::{services, CliResult, Global};
use crate::service::SessionSettings;
use chrono::Utc;

#[derive(clap::Args)]
pub struct Args {
    /// The organization's slug.
    #[arg(long)]
    org: String,
    /// Only count the events that would be purged; write and delete nothing.
    #[arg(long)]
    dry_run: bool,
}

pub async fn run(global: &Global, args: Args) -> CliResult {
    let services = services(global, SessionSettings::default()).await?;
    let org = services.organization(&args.org).await?;
    let archives = global.archive_dir();
    let report = services
        .purge(&org, &archives, Utc::now(), args.dry_run)
        .await?;
    for purge in &report.purges {
        println!("{}", serde_json::to_string(purge)?);
    }
    let before = report
        .expired_before
        .map_or_else(|| "-".to_owned(), |t| t.to_rfc3339());
    match (report.held_by, args.dry_run) {
        (Some(why), _) => eprintln!("Nothing purged: {why}."),
        (None, true) => eprintln!(
            "Dry run: {} events received before {before} would be archived and purged.",
            report.events
        ),
        (None, false) => eprintln!(
            "Purged {} events received before {before}, archived in {} file(s) under {}.",
            report.events,
            report.purges.len(),
            archives.display()
        ),
    }
    Ok(())
}
