//! `auditrail status`: how far the search index is behind the log, where each organization's
//! Merkle tree and latest signed checkpoint stand, and its retention and last purge.

use super::{services, CliResult, Global};
use crate::service::{Services, SessionSettings};
use crate::store::StoreError;

pub async fn run(global: &Global) -> CliResult {
    let services = services(global, SessionSettings::default()).await?;
    let behind = services.index_behind().await?;
    if behind.is_empty() {
        println!("Index: caught up (every organization's events are indexed).");
    } else {
        println!("Index: behind the log (reads stay exact; they scan what is not indexed yet).");
    }
    for b in &behind {
        println!(
            "  {}: {} events behind (indexed to {} of {}), oldest received {:.1} s ago",
            slug(&services, b.lag.org_id).await?,
            b.events(),
            b.lag.indexed,
            b.lag.head,
            b.seconds
        );
    }
    println!("Proofs: each organization's Merkle tree and latest signed checkpoint.");
    let now = chrono::Utc::now().timestamp_micros();
    for tree in services.stores().proofs.trees().await? {
        let checkpoint = match tree.checkpointed {
            Some((size, at)) => format!(
                "latest checkpoint {size} events, signed {:.0} s ago",
                (now - at) as f64 / 1e6
            ),
            None => "no checkpoint yet".to_owned(),
        };
        println!(
            "  {}: tree of {} of {} events, {checkpoint}",
            slug(&services, tree.org_id).await?,
            tree.size,
            tree.head
        );
    }
    println!("Retention: how long each organization keeps its events, and its last purge.");
    let stores = services.stores();
    for org in stores.identity.organizations().await? {
        let hold = match org.legal_hold {
            true => ", under legal hold (nothing is purged)",
            false => "",
        };
        let last = match stores.retention.purges(org.id, 1).await?.pop() {
            Some(purge) => format!(
                "purged through event {} on {}",
                purge.through_seq,
                purge.purged_at.format("%Y-%m-%d %H:%M UTC")
            ),
            None => "nothing purged yet".to_owned(),
        };
        println!("  {}: {} days{hold}, {last}", org.slug, org.retention_days);
    }
    Ok(())
}

/// The organization's slug (its id when it has none).
async fn slug(services: &Services, org_id: i64) -> Result<String, StoreError> {
    let org = services
        .stores()
        .identity
        .organization_by_id(org_id)
        .await?;
    Ok(org.map_or_else(|| org_id.to_string(), |o| o.slug))
}
