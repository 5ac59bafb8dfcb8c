-- Log streams: destinations each organization's events are pushed to, in `seq` order, with a
-- cursor per stream advanced only after the destination acknowledged. Times are Unix µs.
CREATE TABLE log_streams (
    id                         BIGSERIAL PRIMARY KEY,
    org_id                     BIGINT  NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name                       TEXT    NOT NULL,
    -- The destination as JSON: kind, URL or host and port, format options. No secret.
    destination                TEXT    NOT NULL,
    -- Which events it carries, in the search syntax ('' for all).
    filter                     TEXT    NOT NULL,
    -- A Splunk HEC token or Datadog API key: presented to the destination, so kept as given,
    -- and never answered by the API.
    credential                 TEXT,
    -- A webhook's signing secret (whsec_…), and the one before the last rotation while it
    -- still signs.
    signing_secret             TEXT,
    previous_secret            TEXT,
    previous_secret_expires_at BIGINT,
    paused_at                  BIGINT,
    -- Every event up to this seq has been delivered or passed over.
    cursor_seq                 BIGINT  NOT NULL,
    -- Consecutive failed attempts, since when, and when the next one is due.
    failures                   BIGINT  NOT NULL DEFAULT 0,
    failing_since              BIGINT,
    next_attempt_at            BIGINT  NOT NULL DEFAULT 0,
    last_error                 TEXT,
    last_delivered_at          BIGINT,
    -- The size of the latest signed checkpoint delivered after the events it covers.
    checkpoint_size            BIGINT  NOT NULL DEFAULT 0,
    -- The server process delivering it, until when: one deliverer per stream at a time.
    lease_owner                TEXT,
    lease_until                BIGINT  NOT NULL DEFAULT 0,
    created_at                 BIGINT  NOT NULL,
    UNIQUE (org_id, name)
);

-- The latest delivery attempts of each stream (the service keeps the last 50).
CREATE TABLE log_stream_deliveries (
    id           BIGSERIAL PRIMARY KEY,
    stream_id    BIGINT  NOT NULL REFERENCES log_streams (id) ON DELETE CASCADE,
    attempted_at BIGINT  NOT NULL,
    kind         TEXT    NOT NULL,
    first_seq    BIGINT  NOT NULL,
    last_seq     BIGINT  NOT NULL,
    events       BIGINT  NOT NULL,
    ok           BIGINT  NOT NULL,
    status       BIGINT,
    latency_ms   BIGINT  NOT NULL,
    error        TEXT
);
CREATE INDEX log_stream_deliveries_by_stream ON log_stream_deliveries (stream_id, id);
