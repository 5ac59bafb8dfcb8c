-- Every actor an organization's log has seen, kept up to date by each append: the actor
-- filter's typeahead reads it instead of the events. last_seen is Unix microseconds.
CREATE TABLE actors (
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    label       TEXT   NOT NULL, -- lower-cased, as events.actor_label
    actor_type  TEXT   NOT NULL,
    event_count INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    PRIMARY KEY (org_id, label)
) WITHOUT ROWID;

INSERT INTO actors (org_id, label, actor_type, event_count, last_seen)
SELECT org_id, actor_label, MIN(actor_type), COUNT(*), MAX(occurred_at)
FROM events
GROUP BY org_id, actor_label;
