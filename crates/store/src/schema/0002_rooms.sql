-- Rooms, group conversations, memberships and mentions.

-- Rooms (kind 0): `name` as created, `name_key` to compare names (NFC,
-- lower case), `visibility` 0 public, 1 private, and a topic. #general is
-- the room named 'general'. Group conversations (kind 2): `members_key`,
-- the members' user keys sorted and joined by ',', identifies the group;
-- `member_names`, their registered names in the same order.
ALTER TABLE conversations ADD COLUMN name_key TEXT;
ALTER TABLE conversations ADD COLUMN visibility INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN topic TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN members_key TEXT;
ALTER TABLE conversations ADD COLUMN member_names TEXT;
UPDATE conversations SET name_key = 'general' WHERE kind = 0;
CREATE UNIQUE INDEX conversations_by_room_key ON conversations(name_key) WHERE kind = 0;
CREATE UNIQUE INDEX conversations_by_members ON conversations(members_key) WHERE kind = 2;

-- Who is in a room or a group, besides #general (everyone) and direct
-- conversations (their two users). role: 0 invited, 1 member, 2 moderator,
-- 3 owner. A banned user keeps a row with banned = 1 (and is no member).
CREATE TABLE members (
    conversation INTEGER NOT NULL REFERENCES conversations(id),
    user_key TEXT NOT NULL,
    name TEXT NOT NULL,
    role INTEGER NOT NULL,
    banned INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation, user_key)
) WITHOUT ROWID;
CREATE INDEX members_by_user ON members(user_key);

-- The user an event is about: a member change's user (kind 2; `text` holds
-- the change's word). kind 3 is a topic change (`text` the topic).
ALTER TABLE events ADD COLUMN subject TEXT;

-- Who a message mentions (`@name`), for the mention counts.
CREATE TABLE mentions (
    user_key TEXT NOT NULL,
    conversation INTEGER NOT NULL,
    event_id INTEGER NOT NULL,
    PRIMARY KEY (user_key, conversation, event_id)
) WITHOUT ROWID;
