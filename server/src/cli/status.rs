//! `auditrail status`: how far the search index is behind the log, and where each
//! organization's Merkle tree and latest signed checkpoint stand.

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
