-- The first schema: conversations, events, files, users, read positions.

-- Every conversation an event can belong to. kind 0 is the public room
-- (#general, name 'general'); kind 1 a direct conversation between the
-- users a and b (registered names; a_key <= b_key, the user keys).
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    kind INTEGER NOT NULL,
    name TEXT,
    a TEXT,
    b TEXT,
    a_key TEXT,
    b_key TEXT
);
CREATE UNIQUE INDEX conversations_by_room ON conversations(name) WHERE kind = 0;
CREATE UNIQUE INDEX conversations_by_pair ON conversations(a_key, b_key) WHERE kind = 1;
CREATE INDEX conversations_by_b ON conversations(b_key) WHERE kind = 1;

-- Every stored event, in id order: the order every session sees them.
-- AUTOINCREMENT: an id is never reused, even if the newest event is
-- removed, so a client resuming after an id never misses one.
-- kind 0: a message (text); kind 1: a file shared (file_*).
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation INTEGER NOT NULL REFERENCES conversations(id),
    ts INTEGER NOT NULL,
    author TEXT NOT NULL,
    author_key TEXT NOT NULL,
    kind INTEGER NOT NULL,
    text TEXT,
    file_name TEXT,
    file_size INTEGER,
    file_sha256 BLOB,
    token TEXT
);
CREATE INDEX events_by_conversation ON events(conversation, id);
-- A resent token (a client retrying after a reconnect) finds its event.
CREATE UNIQUE INDEX events_by_token ON events(author_key, token) WHERE token IS NOT NULL;

-- What is known about each stored file of #general's folder, by name.
CREATE TABLE files (
    name TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    sha256 BLOB NOT NULL,
    uploader TEXT NOT NULL,
    ts INTEGER NOT NULL
) WITHOUT ROWID;

-- Per user: the highest event id when their last session ended (the
-- direct messages after it are the ones they missed).
CREATE TABLE users (
    key TEXT PRIMARY KEY,
    last_seen INTEGER NOT NULL
) WITHOUT ROWID;

-- Per user and conversation: the last event they have read.
CREATE TABLE read_positions (
    user_key TEXT NOT NULL,
    conversation INTEGER NOT NULL REFERENCES conversations(id),
    event_id INTEGER NOT NULL,
    PRIMARY KEY (user_key, conversation)
) WITHOUT ROWID;
