-- Retention. An organization under legal hold is never purged, whatever its retention.
ALTER TABLE organizations ADD COLUMN legal_hold BOOLEAN NOT NULL DEFAULT FALSE;

-- Each purge: events first_seq..through_seq were archived to `archive` (its SHA-256 beside it),
-- then deleted in the transaction that wrote this row. `through_hash` is the hash of event
-- `through_seq`, the anchor the first kept event's `prev_hash` links to: verification starts
-- there, and the Merkle tree (whose nodes are never deleted) keeps proving the kept events.
-- Purges are whole blocks of 16 leaves, so no kept event's proof needs a purged event's hash.
CREATE TABLE purges (
    org_id         BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    first_seq      BIGINT NOT NULL,
    through_seq    BIGINT NOT NULL,
    through_hash   TEXT   NOT NULL,
    archive        TEXT   NOT NULL,
    archive_sha256 TEXT   NOT NULL,
    purged_at      BIGINT NOT NULL, -- Unix microseconds
    PRIMARY KEY (org_id, through_seq)
);

CREATE TRIGGER purges_refuse_change BEFORE UPDATE OR DELETE ON purges
    FOR EACH ROW EXECUTE FUNCTION refuse_proof_change();
CREATE TRIGGER purges_refuse_truncate BEFORE TRUNCATE ON purges
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_proof_change();
