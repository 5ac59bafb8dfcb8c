//! `auditrail migrate`: bring the schema up to date.

use super::CliResult;
use crate::store;

pub async fn run(database_url: &str) -> CliResult {
    store::open(database_url).await?;
    println!("Database is up to date.");
    Ok(())
}
