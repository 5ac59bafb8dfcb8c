//! `auditrail status`: how far the search index is behind the log, per organization.

use super::{services, CliResult, Global};
use crate::service::SessionSettings;

pub async fn run(global: &Global) -> CliResult {
    let services = services(global, SessionSettings::default()).await?;
    let behind = services.index_behind().await?;
    if behind.is_empty() {
        println!("Index: caught up (every organization's events are indexed).");
        return Ok(());
    }
    println!("Index: behind the log (reads stay exact; they scan what is not indexed yet).");
    for b in &behind {
        let org = services
            .stores()
            .identity
            .organization_by_id(b.lag.org_id)
            .await?;
        let slug = org.map_or_else(|| b.lag.org_id.to_string(), |o| o.slug);
        println!(
            "  {slug}: {} events behind (indexed to {} of {}), oldest received {:.1} s ago",
            b.events(),
            b.lag.indexed,
            b.lag.head,
            b.seconds
        );
    }
    Ok(())
}
