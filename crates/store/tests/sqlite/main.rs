//! The store's integration tests, each on a real SQLite file in a fresh
//! temporary dir, one module per concern, linked into one test binary.

mod changes;
mod events;
mod file_deletes;
mod preferences;
mod reactions;
mod replies;
mod rooms;
mod search;
mod support;
mod welcome;
