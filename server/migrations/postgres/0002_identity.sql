-- Invitations, password resets, known devices and sign-in throttling. Times are Unix microseconds.

-- Only the SHA-256 of an invitation token is stored; a token is single-use and expires.
CREATE TABLE invitations (
    id          BIGSERIAL PRIMARY KEY,
    org_id      BIGINT  NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email       TEXT    NOT NULL,
    role_id     BIGINT  NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    token_hash  TEXT    NOT NULL UNIQUE,
    invited_by  BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    accepted_at BIGINT
);
CREATE INDEX invitations_by_org ON invitations (org_id, created_at);

-- Only the SHA-256 of a reset token is stored; using it deletes it.
CREATE TABLE password_resets (
    token_hash TEXT    PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL
);

-- Browsers a user has signed in from (the SHA-256 of the device cookie).
CREATE TABLE known_devices (
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_hash TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    PRIMARY KEY (user_id, device_hash)
);

-- Failed sign-ins per lower-cased email, known or not, so a lockout reveals nothing.
CREATE TABLE sign_in_failures (
    email        TEXT    PRIMARY KEY,
    failures     BIGINT  NOT NULL,
    window_start BIGINT  NOT NULL,
    locked_until BIGINT
);
