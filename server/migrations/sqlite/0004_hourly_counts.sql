-- Events per hour, kept up to date by each append in the same transaction, so the exact total of
-- a filter by time, action, category, result or actor is a sum over a few rows instead of a
-- count over millions. hour = Unix time in whole hours (occurred_at).
CREATE TABLE hourly_action_counts (
    org_id   INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    hour     INTEGER NOT NULL,
    action   TEXT   NOT NULL,
    category TEXT   NOT NULL,
    result   TEXT   NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (org_id, hour, action, category, result)
) WITHOUT ROWID;
CREATE INDEX hourly_action_counts_by_action ON hourly_action_counts (org_id, action, hour);
CREATE INDEX hourly_action_counts_by_category ON hourly_action_counts (org_id, category, hour);

CREATE TABLE hourly_actor_counts (
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    hour        INTEGER NOT NULL,
    actor_label TEXT   NOT NULL,
    actor_id    TEXT   NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (org_id, hour, actor_label, actor_id)
) WITHOUT ROWID;
CREATE INDEX hourly_actor_counts_by_label ON hourly_actor_counts (org_id, actor_label, hour);
CREATE INDEX hourly_actor_counts_by_id ON hourly_actor_counts (org_id, actor_id, hour);

INSERT INTO hourly_action_counts (org_id, hour, action, category, result, n)
SELECT org_id, occurred_at / 3600000000, action, category, result, COUNT(*)
FROM events
GROUP BY 1, 2, 3, 4, 5;

INSERT INTO hourly_actor_counts (org_id, hour, actor_label, actor_id, n)
SELECT org_id, occurred_at / 3600000000, actor_label, actor_id, COUNT(*)
FROM events
GROUP BY 1, 2, 3, 4;
