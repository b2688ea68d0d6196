-- Unread counts at login: the events by others after a read position, in
-- each of a user's conversations (edits and deletes not counted). With the
-- author and the kind in the index, counting reads index pages only, in id
-- order; without them every counted event cost a look-up of its table row,
-- a random page of the table (20,000 of them for a login in 200
-- conversations). The index keeps its name and its (conversation, id)
-- order, which every other query uses.
DROP INDEX events_by_conversation;
CREATE INDEX events_by_conversation ON events(conversation, id, author_key, kind);
