-- Edits and deletes of messages.
--
-- kind 4: a deleted message (its text gone; who wrote it and when stay);
-- kind 5: an edit (`target` the message, `text` its new text);
-- kind 6: a delete (`target` the message).
-- A message's `edit` is the id of its latest edit, NULL if never edited.
ALTER TABLE events ADD COLUMN target INTEGER;
ALTER TABLE events ADD COLUMN edit INTEGER;
