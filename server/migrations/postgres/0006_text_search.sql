-- Free text through an index: pg_trgm's GIN index on search_text serves LIKE '%…%' (a trusted
-- extension: the database owner may create it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX events_by_search_text ON events USING gin (search_text gin_trgm_ops);
