-- The latest verification of each organization's chain, as the web app's badge shows it.
-- verified_at is Unix microseconds; broken_at_seq and reason are null when the chain was intact.
CREATE TABLE chain_verifications (
    org_id        INTEGER PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    verified_at   INTEGER NOT NULL,
    checked       INTEGER NOT NULL,
    broken_at_seq INTEGER,
    reason        TEXT
);
