-- The events that act on a message (its edits, its reactions) by the
-- message's id: a delete blanks its earlier edits' texts, which without
-- this index read the whole events table once per delete.
CREATE INDEX events_by_target ON events(target) WHERE target IS NOT NULL;
