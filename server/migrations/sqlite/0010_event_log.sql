-- The log and its index apart. `event_log` is what an append writes and all the chain promises:
-- each event's stored JSON once, its chain link and its idempotency key. Rows land in the order
-- they are appended, which is `seq` order within an organization, so exports and verification
-- read it in order through its primary key. (A rowid table: WITHOUT ROWID suits small rows, and
-- an event's JSON is near a kilobyte.) `events` and everything derived
-- from it (targets, free text, actors, hourly counts) become the search index, filled behind
-- the appends by the indexer, which records in `index_positions` the last `seq` it indexed per
-- organization. Reads answer from the index up to that position and scan the log beyond it.
CREATE TABLE event_log (
    org_id          INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    id              TEXT    NOT NULL,
    idempotency_key TEXT,
    content_hash    TEXT,    -- SHA-256 of the event as posted, kept with an idempotency key
    hash            TEXT    NOT NULL,
    data            TEXT    NOT NULL, -- the whole event as the API answers it
    PRIMARY KEY (org_id, seq)
);
CREATE UNIQUE INDEX event_log_by_id ON event_log (id);
CREATE UNIQUE INDEX event_log_by_idempotency_key ON event_log (org_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

INSERT INTO event_log (org_id, seq, id, idempotency_key, content_hash, hash, data)
SELECT org_id, seq, id, idempotency_key,
       CASE WHEN idempotency_key IS NULL THEN NULL ELSE content_hash END, hash, data
FROM events ORDER BY org_id, seq;

CREATE TABLE index_positions (
    org_id INTEGER PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL
);
INSERT INTO index_positions (org_id, seq) SELECT org_id, seq FROM chain_heads;

-- The index keeps only what filters read.
DROP INDEX events_by_id;
DROP INDEX events_by_idempotency_key;
ALTER TABLE events DROP COLUMN data;
ALTER TABLE events DROP COLUMN hash;
ALTER TABLE events DROP COLUMN content_hash;
ALTER TABLE events DROP COLUMN idempotency_key;

-- The log is append-only as the index is (see 0008); only a retention purge deletes from it.
CREATE TRIGGER event_log_refuse_update BEFORE UPDATE ON event_log BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only: UPDATE is refused');
END;

CREATE TRIGGER event_log_refuse_delete BEFORE DELETE ON event_log
WHEN NOT EXISTS (SELECT 1 FROM purge_in_progress WHERE org_id = old.org_id) BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only: DELETE is refused');
END;

-- The indexer's position only moves forward.
CREATE TRIGGER index_positions_refuse_rewind BEFORE UPDATE ON index_positions
WHEN new.org_id <> old.org_id OR new.seq < old.seq BEGIN
    SELECT RAISE(ABORT, 'index positions only move forward');
END;

-- Free text: the trigram index keeps only which events hold each trigram (detail = none), a
-- third of the size and half the work to fill. A search asks for the events holding every
-- trigram of its text and rechecks their search_text.
DROP TRIGGER events_search_on_insert;
DROP TABLE events_search;
CREATE VIRTUAL TABLE events_search USING fts5 (
    search_text, content = '', tokenize = 'trigram', detail = none
);
CREATE TRIGGER events_search_on_insert AFTER INSERT ON events BEGIN
    INSERT INTO events_search (rowid, search_text) VALUES ((new.org_id << 40) + new.seq, new.search_text);
END;
INSERT INTO events_search (rowid, search_text)
SELECT (org_id << 40) + seq, search_text FROM events;
