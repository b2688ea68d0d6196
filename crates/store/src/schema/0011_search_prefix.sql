-- The search index made anew, with what bounds a search's work
-- (docs/BENCHMARKS.md, "Search"):
-- - prefixes of two and three characters get entries of their own, so
--   `ngu*` (searching as one types) reads one list instead of merging the
--   lists of every word that starts with "ngu";
-- - each event's author (the hex of its user key, one token that folding
--   cannot merge with another name's) is a column of its own, so `from:`
--   narrows the match inside the index instead of after it. (A
--   conversation column was tried for `in:` and cost more than it saved:
--   `#general` holds most events, and intersecting with its list made a
--   rare word's search slower.)
-- The writer indexes every event again, right behind its other work, from
-- id 0 (see src/index.rs).
DROP TABLE search_index;
CREATE VIRTUAL TABLE search_index USING fts5(
    body,
    author,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
UPDATE search_progress SET upto = 0;

DROP TRIGGER search_update;
CREATE TRIGGER search_update AFTER UPDATE OF kind, text, file_name ON events
WHEN (old.kind IN (0, 1) OR new.kind IN (0, 1))
    AND old.id <= (SELECT upto FROM search_progress) BEGIN
    DELETE FROM search_index WHERE rowid = old.id;
    INSERT INTO search_index (rowid, body, author)
    SELECT new.id, media_chat_fold(CASE new.kind WHEN 1 THEN new.file_name ELSE new.text END),
        hex(new.author_key)
    WHERE new.kind IN (0, 1) AND coalesce(new.text, new.file_name) IS NOT NULL;
END;
