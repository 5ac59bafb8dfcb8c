-- Auditrail's schema on SQLite. Times are Unix microseconds (UTC).

CREATE TABLE organizations (
    id             INTEGER PRIMARY KEY,
    slug           TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    plan           TEXT    NOT NULL,
    retention_days INTEGER NOT NULL,
    created_at     INTEGER NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

-- Built-in roles are rows too (builtin = 1), created with each organization.
CREATE TABLE roles (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    permissions TEXT    NOT NULL, -- comma-separated permission names
    builtin     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, name)
);

CREATE TABLE memberships (
    org_id     INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id    INTEGER NOT NULL REFERENCES roles (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id)
);

-- Only the SHA-256 of a session token is stored.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id     INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Only the SHA-256 of an API key's secret is stored.
CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    scopes       TEXT    NOT NULL, -- comma-separated scope names
    secret_hash  TEXT    NOT NULL UNIQUE,
    last4        TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);

-- A member's named searches (the search syntax) in one organization.
CREATE TABLE saved_views (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    search     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (org_id, user_id, name)
);

-- The last link of each organization's hash chain.
CREATE TABLE chain_heads (
    org_id INTEGER PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    hash   TEXT    NOT NULL
);

-- Append-only. `data` is the whole event as the API answers it; the other columns serve filters.
CREATE TABLE events (
    org_id          INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    id              TEXT    NOT NULL,
    occurred_at     INTEGER NOT NULL,
    received_at     INTEGER NOT NULL,
    action          TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    actor_type      TEXT    NOT NULL,
    actor_id        TEXT    NOT NULL,
    actor_label     TEXT    NOT NULL, -- lower-cased: the actor filter is case-insensitive
    ip              TEXT,
    ip_bytes        BLOB,             -- 16 bytes (IPv4 mapped), for CIDR ranges
    environment     TEXT,
    result          TEXT    NOT NULL,
    idempotency_key TEXT,
    content_hash    TEXT    NOT NULL,
    hash            TEXT    NOT NULL,
    search_text     TEXT    NOT NULL, -- lower-cased message, actor, targets, details
    data            TEXT    NOT NULL,
    UNIQUE (org_id, seq)
);

CREATE UNIQUE INDEX events_by_id ON events (id);
CREATE INDEX events_by_ip ON events (org_id, ip_bytes);
CREATE UNIQUE INDEX events_by_idempotency_key ON events (org_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- Newest-first keyset reads, whole log and per filter.
CREATE INDEX events_by_time ON events (org_id, occurred_at DESC, id DESC);
CREATE INDEX events_by_action ON events (org_id, action, occurred_at DESC, id DESC);
CREATE INDEX events_by_category ON events (org_id, category, occurred_at DESC, id DESC);
CREATE INDEX events_by_actor_label ON events (org_id, actor_label, occurred_at DESC, id DESC);
CREATE INDEX events_by_actor_id ON events (org_id, actor_id, occurred_at DESC, id DESC);

-- Every target of every event, for the target type and id filters.
CREATE TABLE event_targets (
    org_id    INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    target_id TEXT    NOT NULL
);
CREATE INDEX event_targets_by_event ON event_targets (org_id, seq);
CREATE INDEX event_targets_by_kind ON event_targets (org_id, kind, seq);
CREATE INDEX event_targets_by_id ON event_targets (org_id, target_id, seq);
