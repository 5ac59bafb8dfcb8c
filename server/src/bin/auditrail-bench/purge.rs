//! `auditrail-bench purge`: the retention purge of a whole seeded log (archives written and
//! synced, then the events deleted a day's file at a time), as if its retention had long passed,
//! then `auditrail verify` over what is left. Run it on a copy: it deletes the events.

use super::server_process::{cli, verify_acme};
use chrono::{Duration, Utc};
use server::proof::note::NoteSigner;
use server::service::{CheckpointPolicy, Services, SessionSettings};
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// A disposable copy of a seeded database (`sqlite://…` or `postgres://…`).
    #[arg(long)]
    database_url: String,
    /// Where the archives go (emptied first).
    #[arg(long)]
    archive_dir: std::path::PathBuf,
}

pub async fn run(args: Args) {
    let url = args.database_url.as_str();
    cli(url, &["index"]);
    let _ = std::fs::remove_dir_all(&args.archive_dir);
    let stores = server::store::open(url).await.expect("open the database");
    // The purge signs nothing: any key will do for the services it runs in.
    let signer = NoteSigner::generate("bench").expect("a key");
    let services = Services::new(
        stores,
        SessionSettings::default(),
        CheckpointPolicy::new(signer),
    );
    let org = services.organization("acme").await.expect("acme");
    let ten_years_on = Utc::now() + Duration::days(3650);
    let start = Instant::now();
    let report = services
        .purge(&org, &args.archive_dir, ten_years_on, false)
        .await
        .expect("purge");
    let purge_seconds = start.elapsed().as_secs_f64();
    let archived: u64 = report
        .purges
        .iter()
        .map(|p| {
            let path = args.archive_dir.join(&p.archive);
            std::fs::metadata(path).expect("archive").len()
        })
        .sum();
    let (checked, verify_seconds) = verify_acme(url);
    println!("| step | events | seconds | events/s |");
    println!("|---|---:|---:|---:|");
    println!(
        "| purge: archive (with proofs, gzip, fsync) + delete | {} | {purge_seconds:.2} | **{:.0}** |",
        report.events,
        report.events as f64 / purge_seconds
    );
    println!("| `auditrail verify --org acme` afterwards | {checked} | {verify_seconds:.2} | — |",);
    println!();
    println!(
        "{} archive files, {:.1} MB ({:.0} B/event gzipped).",
        report.purges.len(),
        archived as f64 / 1e6,
        archived as f64 / report.events.max(1) as f64
    );
}
