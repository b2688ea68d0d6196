//! The desktop client driven through egui_kittest (no display, no GPU)
//! against real servers on 127.0.0.1:0, one module per part of the window.
//! One test binary: each binary links the whole GUI stack, so one instead of
//! fifteen keeps the build's disk use and link time down.

mod alerts;
mod appearance;
mod basics;
mod blocking;
mod bugs_seen;
mod changes;
mod composer;
mod conversations;
mod errors;
mod file_deletes;
mod formatting;
mod language;
mod offline;
mod paste;
mod preview_cards;
mod reactions;
mod readable;
mod replies;
mod responsive;
mod rooms;
mod search;
mod support;
mod typing;
mod unread;
