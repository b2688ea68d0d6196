//! The database schema and its migrations, applied in order at open (the
//! version lives in SQLite's `user_version`), and the SQL functions the
//! schema's triggers call.

use std::sync::LazyLock;

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use rusqlite_migration::{M, Migrations};

use crate::StoreError;

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(include_str!("schema/0001_init.sql")),
        M::up(include_str!("schema/0002_rooms.sql")),
        M::up(include_str!("schema/0003_files_per_conversation.sql")),
        M::up(include_str!("schema/0004_search.sql")),
        M::up(include_str!("schema/0005_edits.sql")),
        M::up(include_str!("schema/0006_preferences.sql")),
        M::up(include_str!("schema/0007_unread_index.sql")),
        M::up(include_str!("schema/0008_index_behind.sql")),
        M::up(include_str!("schema/0009_replies.sql")),
        M::up(include_str!("schema/0010_reactions.sql")),
        M::up(include_str!("schema/0011_search_prefix.sql")),
        M::up(include_str!("schema/0012_events_by_target.sql")),
        M::up(include_str!("schema/0013_file_deletes.sql")),
    ])
});

/// Brings the database on `connection` up to the newest schema, after
/// giving it the functions the schema's triggers call (so every connection
/// that writes events must come through here).
pub(crate) fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    register_functions(connection)?;
    MIGRATIONS.to_latest(connection)?;
    Ok(())
}

/// `media_chat_fold(text)`: the text as the search index holds it
/// ([`media_chat_protocol::fold::fold`]); NULL stays NULL.
fn register_functions(connection: &Connection) -> rusqlite::Result<()> {
    connection.create_scalar_function(
        "media_chat_fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |context| {
            let text: Option<String> = context.get(0)?;
            Ok(text.map(|text| media_chat_protocol::fold::fold(&text)))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_to_an_empty_database() {
        let mut db = Connection::open_in_memory().unwrap();
        migrate(&mut db).unwrap();
        let version: i64 = db
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, 13);
    }

    #[test]
    fn a_delete_finds_its_messages_edits_by_index_not_by_scanning() {
        let mut db = Connection::open_in_memory().unwrap();
        migrate(&mut db).unwrap();
        let plan: Vec<String> = db
            .prepare("EXPLAIN QUERY PLAN UPDATE events SET text = NULL WHERE target = 7")
            .unwrap()
            .query_map([], |row| row.get(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            plan.iter().any(|step| step.contains("events_by_target")),
            "{plan:?}"
        );
    }

    #[test]
    fn the_fold_function_folds_and_keeps_null() {
        let mut db = Connection::open_in_memory().unwrap();
        migrate(&mut db).unwrap();
        let folded: Option<String> = db
            .query_row("SELECT media_chat_fold('Đăng Chào')", [], |row| {
                row.get(0)
            })
            .unwrap();
        assert_eq!(folded.as_deref(), Some("dang chao"));
        let null: Option<String> = db
            .query_row("SELECT media_chat_fold(NULL)", [], |row| row.get(0))
            .unwrap();
        assert_eq!(null, None);
    }
}
