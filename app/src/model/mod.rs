//! The typed data that crosses the wire between the browser, the server and API clients.
//! Pure data and validation: no I/O lives here.

mod activity;
mod activity_axis;
mod admin;
mod error;
mod event;
mod export;
mod filter;
mod filter_bounds;
mod identity;
mod ingest_body;
mod ip_range;
mod known_actor;
mod log_stream;
mod matching;
mod new_event;
mod page;
mod proof;
mod retention;
mod saved_view;
mod search;
mod verification;

pub use activity::{Activity, ActivityBucket};
pub use activity_axis::{axis_ticks, AxisTick};
pub use admin::{
    ApiKeySummary, CreatedApiKey, CreatedInvitation, InvitationPreview, InvitationSummary,
    MemberSummary, RoleSummary,
};
pub use error::{ApiError, ErrorCode, ErrorEnvelope};
pub use event::{
    Actor, ActorType, AuditEvent, Change, EventContext, EventResult, EventSource, Target,
    AUDITRAIL_ACTOR_ID,
};
pub use export::ExportFormat;
pub use filter::{parse_date, Criteria, EventFilter, EventQuery};
pub use filter_bounds::{
    MAX_FILTER_BYTES, MAX_FILTER_VALUES, MAX_FILTER_VALUE_LEN, MAX_FILTER_YEAR, MAX_FREE_TEXT_LEN,
    MIN_FILTER_YEAR,
};
pub use identity::{Access, ClientInfo, OrganizationChoice, Permission, Plan, Requester, Viewer};
pub use ingest_body::parse_ingest_body;
pub use ip_range::{ip_bytes, IpRange};
pub use known_actor::{KnownActor, MAX_ACTOR_SUGGESTIONS};
pub use log_stream::{
    CreatedLogStream, Delivery, DeliveryKind, Destination, LogStream, LogStreamUpdate,
    NewLogStream, RotatedSecret, StreamState, DELIVERY_LOG_LEN, MAX_CREDENTIAL_LEN,
    MAX_DESTINATION_LEN, MAX_STREAM_NAME_LEN,
};
pub use matching::{action_matches, search_text};
pub use new_event::{NewEvent, ValidationError, MAX_TEXT_LEN};
pub use page::{Cursor, EventPage, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use proof::{Checkpoint, CheckpointKey, CheckpointList, ConsistencyProof, InclusionProof};
pub use retention::{PurgeRecord, RetentionSettings, RetentionUpdate};
pub use saved_view::SavedView;
pub use search::{parse_search, SearchError, MAX_SEARCH_LEN};
pub use verification::ChainVerification;
