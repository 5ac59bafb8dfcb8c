//! A member's saved view: a named search.

use serde::{Deserialize, Serialize};

/// A named search (in the search syntax) that one member keeps in one organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    pub search: String,
}
