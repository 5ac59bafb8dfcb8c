-- Auditrail's schema on PostgreSQL. Identity times are Unix microseconds (as on SQLite, so one
-- implementation serves both); events are range-partitioned by month on occurred_at, the server
-- creates the partitions ahead of time and a default partition takes stragglers.

CREATE TABLE organizations (
    id             BIGSERIAL   PRIMARY KEY,
    slug           TEXT        NOT NULL UNIQUE,
    name           TEXT        NOT NULL,
    plan           TEXT        NOT NULL,
    retention_days BIGINT      NOT NULL,
    created_at     BIGINT      NOT NULL
);

CREATE TABLE users (
    id            BIGSERIAL   PRIMARY KEY,
    email         TEXT        NOT NULL,
    display_name  TEXT        NOT NULL,
    password_hash TEXT        NOT NULL,
    created_at    BIGINT      NOT NULL
);
CREATE UNIQUE INDEX users_by_email ON users (lower(email));

-- Built-in roles are rows too (builtin = true), created with each organization.
CREATE TABLE roles (
    id          BIGSERIAL PRIMARY KEY,
    org_id      BIGINT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name        TEXT      NOT NULL,
    permissions TEXT      NOT NULL, -- comma-separated permission names
    builtin     BOOLEAN   NOT NULL DEFAULT false,
    UNIQUE (org_id, name)
);

CREATE TABLE memberships (
    org_id     BIGINT      NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id    BIGINT      NOT NULL REFERENCES roles (id),
    created_at BIGINT      NOT NULL,
    PRIMARY KEY (org_id, user_id)
);

-- Only the SHA-256 of a session token is stored.
CREATE TABLE sessions (
    token_hash TEXT        PRIMARY KEY,
    user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id     BIGINT      NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_at BIGINT      NOT NULL,
    expires_at BIGINT      NOT NULL
);

-- Only the SHA-256 of an API key's secret is stored.
CREATE TABLE api_keys (
    id           BIGSERIAL   PRIMARY KEY,
    org_id       BIGINT      NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name         TEXT        NOT NULL,
    scopes       TEXT        NOT NULL, -- comma-separated scope names
    secret_hash  TEXT        NOT NULL UNIQUE,
    last4        TEXT        NOT NULL,
    created_at   BIGINT      NOT NULL,
    last_used_at BIGINT
);

-- A member's named searches (the search syntax) in one organization.
CREATE TABLE saved_views (
    id         BIGSERIAL PRIMARY KEY,
    org_id     BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    search     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, user_id, name)
);

-- The last link of each organization's hash chain; its row lock serialises appends per
-- organization across every server process.
CREATE TABLE chain_heads (
    org_id BIGINT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    seq    BIGINT NOT NULL,
    hash   TEXT   NOT NULL
);

-- Idempotency keys live outside the partitioned table so their uniqueness is global.
CREATE TABLE idempotency_keys (
    org_id          BIGINT NOT NULL,
    idempotency_key TEXT   NOT NULL,
    event_id        TEXT   NOT NULL,
    occurred_at     TIMESTAMPTZ NOT NULL,
    content_hash    TEXT   NOT NULL,
    PRIMARY KEY (org_id, idempotency_key)
);

-- Append-only. `data` is the whole event as the API answers it; the other columns serve filters.
CREATE TABLE events (
    org_id      BIGINT      NOT NULL,
    seq         BIGINT      NOT NULL,
    id          TEXT        COLLATE "C" NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    action      TEXT        NOT NULL,
    category    TEXT        NOT NULL,
    actor_type  TEXT        NOT NULL,
    actor_id    TEXT        NOT NULL,
    actor_label TEXT        NOT NULL, -- lower-cased: the actor filter is case-insensitive
    ip          TEXT,
    ip_bytes    BYTEA,       -- 16 bytes (IPv4 mapped), for CIDR ranges
    environment TEXT,
    result      TEXT        NOT NULL,
    hash        TEXT        NOT NULL,
    search_text TEXT        NOT NULL, -- lower-cased message, actor, targets, details
    data        TEXT        NOT NULL,
    PRIMARY KEY (org_id, occurred_at, id)
) PARTITION BY RANGE (occurred_at);

CREATE TABLE events_default PARTITION OF events DEFAULT;

-- Newest-first keyset reads per filter (the primary key serves the whole log); created on
-- every partition.
CREATE INDEX events_by_action ON events (org_id, action, occurred_at DESC, id DESC);
CREATE INDEX events_by_category ON events (org_id, category, occurred_at DESC, id DESC);
CREATE INDEX events_by_actor_label ON events (org_id, actor_label, occurred_at DESC, id DESC);
CREATE INDEX events_by_actor_id ON events (org_id, actor_id, occurred_at DESC, id DESC);
CREATE INDEX events_by_seq ON events (org_id, seq);
CREATE INDEX events_by_id ON events (id);
CREATE INDEX events_by_ip ON events (org_id, ip_bytes);

-- Every target of every event, for the target type and id filters.
CREATE TABLE event_targets (
    org_id    BIGINT NOT NULL,
    seq       BIGINT NOT NULL,
    kind      TEXT   NOT NULL,
    target_id TEXT   NOT NULL
);
CREATE INDEX event_targets_by_event ON event_targets (org_id, seq);
CREATE INDEX event_targets_by_kind ON event_targets (org_id, kind, seq);
CREATE INDEX event_targets_by_id ON event_targets (org_id, target_id, seq);
