-- The provable log (RFC 9162 Merkle tree over each organization's chain, signed checkpoints).
-- The indexer extends each tree behind the appends, in transactions of its own that record the
-- tree's size (`merkle_trees`). A leaf is SHA-256(0x00 ‖ event hash), a node
-- SHA-256(0x01 ‖ left ‖ right). Only complete subtrees from level 4 up (16 leaves and more)
-- are stored, an eighth of a row per event: anything below is recomputed from the event hashes
-- of at most 15 log rows. `idx` numbers the subtrees of a level from 0 (leaves idx·2^level ..).
CREATE TABLE merkle_nodes (
    org_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    level  INTEGER NOT NULL,
    idx    INTEGER NOT NULL,
    hash   BLOB    NOT NULL,
    PRIMARY KEY (org_id, level, idx)
) WITHOUT ROWID;

CREATE TABLE merkle_trees (
    org_id INTEGER PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    size   INTEGER NOT NULL
);

-- A checkpoint: the tree's size and root as the server signed them, in the C2SP
-- tlog-checkpoint signed-note text (`signed_note`) anyone can check with the public key.
-- created_at is Unix microseconds.
CREATE TABLE checkpoints (
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    tree_size   INTEGER NOT NULL,
    root_hash   BLOB    NOT NULL,
    signed_note TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (org_id, tree_size)
);

-- Both only grow: a node or a signed checkpoint never changes and is never removed.
CREATE TRIGGER merkle_nodes_refuse_update BEFORE UPDATE ON merkle_nodes BEGIN
    SELECT RAISE(ABORT, 'the Merkle tree is append-only: UPDATE is refused');
END;
CREATE TRIGGER merkle_nodes_refuse_delete BEFORE DELETE ON merkle_nodes BEGIN
    SELECT RAISE(ABORT, 'the Merkle tree is append-only: DELETE is refused');
END;
CREATE TRIGGER checkpoints_refuse_update BEFORE UPDATE ON checkpoints BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only: UPDATE is refused');
END;
CREATE TRIGGER checkpoints_refuse_delete BEFORE DELETE ON checkpoints BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only: DELETE is refused');
END;
CREATE TRIGGER merkle_trees_refuse_shrink BEFORE UPDATE ON merkle_trees
WHEN new.org_id <> old.org_id OR new.size < old.size BEGIN
    SELECT RAISE(ABORT, 'a Merkle tree only grows');
END;
