//! The database schema and its migrations, applied in order at open (the
//! version lives in SQLite's `user_version`).

use std::sync::LazyLock;

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use crate::StoreError;

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(include_str!("schema/0001_init.sql")),
        M::up(include_str!("schema/0002_rooms.sql")),
        M::up(include_str!("schema/0003_files_per_conversation.sql")),
    ])
});

/// Brings the database on `connection` up to the newest schema.
pub(crate) fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    MIGRATIONS.to_latest(connection)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(MIGRATIONS.validate().is_ok());
    }
}
