-- Append-only at the database: the events, their targets and the chain heads refuse UPDATE and
-- DELETE (and a head refuses to move back), whoever connects. This stops mistakes and casual
-- edits; the hash chain (`auditrail verify`) detects the rest, since whoever can change the schema
-- can drop these triggers.
--
-- The one way through, for a future retention purge: inside its own transaction, insert the
-- organization into `purge_in_progress`, delete that organization's expired rows, delete the
-- guard row, commit. Other connections never see the guard row, and it opens nothing for other
-- organizations. Events are never updated, not even by the purge.
CREATE TABLE purge_in_progress (
    org_id INTEGER PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE
);

CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE is refused');
END;

CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
WHEN NOT EXISTS (SELECT 1 FROM purge_in_progress WHERE org_id = old.org_id) BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE is refused');
END;

CREATE TRIGGER event_targets_refuse_update BEFORE UPDATE ON event_targets BEGIN
    SELECT RAISE(ABORT, 'event targets are append-only: UPDATE is refused');
END;

CREATE TRIGGER event_targets_refuse_delete BEFORE DELETE ON event_targets
WHEN NOT EXISTS (SELECT 1 FROM purge_in_progress WHERE org_id = old.org_id) BEGIN
    SELECT RAISE(ABORT, 'event targets are append-only: DELETE is refused');
END;

-- A head only moves forward: rewinding it would hide the newest events from the chain.
CREATE TRIGGER chain_heads_refuse_rewind BEFORE UPDATE ON chain_heads
WHEN new.org_id <> old.org_id OR new.seq < old.seq OR (new.seq = old.seq AND new.hash <> old.hash)
BEGIN
    SELECT RAISE(ABORT, 'chain heads only move forward');
END;

CREATE TRIGGER chain_heads_refuse_delete BEFORE DELETE ON chain_heads BEGIN
    SELECT RAISE(ABORT, 'chain heads cannot be deleted');
END;
