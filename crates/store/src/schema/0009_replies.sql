-- Replies: a message (kind 0) that answers another message of the same
-- conversation keeps that message's id in `reply_to` (NULL for one that
-- answers nothing). An edit keeps it; the search index, which reads kind
-- and text, is unchanged.
ALTER TABLE events ADD COLUMN reply_to INTEGER;
