-- Reactions: kind 7 is a reaction given, kind 8 one taken back (`target`
-- the message, `text` the reaction). Neither is indexed for search (only
-- kinds 0 and 1 are), counted unread (kind < 4) or read back in pages and
-- backlogs, which carry each message's reactions as they are now instead.
--
-- `reactions` holds who gives which reaction on which message now, in the
-- order given (`event_id`, the event that gave it); `reacted` the newest
-- reaction event of each message that ever had one, so a login resuming
-- after an id finds the messages whose reactions changed since.
CREATE TABLE reactions (
    message INTEGER NOT NULL,
    reaction TEXT NOT NULL,
    user_key TEXT NOT NULL,
    name TEXT NOT NULL,
    event_id INTEGER NOT NULL,
    PRIMARY KEY (message, reaction, user_key)
) WITHOUT ROWID;

CREATE TABLE reacted (
    message INTEGER PRIMARY KEY,
    conversation INTEGER NOT NULL,
    latest INTEGER NOT NULL
);
CREATE INDEX reacted_by_conversation ON reacted(conversation, latest);
