//! What a line typed into the terminal client means. The terminal's own
//! commands are here; every other line (messages, and the room, account
//! and administrator commands both clients share) goes to the client
//! library's `input`.

use crate::handles::parse_handle;

/// One line of input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A message or a shared command (`@user text`, `#room text`, `/dm`,
    /// `/go`, `/join`…): handed to the client library's input rules.
    Say(String),
    /// `/send PATH`: upload a file.
    Send(String),
    /// `/get NAME`: download a file into the cache.
    Get(String),
    /// `/open NAME`: open a downloaded file with the system viewer.
    Open(String),
    /// `/files`: list the files on the server.
    Files,
    /// `/delete-file NAME` (or `/rm NAME`): delete the file NAME of the
    /// current conversation.
    DeleteFile(String),
    /// `/quota`: what the user's files take and may still take.
    Quota,
    /// `/users`: list who is online.
    Users,
    /// `/clear`: empty the download cache.
    Clear,
    /// `/cancel`: cancel every running transfer.
    Cancel,
    /// `/more` or `/more CONVERSATION` (`#room`, `@user`, `+a,b,c`): the
    /// page of messages before the oldest shown, of the current
    /// conversation or the one named.
    More(Option<String>),
    /// `/retry`: send every message that failed again.
    Retry,
    /// `/discard`: forget every message that failed.
    Discard,
    /// `/edit [^N] TEXT`: change the text of message `^N` (without a
    /// handle: the user's last one in the current conversation).
    Edit {
        /// The handle's number, if given.
        handle: Option<u64>,
        /// The new text.
        text: String,
    },
    /// `/reply [^N] TEXT`: answer message `^N` (without a handle: the last
    /// message printed in the current conversation).
    Reply {
        /// The handle's number, if given.
        handle: Option<u64>,
        /// The reply's text.
        text: String,
    },
    /// `/react [^N] REACTION`: give a reaction on message `^N` (without a
    /// handle: the last message printed in the current conversation), or
    /// take it back.
    React {
        /// The handle's number, if given.
        handle: Option<u64>,
        /// The reaction: an emoji or a short text.
        reaction: String,
    },
    /// `/delete [^N]`: delete message `^N` (without a handle: the user's
    /// last one in the current conversation).
    Delete {
        /// The handle's number, if given.
        handle: Option<u64>,
    },
    /// `/password`: change the password (asked for without echo).
    Password,
    /// `/reset-password NAME` (administrators): give a user a new
    /// password (asked for without echo).
    ResetPassword(String),
    /// `/quit`: finish running transfers, log out and exit.
    Quit,
    /// `/help`: list the commands.
    Help,
    /// An empty line: nothing to do.
    Nothing,
    /// A command that lacks its argument.
    Unknown(String),
}

/// The `/help` text.
pub const HELP: &str = "\
text                send to the current conversation (#general at first)
@user text          send privately (also /dm user text)
#room text          post to a room you are in, staying where you are
/dm a,b,c text      write to the group of a, b, c and you
/go #room           plain lines then go there (also /go @user, /go +a,b,c)
/rooms              your conversations with unread counts, rooms to join
/create #room [private] [topic]
                    make a room (public unless private) and go there
/join #room         join a public room, or a private one you are invited to
/leave [#room]      leave the current room (or the one named)
/invite NAME        invite someone to the current room
/remove NAME        remove someone from the current room
/topic TEXT         set the current room's topic
/members            who is in the current conversation
/block NAME         hide NAME's messages, refuse their private ones (/unblock)
/mute [#room]       no notifications or badge, still counted unread (/unmute)
/edit [^N] TEXT     change your message ^N (the handle before a line; your
                    last one here by default)
/delete [^N]        delete message ^N (yours; any in a room you moderate)
/reply [^N] TEXT    answer message ^N (the last one here by default)
/react [^N] 👍       react to message ^N (the last one here); again takes it back
/search WORDS       find messages and files, diacritics ignored: \"a phrase\",
                    prefix*, from:NAME, in:#room, has:file, before:/after:YYYY-MM-DD
/send PATH          share a file
/get NAME           download a shared file (verified by SHA-256)
/open NAME          open a downloaded file
/files              list shared files
/rm NAME            delete file NAME of the current conversation (yours; any
                    in a room you moderate; also /delete-file NAME)
/quota              how much room your files take and what is left
/users              list who is online
/clear              empty the download cache
/cancel             cancel running transfers
/more [#room|@user] show older messages (of the current conversation)
/retry              send the messages that failed again
/discard            forget the messages that failed
/password           change your password (asked without echo)
/signout-others     end your other sessions (they do not come back)
/quit               log out (after running transfers finish)
/help               this list
//text              send a line that starts with /
administrators:
/invite-code        a single-use code to register with (--invite-code)
/registration open|closed|invite
                    who may make an account (until the server restarts)
/ban NAME reason    ban from the server; /unban NAME lifts it
/reset-password NAME
                    give someone a new password (asked without echo)
/audit [N]          the newest N lines of the audit log (20)";

/// Parses one typed line.
pub fn parse_command(line: &str) -> Command {
    let line = line.trim();
    if line.is_empty() {
        return Command::Nothing;
    }
    if !line.starts_with('/') || line.starts_with("//") {
        return Command::Say(line.to_owned());
    }
    let (verb, argument) = match line.split_once(char::is_whitespace) {
        Some((verb, argument)) => (verb, argument.trim()),
        None => (line, ""),
    };
    let with_argument = |make: fn(String) -> Command| {
        if argument.is_empty() {
            Command::Unknown(format!("{verb} needs an argument"))
        } else {
            make(argument.to_owned())
        }
    };
    match verb.to_ascii_lowercase().as_str() {
        "/send" => with_argument(Command::Send),
        "/get" => with_argument(Command::Get),
        "/open" => with_argument(Command::Open),
        "/files" => Command::Files,
        "/rm" | "/delete-file" => with_argument(Command::DeleteFile),
        "/quota" => Command::Quota,
        "/users" => Command::Users,
        "/clear" => Command::Clear,
        "/cancel" => Command::Cancel,
        "/more" if argument.is_empty() => Command::More(None),
        "/more"
            if !argument.contains(char::is_whitespace) && argument.starts_with(['#', '@', '+']) =>
        {
            Command::More(Some(argument.to_owned()))
        }
        "/more" => Command::Unknown("write it as /more, /more #room or /more @user".to_owned()),
        "/edit" => match handle_and_text(argument) {
            (handle, text) if !text.is_empty() => Command::Edit {
                handle,
                text: text.to_owned(),
            },
            _ => Command::Unknown("write it as /edit ^N new text, or /edit new text".to_owned()),
        },
        "/reply" => match handle_and_text(argument) {
            (handle, text) if !text.is_empty() => Command::Reply {
                handle,
                text: text.to_owned(),
            },
            _ => Command::Unknown(
                "write it as /reply ^N text, or /reply text for the last message".to_owned(),
            ),
        },
        "/react" => match handle_and_text(argument) {
            (handle, reaction) if !reaction.is_empty() => Command::React {
                handle,
                reaction: reaction.to_owned(),
            },
            _ => Command::Unknown(
                "write it as /react ^N 👍, or /react 👍 for the last message".to_owned(),
            ),
        },
        "/delete" if argument.is_empty() => Command::Delete { handle: None },
        "/delete" => match parse_handle(argument) {
            Some(handle) => Command::Delete {
                handle: Some(handle),
            },
            None => Command::Unknown("write it as /delete ^N, or /delete for your last".to_owned()),
        },
        "/retry" => Command::Retry,
        "/discard" => Command::Discard,
        "/password" => Command::Password,
        "/reset-password" if !argument.is_empty() && !argument.contains(char::is_whitespace) => {
            Command::ResetPassword(argument.trim_start_matches('@').to_owned())
        }
        "/reset-password" => Command::Unknown("write it as /reset-password NAME".to_owned()),
        "/quit" | "/exit" => Command::Quit,
        "/help" => Command::Help,
        // The commands both clients share, and unknown ones: the library
        // says which.
        _ => Command::Say(line.to_owned()),
    }
}

/// `^N text` as the handle and the text, or (no handle) the whole
/// argument as the text.
fn handle_and_text(argument: &str) -> (Option<u64>, &str) {
    match argument.split_once(char::is_whitespace) {
        Some((first, rest)) if parse_handle(first).is_some() => (parse_handle(first), rest.trim()),
        _ if parse_handle(argument).is_some() => (parse_handle(argument), ""),
        _ => (None, argument),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_lines_and_shared_commands_go_to_the_library() {
        for line in [
            "xin chào",
            "@an hi",
            "/dm an hi",
            "/DM an",
            "#homework xong rồi",
            "/go #homework",
            "/create #lop private",
            "/rooms",
            "/dmx hi",
            "//not a command",
        ] {
            assert_eq!(parse_command(line), Command::Say(line.into()), "{line}");
        }
        assert_eq!(parse_command("   "), Command::Nothing);
    }

    #[test]
    fn slash_commands_parse_with_their_arguments() {
        assert_eq!(
            parse_command("/send ảnh chụp.png"),
            Command::Send("ảnh chụp.png".into())
        );
        assert_eq!(parse_command("/get a.txt"), Command::Get("a.txt".into()));
        assert_eq!(parse_command("/open a.txt"), Command::Open("a.txt".into()));
        assert_eq!(parse_command("/files"), Command::Files);
        assert_eq!(
            parse_command("/rm bài tập.pdf"),
            Command::DeleteFile("bài tập.pdf".into())
        );
        assert_eq!(
            parse_command("/delete-file a.png"),
            Command::DeleteFile("a.png".into())
        );
        assert_eq!(
            parse_command("/rm"),
            Command::Unknown("/rm needs an argument".into())
        );
        assert_eq!(parse_command("/quota"), Command::Quota);
        assert_eq!(parse_command("/users"), Command::Users);
        assert_eq!(parse_command("/clear"), Command::Clear);
        assert_eq!(parse_command("/cancel"), Command::Cancel);
        assert_eq!(parse_command("/more"), Command::More(None));
        assert_eq!(
            parse_command("/more @Bình"),
            Command::More(Some("@Bình".into()))
        );
        assert_eq!(
            parse_command("/more #lop"),
            Command::More(Some("#lop".into()))
        );
        assert_eq!(
            parse_command("/reply ^3 ừ nhé"),
            Command::Reply {
                handle: Some(3),
                text: "ừ nhé".into()
            }
        );
        assert_eq!(
            parse_command("/reply ừ"),
            Command::Reply {
                handle: None,
                text: "ừ".into()
            }
        );
        assert!(matches!(parse_command("/reply ^3"), Command::Unknown(_)));
        assert_eq!(
            parse_command("/react ^3 👍"),
            Command::React {
                handle: Some(3),
                reaction: "👍".into()
            }
        );
        assert_eq!(
            parse_command("/react hay quá"),
            Command::React {
                handle: None,
                reaction: "hay quá".into()
            }
        );
        assert!(matches!(parse_command("/react"), Command::Unknown(_)));
        assert_eq!(parse_command("/retry"), Command::Retry);
        assert_eq!(parse_command("/discard"), Command::Discard);
        assert_eq!(parse_command("/password"), Command::Password);
        assert_eq!(
            parse_command("/reset-password minh"),
            Command::ResetPassword("minh".into())
        );
        assert_eq!(parse_command("/QUIT"), Command::Quit);
        assert_eq!(parse_command("/help"), Command::Help);
    }

    #[test]
    fn mistakes_are_reported_not_sent() {
        assert!(matches!(parse_command("/send"), Command::Unknown(_)));
        assert!(matches!(parse_command("/more bob"), Command::Unknown(_)));
        assert!(matches!(
            parse_command("/reset-password"),
            Command::Unknown(_)
        ));
    }
}
