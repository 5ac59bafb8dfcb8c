//! `auditrail keys show`: the public key checkpoints are signed with, for auditors.

use super::{CliResult, Global};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Print the verifier key (`name+id+key`, what `auditrail verify --offline --key` takes) and
    /// where the signing key is kept.
    Show,
}

pub fn run(global: &Global, command: Command) -> CliResult {
    match command {
        Command::Show => {
            let policy = global.checkpoint_policy()?;
            println!("{}", policy.signer.verifier().verifier_key());
            eprintln!(
                "Signing key: {} (keep it secret; anyone holding it can sign checkpoints).",
                global.signing_key_file().display()
            );
            Ok(())
        }
    }
}
