//! What the user asked for, returned by the UI functions and carried out by
//! the app, which is the only place that talks to the network or the disk
//! (the seed's buttons and a few more).

use crate::ui::delete::Doomed;
use std::path::PathBuf;

use media_chat_client::{Conversation, Fingerprint, TransferId, Visibility};

/// One thing the user wants done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Log in with the login form's fields.
    LogIn,
    /// Remember this certificate for the server, then log in.
    TrustAndLogIn(Fingerprint),
    /// Start a server on this computer, then log in to it.
    HostAndLogIn,
    /// Send the entry's text (Enter or **Send**).
    Send,
    /// An emoji was picked (and put in the entry): remember it among the
    /// recently used.
    UsedEmoji(String),
    /// **Send File**: pick a file with the system dialog.
    PickFile,
    /// Upload this file (from the path field or a drop).
    SendPath(PathBuf),
    /// **Get File**: ask for a file name.
    AskFileName,
    /// Download this stored file.
    Download {
        /// The stored name.
        name: String,
        /// Open it once verified (Get File does, as the seed did).
        open: bool,
    },
    /// **Clear**: ask whether to delete the downloaded files, saying how
    /// many and how much.
    Clear,
    /// **Exit**: log out and close the window.
    Exit,
    /// Log out and go back to the login screen.
    LogOut,
    /// Remember this new certificate for the server (it changed), log out
    /// and go back to the login screen to log in again.
    TrustChanged(Fingerprint),
    /// **Reconnect now**: try the connection again at once.
    Reconnect,
    /// **Clear** confirmed: delete the downloaded files.
    ClearConfirmed,
    /// Cancel a transfer.
    Cancel(TransferId),
    /// Put `@name ` into the entry.
    Mention(String),
    /// Open a downloaded file: a picture in the window's viewer, anything
    /// else with the system's program for it.
    Open(PathBuf),
    /// Show the folder a download is in, with the system's file manager.
    ShowFolder(PathBuf),
    /// Ask for the page of messages before the oldest shown (scrolled to
    /// the top, or **Load older messages**).
    LoadOlder,
    /// **Retry**: send a failed message again (by its token).
    Retry(String),
    /// **Discard**: forget a failed message (by its token).
    Discard(String),
    /// Put this conversation in view; plain lines go there from now on
    /// (a click in the sidebar).
    Go(Conversation),
    /// Join this room (public, or private and invited to); it comes into
    /// view once the server lets the user in.
    Join(Conversation),
    /// Leave this room.
    Leave(Conversation),
    /// Set the current room's topic (the owner and moderators).
    SetTopic(String),
    /// Open the dialog to invite someone to the current room.
    OpenInvite,
    /// Open the New room dialog.
    NewRoom,
    /// Create a room owned by the user; it comes into view once made.
    CreateRoom {
        /// Its name.
        room: Conversation,
        /// Public or private.
        visibility: Visibility,
        /// Its topic (may be empty).
        topic: String,
    },
    /// Open the Browse rooms dialog and ask the server for its rooms.
    BrowseRooms,
    /// Open the quick switcher (also Ctrl+K).
    OpenSwitcher,
    /// Invite `user` to `room`.
    Invite {
        /// The room.
        room: Conversation,
        /// Who.
        user: String,
    },
    /// Give, or take back, a reaction on message `id`.
    React {
        /// The message's event id.
        id: u64,
        /// The emoji (or short text).
        reaction: String,
    },
    /// Answer message `id`: the composer goes into reply mode.
    ReplyTo(u64),
    /// Scroll the pane to message `id` of the conversation in view,
    /// loading older pages until it is there (a reply's snippet).
    ShowMessage(u64),
    /// Search for this (the search panel's Enter).
    Search(String),
    /// Open `conversation` scrolled to message `id` (a search result).
    OpenResult {
        /// Where the message is.
        conversation: Conversation,
        /// The message's event id.
        id: u64,
    },
    /// Follow a link in a message: a web address in the browser, a link to
    /// a message of this server to that message.
    OpenLink(String),
    /// Share the pasted picture under the name given in its dialog.
    SharePasted,
    /// The user is typing in the current conversation (the entry
    /// changed): the others are told, at most every few seconds.
    Typing,
    /// Put the composer in edit mode on the user's own message `id`.
    Edit(u64),
    /// Edit the user's last message in the conversation in view (Up in an
    /// empty entry).
    EditLast,
    /// Leave reply or edit mode (Esc, or the ✕ beside "Replying to …" or
    /// "Editing…").
    LeaveMode,
    /// Ask whether to delete a message or a file of the conversation in
    /// view.
    Delete(Doomed),
    /// Delete it (confirmed).
    DeleteConfirmed(Doomed),
    /// Block (`on`) or unblock `user`.
    Block {
        /// Who.
        user: String,
        /// Block or unblock.
        on: bool,
    },
    /// Mute (`on`) or unmute `conversation`.
    Mute {
        /// Which.
        conversation: Conversation,
        /// Mute or unmute.
        on: bool,
    },
}
