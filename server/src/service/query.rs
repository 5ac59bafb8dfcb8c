//! Reading the log: keyset pages newest first, totals, single events.

use super::Services;
use app::model::{
    Access, ApiError, AuditEvent, Cursor, EventPage, EventQuery, KnownActor, Permission,
    MAX_ACTOR_SUGGESTIONS, MAX_TEXT_LEN,
};

impl Services {
    /// One page of the caller's organization's events matching the query (`audit_logs:read`):
    /// newest first by keyset cursor, or in `seq` order after `after_seq` (collector mode).
    pub async fn list_events(
        &self,
        caller: &Access,
        query: EventQuery,
    ) -> Result<EventPage, ApiError> {
        caller.require(Permission::AuditLogsRead)?;
        query.validate()?;
        let org_id = caller.org_id;
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

    /// One event of the caller's organization (`audit_logs:read`); 404 when it is unknown there.
    pub async fn event(&self, caller: &Access, id: &str) -> Result<AuditEvent, ApiError> {
        caller.require(Permission::AuditLogsRead)?;
        self.stores
            .events
            .event_by_id(caller.org_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("event"))
    }

    /// The caller's organization's actors whose label contains `text`, most active first: the
    /// actor filter's typeahead (`audit_logs:read`).
    pub async fn known_actors(
        &self,
        caller: &Access,
        text: &str,
    ) -> Result<Vec<KnownActor>, ApiError> {
        caller.require(Permission::AuditLogsRead)?;
        if text.len() > MAX_TEXT_LEN {
            return Err(
                ApiError::invalid(format!("text is longer than {MAX_TEXT_LEN} bytes"))
                    .with_field("text"),
            );
        }
        Ok(self
            .stores
            .identity
            .known_actors(caller.org_id, text, MAX_ACTOR_SUGGESTIONS)
            .await?)
    }
}
