//! `auditrail verify --org S`: checks the organization's whole hash chain, with a progress bar;
//! exits with failure when it is broken.

use super::{services, CliResult};
use crate::service::SessionSettings;
use indicatif::{ProgressBar, ProgressStyle};

#[derive(clap::Args)]
pub struct Args {
    /// The organization's slug.
    #[arg(long)]
    org: String,
}

pub async fn run(database_url: &str, args: Args) -> CliResult {
    let services = services(database_url, SessionSettings::default()).await?;
    let org = services.organization(&args.org).await?;
    let progress = ProgressBar::new(0).with_style(ProgressStyle::with_template(
        "{bar:40} {pos}/{len} events ({per_sec}, {eta} left)",
    )?);
    let report = |checked: u64, total: u64| {
        progress.set_length(total);
        progress.set_position(checked);
    };
    let verification = services
        .verify_chain(&org.operator_access(), &report)
        .await?;
    progress.finish_and_clear();
    println!("{}", serde_json::to_string(&verification)?);
    match (verification.broken_at_seq, verification.reason) {
        (Some(seq), Some(reason)) => {
            Err(format!("the chain breaks at event {seq}: {reason}").into())
        }
        _ => {
            eprintln!("Chain intact: verified {} events.", verification.checked);
            Ok(())
        }
    }
}
