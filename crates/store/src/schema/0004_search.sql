-- Full-text search over messages and shared files' names.
--
-- The index holds each searchable event's text folded (no case, no
-- diacritics: media_chat_fold, registered on every connection of the
-- store), keyed by the event's id. It stores no copy of the text
-- (contentless), and deleting from it is supported, so an edited or
-- deleted message's old words leave the index in the same transaction.
-- unicode61 splits words as SQLite knows them; folding has already removed
-- what remove_diacritics would.
CREATE VIRTUAL TABLE search_index USING fts5(
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- A message (kind 0) is found by its text, a shared file (kind 1) by its
-- name. Membership and topic events are not searched.
CREATE TRIGGER search_insert AFTER INSERT ON events
WHEN new.kind IN (0, 1) BEGIN
    INSERT INTO search_index (rowid, body)
    VALUES (new.id, media_chat_fold(CASE new.kind WHEN 1 THEN new.file_name ELSE new.text END));
END;

CREATE TRIGGER search_update AFTER UPDATE OF kind, text, file_name ON events
WHEN old.kind IN (0, 1) OR new.kind IN (0, 1) BEGIN
    DELETE FROM search_index WHERE rowid = old.id;
    INSERT INTO search_index (rowid, body)
    SELECT new.id, media_chat_fold(CASE new.kind WHEN 1 THEN new.file_name ELSE new.text END)
    WHERE new.kind IN (0, 1) AND coalesce(new.text, new.file_name) IS NOT NULL;
END;

CREATE TRIGGER search_delete AFTER DELETE ON events
WHEN old.kind IN (0, 1) BEGIN
    DELETE FROM search_index WHERE rowid = old.id;
END;

-- The events stored before search existed.
INSERT INTO search_index (rowid, body)
    SELECT id, media_chat_fold(CASE kind WHEN 1 THEN file_name ELSE text END)
    FROM events WHERE kind IN (0, 1);
