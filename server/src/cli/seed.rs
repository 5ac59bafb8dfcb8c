//! `auditrail seed --events N`: the demo organization `acme` (pro plan) with one user per
//! built-in role and a "Security Auditor", plus N realistic events over the last 90 days; and
//! `globex` on the free plan, where the admin is also a member (to show switching and plans).

use super::{services, CliResult, Global};
use crate::demo;
use crate::service::{Services, SessionSettings, MAX_BATCH};
use crate::store::Organization;
use app::model::{EventFilter, EventSource, Permission, Plan};
use indicatif::{ProgressBar, ProgressStyle};

/// The demo organization's slug.
const DEMO_ORG: &str = "acme";
/// The second demo organization, on the free plan.
const FREE_ORG: &str = "globex";
/// The demo users' shared password (demo data only).
pub const DEMO_PASSWORD: &str = "demo-password";
/// The demo users: email, display name, role.
const DEMO_USERS: [(&str, &str, &str); 4] = [
    ("admin@acme.com", "Alice Admin", "admin"),
    ("manager@acme.com", "Mark Manager", "account_manager"),
    ("finance@acme.com", "Fiona Finance", "finance"),
    ("auditor@acme.com", "Sam Auditor", "Security Auditor"),
];

#[derive(clap::Args)]
pub struct Args {
    /// How many events to add.
    #[arg(long, default_value_t = 50_000)]
    events: usize,
    /// Do nothing (but print the logins) when the demo organization already has events.
    #[arg(long)]
    skip_if_seeded: bool,
}

/// The demo organization, created with its users on first use.
async fn demo_organization(
    services: &Services,
) -> Result<Organization, Box<dyn std::error::Error>> {
    if let Some(org) = services
        .stores()
        .identity
        .organization_by_slug(DEMO_ORG)
        .await?
    {
        return Ok(org);
    }
    let org = services
        .create_organization(DEMO_ORG, "Acme Corp", Plan::Pro)
        .await?;
    services
        .create_custom_role(&org, "Security Auditor", &[Permission::AuditLogsRead])
        .await?;
    for (email, name, role) in DEMO_USERS {
        services
            .add_member(&org, email, name, role, DEMO_PASSWORD)
            .await?;
    }
    let free = services
        .create_organization(FREE_ORG, "Globex (free plan)", Plan::Free)
        .await?;
    let (email, name, role) = DEMO_USERS[0];
    services
        .add_member(&free, email, name, role, DEMO_PASSWORD)
        .await?;
    Ok(org)
}

pub async fn run(global: &Global, args: Args) -> CliResult {
    let services = services(global, SessionSettings::default()).await?;
    let org = demo_organization(&services).await?;
    let existing = services
        .stores()
        .events
        .count_events(org.id, &EventFilter::default())
        .await?;
    if args.skip_if_seeded && existing > 0 {
        println!("Demo organization already has {existing} events; not adding more.");
    } else {
        let progress = ProgressBar::new(args.events as u64).with_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} events ({per_sec}, {eta} left)")?,
        );
        let mut generator = demo::EventGenerator::new(args.events);
        while let Some(batch) = generator.next_batch(MAX_BATCH) {
            let n = batch.len() as u64;
            services
                .ingest(&org.operator_access(), EventSource::Operator, batch)
                .await?;
            progress.inc(n);
        }
        progress.finish();
        let indexed = services.catch_up().await?;
        println!(
            "Added {} events to {} (indexed {indexed}).",
            args.events, org.slug
        );
    }
    println!();
    println!("Demo organization: {} ({})", org.name, org.slug);
    println!("Sign in at http://127.0.0.1:3000 with password '{DEMO_PASSWORD}' as:");
    for (email, _, role) in DEMO_USERS {
        println!("  {email:<20} {role}");
    }
    println!(
        "{} is also an admin of {FREE_ORG} (free plan).",
        DEMO_USERS[0].0
    );
    Ok(())
}
