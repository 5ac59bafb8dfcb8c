-- Retention. An organization under legal hold is never purged, whatever its retention.
ALTER TABLE organizations ADD COLUMN legal_hold INTEGER NOT NULL DEFAULT 0;

-- Each purge: events first_seq..through_seq were archived to `archive` (its SHA-256 beside it),
-- then deleted in the transaction that wrote this row. `through_hash` is the hash of event
-- `through_seq`, the anchor the first kept event's `prev_hash` links to: verification starts
-- there, and the Merkle tree (whose nodes are never deleted) keeps proving the kept events.
-- Purges are whole blocks of 16 leaves, so no kept event's proof needs a purged event's hash.
CREATE TABLE purges (
    org_id         INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    first_seq      INTEGER NOT NULL,
    through_seq    INTEGER NOT NULL,
    through_hash   TEXT    NOT NULL,
    archive        TEXT    NOT NULL,
    archive_sha256 TEXT    NOT NULL,
    purged_at      INTEGER NOT NULL,
    PRIMARY KEY (org_id, through_seq)
);

CREATE TRIGGER purges_refuse_update BEFORE UPDATE ON purges BEGIN
    SELECT RAISE(ABORT, 'purge records are append-only: UPDATE is refused');
END;
CREATE TRIGGER purges_refuse_delete BEFORE DELETE ON purges BEGIN
    SELECT RAISE(ABORT, 'purge records are append-only: DELETE is refused');
END;
