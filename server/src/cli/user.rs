//! `auditrail user create --org S --email E --role R [--name N] [--password P]` and
//! `auditrail user reset-link --email E`.

use super::{services, CliResult, Global};
use crate::service::{generate_password, Services, SessionSettings};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum Command {
    /// Create a user (or reuse one with this email) as a member of an organization.
    Create {
        /// The organization's slug.
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        /// admin, account_manager, finance, or a custom role's name.
        #[arg(long)]
        role: String,
        /// Display name (defaults to the email).
        #[arg(long)]
        name: Option<String>,
        /// The password; a random one is generated and printed when omitted.
        #[arg(long, env = "AUDITRAIL_USER_PASSWORD")]
        password: Option<String>,
    },
    /// Issue a single-use password reset link (valid one hour) for the account with this email,
    /// after checking who asks; using it ends every other link of the account.
    ResetLink {
        #[arg(long)]
        email: String,
    },
}

pub async fn run(global: &Global, command: Command) -> CliResult {
    let services = services(global, SessionSettings::default()).await?;
    match command {
        Command::Create {
            org,
            email,
            role,
            name,
            password,
        } => create(&services, &org, &email, &role, name, password).await,
        Command::ResetLink { email } => {
            let token = services.issue_reset_token(&email).await?;
            println!("Reset link for {email} (valid one hour, single use):");
            println!("/reset-password/{token}");
            Ok(())
        }
    }
}

/// Adds the member, printing the generated password when none was given.
async fn create(
    services: &Services,
    org: &str,
    email: &str,
    role: &str,
    name: Option<String>,
    password: Option<String>,
) -> CliResult {
    let org = services.organization(org).await?;
    let generated = password.is_none();
    let password = password.unwrap_or_else(generate_password);
    let display_name = name.unwrap_or_else(|| email.to_owned());
    services
        .add_member(&org, email, &display_name, role, &password)
        .await?;
    println!("Created user {email} in {} with role {role}", org.slug);
    if generated {
        println!("Password: {password}");
    }
    Ok(())
}
