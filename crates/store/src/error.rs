//! The store's errors.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

/// Why the store could not do what was asked.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database failed (disk full, file damaged, …).
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// The database's schema could not be brought up to date.
    #[error("database schema: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// A file of the data dir could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file at fault.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A batch could not be committed (the database's error, as text: the
    /// same error is shared by every event of the batch).
    #[error("could not store: {0}")]
    Failed(String),
    /// The writer thread has stopped (the store was closed).
    #[error("the store is closed")]
    Closed,
    /// The conversation does not exist or the user may not see it.
    #[error("no such conversation")]
    NoSuchConversation,
    /// A room request was refused; the text says why, for people.
    #[error("{0}")]
    Refused(RoomError),
}

/// Why a room request was refused. `Display` is the text for `ERROR|…`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RoomError {
    /// No such room, or a private one the user is not in (the same
    /// answer, so a private room cannot be found by guessing).
    #[error("No such room: #{0}")]
    NoSuchRoom(String),
    /// A room of that name exists.
    #[error("Room name #{0} is taken")]
    Taken(String),
    /// `#general` is everyone's and cannot be created, left or changed so.
    #[error("#general is everyone's room: it cannot be {0}")]
    General(&'static str),
    /// The actor's role does not allow it.
    #[error("Only {0} of #{1} can do that")]
    NotAllowed(&'static str, String),
    /// The user is already a member.
    #[error("{0} is already in #{1}")]
    AlreadyIn(String, String),
    /// The user is not a member.
    #[error("{0} is not in #{1}")]
    NotIn(String, String),
    /// The user is banned from the room.
    #[error("{0} is banned from #{1}")]
    Banned(String, String),
    /// A private room needs an invitation.
    #[error("#{0} is private: ask a moderator for an invitation")]
    NotInvited(String),
    /// The owner cannot be removed, banned or demoted.
    #[error("The owner of #{0} cannot be removed")]
    Owner(String),
    /// The user is not banned.
    #[error("{0} is not banned from #{1}")]
    NotBanned(String, String),
    /// The actor is not a member of the (public) room.
    #[error("You are not in #{0}")]
    NotYours(String),
    /// No message with that id in a conversation the user is in.
    #[error("No such message: {0}")]
    NoSuchMessage(u64),
    /// The message was deleted already.
    #[error("Message {0} was deleted")]
    AlreadyDeleted(u64),
    /// The event is not a message (a share, a member change, a topic).
    #[error("Event {0} is not a message: only messages can be edited or deleted")]
    NotAMessage(u64),
    /// The event is not a message, so it takes no reactions.
    #[error("Event {0} is not a message: only messages take reactions")]
    NotReactable(u64),
    /// Only a message's author edits it.
    #[error("You can only edit your own messages")]
    NotYourMessage,
    /// Someone else's message, where the actor does not moderate.
    #[error("Only its author, the room's owner and moderators, and administrators can delete it")]
    NotYoursToDelete,
    /// No file of that name in a conversation the user is in.
    #[error("No such file: {0}")]
    NoSuchFile(String),
    /// Someone else's file, where the actor does not moderate.
    #[error(
        "Only its uploader, the room's owner and moderators, and administrators can delete {0}"
    )]
    NotYourFile(String),
    /// The member already has that role.
    #[error("{0} is already a {1} of #{2}")]
    Already(String, media_chat_protocol::Role, String),
}
