-- The search index is kept right behind the writer instead of inside its
-- transaction (see src/index.rs): every small batch used to flush a tiny
-- FTS5 segment of its own, and merging those cost more than storing.
--
-- `upto` is the last event id the index has considered: every message and
-- file share up to it is indexed, none after it.
CREATE TABLE search_progress (upto INTEGER NOT NULL);
INSERT INTO search_progress (upto) SELECT coalesce(max(id), 0) FROM events;

DROP TRIGGER search_insert;
DROP TRIGGER search_update;
DROP TRIGGER search_delete;

-- An edit or a delete of an event already indexed changes the index in the
-- writer's transaction; one not indexed yet is read as it is by then when
-- its turn comes.
CREATE TRIGGER search_update AFTER UPDATE OF kind, text, file_name ON events
WHEN (old.kind IN (0, 1) OR new.kind IN (0, 1))
    AND old.id <= (SELECT upto FROM search_progress) BEGIN
    DELETE FROM search_index WHERE rowid = old.id;
    INSERT INTO search_index (rowid, body)
    SELECT new.id, media_chat_fold(CASE new.kind WHEN 1 THEN new.file_name ELSE new.text END)
    WHERE new.kind IN (0, 1) AND coalesce(new.text, new.file_name) IS NOT NULL;
END;

CREATE TRIGGER search_delete AFTER DELETE ON events
WHEN old.kind IN (0, 1) AND old.id <= (SELECT upto FROM search_progress) BEGIN
    DELETE FROM search_index WHERE rowid = old.id;
END;
