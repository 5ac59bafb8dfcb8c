-- Log streams: destinations each organization's events are pushed to, in `seq` order, with a
-- cursor per stream advanced only after the destination acknowledged. Times are Unix µs.
CREATE TABLE log_streams (
    id                         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id                     INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
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
    previous_secret_expires_at INTEGER,
    paused_at                  INTEGER,
    -- Every event up to this seq has been delivered or passed over.
    cursor_seq                 INTEGER NOT NULL,
    -- Consecutive failed attempts, since when, and when the next one is due.
    failures                   INTEGER NOT NULL DEFAULT 0,
    failing_since              INTEGER,
    next_attempt_at            INTEGER NOT NULL DEFAULT 0,
    last_error                 TEXT,
    last_delivered_at          INTEGER,
    -- The size of the latest signed checkpoint delivered after the events it covers.
    checkpoint_size            INTEGER NOT NULL DEFAULT 0,
    -- The server process delivering it, until when: one deliverer per stream at a time.
    lease_owner                TEXT,
    lease_until                INTEGER NOT NULL DEFAULT 0,
    created_at                 INTEGER NOT NULL,
    UNIQUE (org_id, name)
);

-- The latest delivery attempts of each stream (the service keeps the last 50).
CREATE TABLE log_stream_deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id    INTEGER NOT NULL REFERENCES log_streams (id) ON DELETE CASCADE,
    attempted_at INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    first_seq    INTEGER NOT NULL,
    last_seq     INTEGER NOT NULL,
    events       INTEGER NOT NULL,
    ok           INTEGER NOT NULL,
    status       INTEGER,
    latency_ms   INTEGER NOT NULL,
    error        TEXT
);
CREATE INDEX log_stream_deliveries_by_stream ON log_stream_deliveries (stream_id, id);
