//! `auditrail verify --org S`: checks the organization's whole hash chain and its signed
//! checkpoints, with a progress bar; exits with failure when it is broken.
//!
//! `auditrail verify --offline --key KEY …`: the auditor's checks, with no database and no
//! server: `--export FILE` (every event in a signed checkpoint), or `--checkpoint OLD
//! --checkpoint NEW --consistency PROOF` (the newer only appended to the older).

use super::{services, CliResult, Global};
use crate::proof::note::NoteVerifier;
use crate::proof::offline;
use crate::service::SessionSettings;
use app::model::ConsistencyProof;
use flate2::bufread::MultiGzDecoder;
use indicatif::{ProgressBar, ProgressStyle};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// The organization's slug (online verification).
    #[arg(long, required_unless_present = "offline", conflicts_with = "offline")]
    org: Option<String>,
    /// Check files against the public key only: no database, no server.
    #[arg(long)]
    offline: bool,
    /// The server's verifier key (`name+id+key`, from `auditrail keys show` or
    /// `GET /api/v1/checkpoints/key`), or a file holding it.
    #[arg(long, requires = "offline", required_if_eq("offline", "true"))]
    key: Option<String>,
    /// An export (NDJSON or JSON) or a purge's archive (gzipped NDJSON) whose events to check.
    #[arg(long, requires = "offline")]
    export: Option<PathBuf>,
    /// A signed checkpoint file (repeatable): what the export's events must be in, or the
    /// older and the newer checkpoint of a consistency check.
    #[arg(long = "checkpoint", requires = "offline")]
    checkpoints: Vec<PathBuf>,
    /// A consistency proof (the JSON of `GET /api/v1/checkpoints/consistency`) between the two
    /// checkpoints given.
    #[arg(long, requires = "offline")]
    consistency: Option<PathBuf>,
}

pub async fn run(global: &Global, args: Args) -> CliResult {
    if args.offline {
        return offline(args);
    }
    let org = args.org.as_deref().unwrap_or_default();
    let services = services(global, SessionSettings::default()).await?;
    let org = services.organization(org).await?;
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

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The verifier key as given, or read from the file it names.
fn verifier(key: &str) -> Result<NoteVerifier, String> {
    NoteVerifier::parse(key.trim()).or_else(|parse_error| {
        let text = read(Path::new(key)).map_err(|_| format!("--key: {parse_error}"))?;
        NoteVerifier::parse(text.trim()).map_err(|e| format!("--key {key}: {e}"))
    })
}

/// An export or archive file, gunzipped as it is read when it is gzip (a purge's archive).
fn open_export(path: &Path) -> Result<Box<dyn BufRead>, String> {
    let mut file =
        BufReader::new(File::open(path).map_err(|e| format!("{}: {e}", path.display()))?);
    let start = file
        .fill_buf()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(match start.starts_with(&GZIP_MAGIC) {
        true => Box::new(BufReader::new(MultiGzDecoder::new(file))),
        false => Box::new(file),
    })
}

/// The first bytes of a gzip file.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

fn offline(args: Args) -> CliResult {
    let key = verifier(args.key.as_deref().unwrap_or_default())?;
    // A signed note ends in exactly one newline; tools that save it add or drop one.
    let checkpoints = args
        .checkpoints
        .iter()
        .map(|path| read(path).map(|note| format!("{}\n", note.trim_end())))
        .collect::<Result<Vec<_>, _>>()?;
    match (&args.export, &args.consistency) {
        (Some(export), None) => {
            let verified = offline::verify_export(open_export(export)?, &key, &checkpoints)?;
            println!("{}", serde_json::to_string(&verified)?);
            eprintln!(
                "Export verified: {} events, each in a checkpoint signed by {}.",
                verified.events,
                key.name()
            );
            Ok(())
        }
        (None, Some(proof)) => {
            let [old, new] = checkpoints.as_slice() else {
                return Err("--consistency needs two --checkpoint files: older, then newer".into());
            };
            let proof: ConsistencyProof = serde_json::from_str(&read(proof)?)
                .map_err(|e| format!("{}: not a consistency proof: {e}", proof.display()))?;
            let (from, to) = offline::verify_consistency(old, new, &proof, &key)?;
            println!(
                "{}",
                serde_json::json!({ "ok": true, "from": from, "to": to })
            );
            eprintln!("Consistent: the log of {to} events only appended to the log of {from}.");
            Ok(())
        }
        _ => Err("--offline needs either --export FILE or --consistency PROOF".into()),
    }
}
