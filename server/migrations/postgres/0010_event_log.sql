-- The log and its index apart. `event_log` is what an append writes and all the chain promises:
-- each event's stored JSON once, its chain link and its idempotency key, in (org_id, seq) order
-- so exports and verification read it in order. `events` and everything derived from it
-- (targets, free text, actors, hourly counts) become the search index, filled behind the
-- appends by the indexer, which records in `index_positions` the last `seq` it indexed per
-- organization. Reads answer from the index up to that position and scan the log beyond it.
CREATE TABLE event_log (
    org_id          BIGINT NOT NULL,
    seq             BIGINT NOT NULL,
    id              TEXT   NOT NULL,
    idempotency_key TEXT,
    content_hash    TEXT,  -- SHA-256 of the event as posted, kept with an idempotency key
    hash            TEXT   NOT NULL,
    data            TEXT   NOT NULL, -- the whole event as the API answers it
    PRIMARY KEY (org_id, seq)
);
CREATE UNIQUE INDEX event_log_by_id ON event_log (id);
CREATE UNIQUE INDEX event_log_by_idempotency_key ON event_log (org_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

INSERT INTO event_log (org_id, seq, id, idempotency_key, content_hash, hash, data)
SELECT e.org_id, e.seq, e.id, k.idempotency_key, k.content_hash, e.hash, e.data
FROM events e
LEFT JOIN idempotency_keys k ON k.org_id = e.org_id AND k.event_id = e.id
ORDER BY e.org_id, e.seq;

CREATE TABLE index_positions (
    org_id BIGINT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    seq    BIGINT NOT NULL
);
INSERT INTO index_positions (org_id, seq) SELECT org_id, seq FROM chain_heads;

-- The index keeps only what filters read.
DROP TABLE idempotency_keys;
DROP INDEX events_by_id;
ALTER TABLE events DROP COLUMN data, DROP COLUMN hash;

-- The log is append-only as the index is (see 0008); only a retention purge deletes from it.
CREATE TRIGGER event_log_refuse_change BEFORE UPDATE OR DELETE ON event_log
    FOR EACH ROW EXECUTE FUNCTION refuse_log_change();
CREATE TRIGGER event_log_refuse_truncate BEFORE TRUNCATE ON event_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_log_change();

-- The indexer's position only moves forward.
CREATE FUNCTION refuse_position_rewind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.org_id = OLD.org_id AND NEW.seq >= OLD.seq THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'index positions only move forward'
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER index_positions_refuse_rewind BEFORE UPDATE ON index_positions
    FOR EACH ROW EXECUTE FUNCTION refuse_position_rewind();
