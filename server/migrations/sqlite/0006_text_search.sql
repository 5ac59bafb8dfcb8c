-- Free text through an index: an FTS5 trigram table over events.search_text (substrings of three
-- characters or more). Contentless: it holds only the index; its rowid is (org_id << 40) + seq,
-- which never changes (a VACUUM may renumber the events table's own rowids).
CREATE VIRTUAL TABLE events_search USING fts5 (search_text, content = '', tokenize = 'trigram');

CREATE TRIGGER events_search_on_insert AFTER INSERT ON events BEGIN
    INSERT INTO events_search (rowid, search_text) VALUES ((new.org_id << 40) + new.seq, new.search_text);
END;

INSERT INTO events_search (rowid, search_text)
SELECT (org_id << 40) + seq, search_text FROM events;
