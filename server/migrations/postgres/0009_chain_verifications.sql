-- The latest verification of each organization's chain, as the web app's badge shows it.
-- verified_at is Unix microseconds; broken_at_seq and reason are null when the chain was intact.
CREATE TABLE chain_verifications (
    org_id        BIGINT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    verified_at   BIGINT NOT NULL,
    checked       BIGINT NOT NULL,
    broken_at_seq BIGINT,
    reason        TEXT
);
