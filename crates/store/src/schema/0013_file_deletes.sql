-- Deletes of files: kind 9 is a file's delete (`file_name` the file's
-- name); kind 10 a share whose file was deleted since (the share's row
-- keeps who shared what and when). Neither is indexed for search (only
-- kinds 0 and 1 are) nor counted unread (kind < 4).
--
-- A delete turns every share of the name in its conversation into kind 10:
-- this index finds them without reading the conversation's every event.
CREATE INDEX events_by_file ON events(conversation, file_name) WHERE file_name IS NOT NULL;
