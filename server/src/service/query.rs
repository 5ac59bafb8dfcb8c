//! Reading the log: keyset pages newest first, totals, single events.

use super::Services;
use app::model::{ApiError, AuditEvent, Cursor, EventPage, EventQuery};

impl Services {
    /// One page of an organization's events matching the query.
    pub async fn list_events(&self, org_id: i64, query: EventQuery) -> Result<EventPage, ApiError> {
        query.validate()?;
        let mut data = self
            .stores
            .events
            .list_events(
                org_id,
                &query.filter,
                query.cursor.as_ref(),
                query.limit + 1,
            )
            .await?;
        let has_more = data.len() > query.limit as usize;
        data.truncate(query.limit as usize);
        let next_cursor = if has_more {
            data.last().map(Cursor::after)
        } else {
            None
        };
        let total = if query.include_total {
            Some(
                self.stores
                    .events
                    .count_events(org_id, &query.filter)
                    .await?,
            )
        } else {
            None
        };
        Ok(EventPage {
            data,
            next_cursor,
            has_more,
            total,
        })
    }

    /// One event of an organization; 404 when it is unknown there.
    pub async fn event(&self, org_id: i64, id: &str) -> Result<AuditEvent, ApiError> {
        self.stores
            .events
            .event_by_id(org_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("event"))
    }
}
