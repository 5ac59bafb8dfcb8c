//! `auditrail migrate`: bring the schema up to date.

use super::{CliResult, Global};
use crate::store;

pub async fn run(global: &Global) -> CliResult {
    store::open(&global.database_url).await?;
    println!("Database is up to date.");
    Ok(())
}
