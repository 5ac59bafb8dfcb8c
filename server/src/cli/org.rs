//! `auditrail org create --slug S --name N [--plan P]`.

use super::{services, CliResult, Global};
use crate::service::SessionSettings;
use app::model::Plan;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum Command {
    /// Create an organization with the built-in roles.
    Create {
        /// URL-safe identifier, e.g. acme.
        #[arg(long)]
        slug: String,
        /// Display name, e.g. "Acme Corp".
        #[arg(long)]
        name: String,
        /// free, pro or enterprise.
        #[arg(long, default_value = "pro", value_parser = parse_plan)]
        plan: Plan,
    },
}

fn parse_plan(text: &str) -> Result<Plan, String> {
    Plan::parse(text).ok_or_else(|| "plan must be free, pro or enterprise".to_owned())
}

pub async fn run(global: &Global, command: Command) -> CliResult {
    let Command::Create { slug, name, plan } = command;
    let services = services(global, SessionSettings::default()).await?;
    let org = services.create_organization(&slug, &name, plan).await?;
    println!(
        "Created organization {} ({}, plan {}, retention {} days)",
        org.slug,
        org.name,
        org.plan.as_str(),
        org.retention_days
    );
    Ok(())
}
