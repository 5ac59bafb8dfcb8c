-- The IP index also orders by time, so the events of one address come newest first without a
-- sort ("more from this IP").
DROP INDEX events_by_ip;
CREATE INDEX events_by_ip ON events (org_id, ip_bytes, occurred_at DESC, id DESC);
