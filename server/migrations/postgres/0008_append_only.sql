-- Append-only at the database: the events, their targets, their idempotency keys and the chain
-- heads refuse UPDATE, DELETE and TRUNCATE (and a head refuses to move back), whoever connects.
-- This stops mistakes and casual edits; the hash chain (`auditrail verify`) detects the rest,
-- since whoever can change the schema can drop these triggers.
--
-- The one way through, for a future retention purge: inside its own transaction, insert the
-- organization into `purge_in_progress`, delete that organization's expired rows, delete the
-- guard row, commit. Other transactions never see the guard row, and it opens nothing for other
-- organizations. Events are never updated, not even by the purge. (Detaching and dropping a
-- whole partition is DDL, which no trigger sees: it needs the table's owner.)
CREATE TABLE purge_in_progress (
    org_id BIGINT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE
);

CREATE FUNCTION refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND EXISTS (SELECT 1 FROM purge_in_progress WHERE org_id = OLD.org_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only: % is refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- Row triggers on the partitioned table are cloned onto every partition, present and future.
CREATE TRIGGER events_refuse_change BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_log_change();
CREATE TRIGGER events_refuse_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_log_change();

CREATE TRIGGER event_targets_refuse_change BEFORE UPDATE OR DELETE ON event_targets
    FOR EACH ROW EXECUTE FUNCTION refuse_log_change();
CREATE TRIGGER event_targets_refuse_truncate BEFORE TRUNCATE ON event_targets
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_log_change();

CREATE TRIGGER idempotency_keys_refuse_change BEFORE UPDATE OR DELETE ON idempotency_keys
    FOR EACH ROW EXECUTE FUNCTION refuse_log_change();

-- A head only moves forward: rewinding it would hide the newest events from the chain.
CREATE FUNCTION refuse_head_rewind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.org_id = OLD.org_id
       AND (NEW.seq > OLD.seq OR (NEW.seq = OLD.seq AND NEW.hash = OLD.hash)) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'chain heads only move forward: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER chain_heads_refuse_rewind BEFORE UPDATE OR DELETE ON chain_heads
    FOR EACH ROW EXECUTE FUNCTION refuse_head_rewind();
