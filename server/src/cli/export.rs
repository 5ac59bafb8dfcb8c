//! `auditrail export --org S --format F [filters] [-o FILE]`: a filtered view to a file or
//! stdout, with a progress bar; recorded in the log as `export.created` by the operator.

use super::{services, CliResult, Global};
use crate::service::SessionSettings;
use app::model::{Actor, ActorType, EventQuery, ExportFormat};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The organization's slug.
    #[arg(long)]
    org: String,
    /// csv, json or ndjson.
    #[arg(long, value_parser = parse_format)]
    format: ExportFormat,
    /// Earliest time: RFC 3339 or YYYY-MM-DD.
    #[arg(long)]
    from: Option<String>,
    /// Latest time: RFC 3339, or YYYY-MM-DD for that whole day.
    #[arg(long)]
    to: Option<String>,
    /// Actor email, id or api-key:<name> (repeatable).
    #[arg(long)]
    actor: Vec<String>,
    /// Event key (repeatable).
    #[arg(long)]
    action: Vec<String>,
    /// Category (repeatable).
    #[arg(long)]
    category: Vec<String>,
    /// Give each event its inclusion proof in the latest signed checkpoint (json and ndjson;
    /// the export then ends at that checkpoint), for `auditrail verify --offline`.
    #[arg(long)]
    include_proof: bool,
    /// Write here instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

fn parse_format(text: &str) -> Result<ExportFormat, String> {
    ExportFormat::parse(text).ok_or_else(|| "format must be csv, json or ndjson".to_owned())
}

impl Args {
    /// The flags as the API's query pairs, parsed by the same code.
    fn query(&self) -> Result<EventQuery, app::model::ApiError> {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        pairs.extend(self.from.as_deref().map(|v| ("from", v)));
        pairs.extend(self.to.as_deref().map(|v| ("to", v)));
        pairs.extend(self.actor.iter().map(|v| ("actor", v.as_str())));
        pairs.extend(self.action.iter().map(|v| ("action", v.as_str())));
        pairs.extend(self.category.iter().map(|v| ("category", v.as_str())));
        EventQuery::from_pairs(pairs)
    }
}

pub async fn run(global: &Global, args: Args) -> CliResult {
    let query = args.query()?;
    let services = services(global, SessionSettings::default()).await?;
    let org = services.organization(&args.org).await?;
    let operator = Actor {
        kind: ActorType::System,
        id: "cli".into(),
        email: None,
        name: Some("auditrail export".into()),
    };
    let mut export = services
        .export(
            &org.operator_access(),
            operator,
            query.filter,
            args.format,
            args.include_proof,
        )
        .await?;
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(std::fs::File::create(path)?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let progress = ProgressBar::new_spinner().with_style(ProgressStyle::with_template(
        "{spinner} {pos} events ({per_sec})",
    )?);
    while let Some(chunk) = export.body.next().await {
        let chunk = chunk?;
        out.write_all(&chunk.bytes)?;
        progress.inc(chunk.rows);
    }
    out.flush()?;
    progress.finish_and_clear();
    eprintln!(
        "Exported {} events as {}.",
        progress.position(),
        args.format.as_str()
    );
    Ok(())
}
