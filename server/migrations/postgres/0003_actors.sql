-- Every actor an organization's log has seen, kept up to date by each append: the actor
-- filter's typeahead reads it instead of the events. last_seen is Unix microseconds.
CREATE TABLE actors (
    org_id      BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    label       TEXT   NOT NULL, -- lower-cased, as events.actor_label
    actor_type  TEXT   NOT NULL,
    event_count BIGINT NOT NULL,
    last_seen   BIGINT NOT NULL,
    PRIMARY KEY (org_id, label)
);

INSERT INTO actors (org_id, label, actor_type, event_count, last_seen)
SELECT org_id, actor_label, MIN(actor_type), COUNT(*), (EXTRACT(EPOCH FROM MAX(occurred_at)) * 1000000)::BIGINT
FROM events
GROUP BY org_id, actor_label;
