-- Files belong to a conversation: #general's are the seed's server_files/,
-- every other conversation has files of its own, listed to its members
-- only. `conversation` is the conversations row.

INSERT INTO conversations (kind, name, name_key)
    SELECT 0, 'general', 'general'
    WHERE NOT EXISTS (SELECT 1 FROM conversations WHERE kind = 0 AND name_key = 'general');

CREATE TABLE files_in (
    conversation INTEGER NOT NULL REFERENCES conversations(id),
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 BLOB NOT NULL,
    uploader TEXT NOT NULL,
    ts INTEGER NOT NULL,
    PRIMARY KEY (conversation, name)
) WITHOUT ROWID;

INSERT INTO files_in (conversation, name, size, sha256, uploader, ts)
    SELECT (SELECT id FROM conversations WHERE kind = 0 AND name_key = 'general'),
           name, size, sha256, uploader, ts
    FROM files;

DROP TABLE files;
ALTER TABLE files_in RENAME TO files;
