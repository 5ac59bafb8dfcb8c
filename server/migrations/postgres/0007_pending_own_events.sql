-- Auditrail's own events, staged in the transaction of the change they record and linked into
-- the organization's chain right after it commits (or at the next start, after a crash).
CREATE TABLE pending_own_events (
    id     BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    event  TEXT   NOT NULL
);
