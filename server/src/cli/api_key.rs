//! `auditrail api-key create --org S --name N --scopes a,b` (the key is stdout's last line).

use super::{services, CliResult, Global};
use crate::service::SessionSettings;
use app::model::Permission;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum Command {
    /// Create an API key; its full secret is printed once, as the last line.
    Create {
        /// The organization's slug.
        #[arg(long)]
        org: String,
        /// A name that says who uses the key, e.g. ci-deploy.
        #[arg(long)]
        name: String,
        /// Comma-separated: events:write, audit_logs:read, audit_logs:export.
        #[arg(long, value_delimiter = ',', value_parser = parse_scope, required = true)]
        scopes: Vec<Permission>,
    },
}

fn parse_scope(text: &str) -> Result<Permission, String> {
    Permission::parse(text.trim())
        .filter(|p| Permission::API_KEY_SCOPES.contains(p))
        .ok_or_else(|| "scopes are events:write, audit_logs:read, audit_logs:export".to_owned())
}

pub async fn run(global: &Global, command: Command) -> CliResult {
    let Command::Create { org, name, scopes } = command;
    let services = services(global, SessionSettings::default()).await?;
    let org = services.organization(&org).await?;
    let (key, secret) = services.create_api_key(&org, &name, &scopes).await?;
    let scopes: Vec<&str> = key.scopes.iter().map(|s| s.as_str()).collect();
    println!(
        "Created API key {} for {} with scopes {} (shown once; store it now):",
        key.name,
        org.slug,
        scopes.join(",")
    );
    println!("{secret}");
    Ok(())
}
