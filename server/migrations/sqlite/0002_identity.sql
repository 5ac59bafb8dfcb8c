-- Invitations, password resets, known devices and sign-in throttling. Times are Unix microseconds.

-- Only the SHA-256 of an invitation token is stored; a token is single-use and expires.
CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email       TEXT    NOT NULL,
    role_id     INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    token_hash  TEXT    NOT NULL UNIQUE,
    invited_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    accepted_at INTEGER
);
CREATE INDEX invitations_by_org ON invitations (org_id, created_at);

-- Only the SHA-256 of a reset token is stored; using it deletes it.
CREATE TABLE password_resets (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Browsers a user has signed in from (the SHA-256 of the device cookie).
CREATE TABLE known_devices (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_hash TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, device_hash)
);

-- Failed sign-ins per lower-cased email, known or not, so a lockout reveals nothing.
CREATE TABLE sign_in_failures (
    email        TEXT    PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    locked_until INTEGER
);
