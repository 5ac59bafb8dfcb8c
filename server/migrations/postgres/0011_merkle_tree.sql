-- The provable log (RFC 9162 Merkle tree over each organization's chain, signed checkpoints).
-- The indexer extends each tree behind the appends, in transactions of its own that record the
-- tree's size (`merkle_trees`). A leaf is SHA-256(0x00 ‖ event hash), a node
-- SHA-256(0x01 ‖ left ‖ right). Only complete subtrees from level 4 up (16 leaves and more)
-- are stored, an eighth of a row per event: anything below is recomputed from the event hashes
-- of at most 15 log rows. `idx` numbers the subtrees of a level from 0 (leaves idx·2^level ..).
CREATE TABLE merkle_nodes (
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    level  BIGINT NOT NULL,
    idx    BIGINT NOT NULL,
    hash   BYTEA  NOT NULL,
    PRIMARY KEY (org_id, level, idx)
);

CREATE TABLE merkle_trees (
    org_id BIGINT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    size   BIGINT NOT NULL
);

-- A checkpoint: the tree's size and root as the server signed them, in the C2SP
-- tlog-checkpoint signed-note text (`signed_note`) anyone can check with the public key.
-- created_at is Unix microseconds.
CREATE TABLE checkpoints (
    org_id      BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    tree_size   BIGINT NOT NULL,
    root_hash   BYTEA  NOT NULL,
    signed_note TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (org_id, tree_size)
);

-- Both only grow: a node or a signed checkpoint never changes and is never removed.
CREATE FUNCTION refuse_proof_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER merkle_nodes_refuse_change BEFORE UPDATE OR DELETE ON merkle_nodes
    FOR EACH ROW EXECUTE FUNCTION refuse_proof_change();
CREATE TRIGGER merkle_nodes_refuse_truncate BEFORE TRUNCATE ON merkle_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_proof_change();
CREATE TRIGGER checkpoints_refuse_change BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_proof_change();
CREATE TRIGGER checkpoints_refuse_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_proof_change();
CREATE FUNCTION refuse_tree_shrink() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.org_id = OLD.org_id AND NEW.size >= OLD.size THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a Merkle tree only grows' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER merkle_trees_refuse_shrink BEFORE UPDATE ON merkle_trees
    FOR EACH ROW EXECUTE FUNCTION refuse_tree_shrink();
