//! Live tail: the matching events that arrive after a point, as a never-ending stream. It polls
//! the database by `seq`, so it sees events ingested by any server process.

use super::Services;
use crate::store::EventStore;
use app::model::{ApiError, AuditEvent, EventFilter};
use futures::stream::{self, Stream};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

/// How often the database is asked for new events.
const POLL_EVERY: Duration = Duration::from_secs(1);
/// Most events read per poll.
const POLL_LIMIT: u32 = 200;

/// Where a tail is: the last `seq` sent and the events read but not yet sent.
struct Position {
    after: i64,
    pending: VecDeque<AuditEvent>,
}

impl Services {
    /// The organization's events matching `filter` with `seq` above `after_seq` (by default,
    /// everything from now on), oldest first, as they arrive.
    pub async fn tail(
        &self,
        org_id: i64,
        filter: EventFilter,
        after_seq: Option<i64>,
    ) -> Result<impl Stream<Item = Result<AuditEvent, ApiError>> + Send + 'static, ApiError> {
        let events: Arc<dyn EventStore> = self.stores.events.clone();
        let after = match after_seq {
            Some(seq) => seq,
            None => events.head_seq(org_id).await?,
        };
        let start = Position {
            after,
            pending: VecDeque::new(),
        };
        Ok(stream::unfold(start, move |mut at| {
            let (events, filter) = (events.clone(), filter.clone());
            async move {
                loop {
                    if let Some(event) = at.pending.pop_front() {
                        at.after = event.seq;
                        return Some((Ok(event), at));
                    }
                    match events
                        .list_events_after_seq(org_id, &filter, at.after, POLL_LIMIT)
                        .await
                    {
                        Ok(found) if found.is_empty() => tokio::time::sleep(POLL_EVERY).await,
                        Ok(found) => at.pending.extend(found),
                        Err(e) => return Some((Err(ApiError::from(e)), at)),
                    }
                }
            }
        }))
    }
}
