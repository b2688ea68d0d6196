//! What users chose about others and about conversations: whom they
//! block, which conversations they muted. Written by the writer (a
//! preference is not an event: it has no id and reaches only the user's
//! own sessions), read back at login and, for blocks, by the server at
//! start-up.

use media_chat_protocol::rules::user_key;
use rusqlite::{Connection, params};

use crate::sql;
use crate::types::Conversation;

/// A change of one user's preferences.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Preference {
    /// Block the user (by registered name), or (`false`) unblock them.
    Block(String, bool),
    /// Mute the conversation, or (`false`) unmute it.
    Mute(Conversation, bool),
}

/// Records `preference` for the user with `key`.
pub(crate) fn record(tx: &Connection, key: &str, preference: &Preference) -> rusqlite::Result<()> {
    match preference {
        Preference::Block(name, true) => {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO blocks (user_key, blocked_key, blocked) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![key, user_key(name), name])?;
        }
        Preference::Block(name, false) => {
            tx.prepare_cached("DELETE FROM blocks WHERE user_key = ?1 AND blocked_key = ?2")?
                .execute(params![key, user_key(name)])?;
        }
        Preference::Mute(conversation, on) => {
            // A direct or group conversation nobody wrote in yet gets its
            // row now, so the choice holds once someone does.
            let Some(id) = sql::conversation_id(tx, conversation, true)? else {
                return Ok(());
            };
            let statement = if *on {
                "INSERT OR IGNORE INTO mutes (user_key, conversation) VALUES (?1, ?2)"
            } else {
                "DELETE FROM mutes WHERE user_key = ?1 AND conversation = ?2"
            };
            tx.prepare_cached(statement)?.execute(params![key, id])?;
        }
    }
    Ok(())
}

/// Whom the user with `key` blocks (registered names, by key) and which
/// of their conversations they muted.
pub(crate) fn of(db: &Connection, key: &str) -> rusqlite::Result<(Vec<String>, Vec<Conversation>)> {
    let blocked = db
        .prepare_cached("SELECT blocked FROM blocks WHERE user_key = ?1 ORDER BY blocked_key")?
        .query_map(params![key], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let muted = db
        .prepare_cached(
            "SELECT c.kind, c.a, c.b, c.name, c.member_names FROM mutes m \
             JOIN conversations c ON c.id = m.conversation WHERE m.user_key = ?1 ORDER BY c.id",
        )?
        .query_map(params![key], |row| {
            Ok(sql::conversation_from(
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok((blocked, muted))
}

/// Every block: `(blocker's key, blocked's key)`, for the server's check
/// of direct messages.
pub(crate) fn all_blocks(db: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    db.prepare_cached("SELECT user_key, blocked_key FROM blocks")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect()
}
