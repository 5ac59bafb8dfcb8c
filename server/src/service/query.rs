//! Reading the log: keyset pages newest first, totals, single events.

use super::Services;
use app::model::{
    ApiError, AuditEvent, Cursor, EventPage, EventQuery, KnownActor, MAX_ACTOR_SUGGESTIONS,
    MAX_TEXT_LEN,
};

impl Services {
    /// One page of an organization's events matching the query: newest first by keyset cursor,
    /// or in `seq` order after `after_seq` (collector mode).
    pub async fn list_events(&self, org_id: i64, query: EventQuery) -> Result<EventPage, ApiError> {
        query.validate()?;
        let events = &self.stores.events;
        let (filter, limit) = (&query.filter, query.limit);
        let mut data = match query.after_seq {
            Some(after) => {
                events
                    .list_events_after_seq(org_id, filter, after, limit + 1)
                    .await?
            }
            None => {
                events
                    .list_events(org_id, filter, query.cursor.as_ref(), limit + 1)
                    .await?
            }
        };
        let has_more = data.len() > limit as usize;
        data.truncate(limit as usize);
        let next_cursor = match (has_more, query.after_seq) {
            (true, None) => data.last().map(Cursor::after),
            _ => None,
        };
        let next_after_seq = query
            .after_seq
            .map(|after| data.last().map_or(after, |e| e.seq));
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
            next_after_seq,
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

    /// The organization's actors whose label contains `text`, most active first: the actor
    /// filter's typeahead.
    pub async fn known_actors(&self, org_id: i64, text: &str) -> Result<Vec<KnownActor>, ApiError> {
        if text.len() > MAX_TEXT_LEN {
            return Err(
                ApiError::invalid(format!("text is longer than {MAX_TEXT_LEN} bytes"))
                    .with_field("text"),
            );
        }
        Ok(self
            .stores
            .identity
            .known_actors(org_id, text, MAX_ACTOR_SUGGESTIONS)
            .await?)
    }
}
