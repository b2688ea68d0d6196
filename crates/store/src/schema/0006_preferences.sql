-- What each user chose about others and about conversations.

-- `user_key` blocks `blocked_key` (`blocked` as registered): their
-- messages are hidden for the user, their direct messages refused.
CREATE TABLE blocks (
    user_key TEXT NOT NULL,
    blocked_key TEXT NOT NULL,
    blocked TEXT NOT NULL,
    PRIMARY KEY (user_key, blocked_key)
) WITHOUT ROWID;

-- `user_key` muted the conversation: no notifications, no badge (unread
-- is still counted).
CREATE TABLE mutes (
    user_key TEXT NOT NULL,
    conversation INTEGER NOT NULL REFERENCES conversations(id),
    PRIMARY KEY (user_key, conversation)
) WITHOUT ROWID;
