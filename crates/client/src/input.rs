//! What a line typed by the user means, the same in both fronts:
//!
//! - `@user text` (or `/dm user text`) is a private message, as in the
//!   seed; `/dm a,b,c text` writes to the group conversation of those users
//!   and the writer;
//! - `#room text` posts to that room when the user is in it (otherwise the
//!   line is ordinary text: [`crate::Client::input`] decides);
//! - `/` starts a command ([`ChatCommand`]); `//text` is the text `/text`;
//! - anything else is ordinary text, for the current conversation.

use media_chat_protocol::rules::{check_text, normalize_user_name};
use media_chat_protocol::{Conversation, ConversationError, Visibility};

use crate::error::InputError;

/// How many audit lines `/audit` asks for when it is not told.
pub const DEFAULT_AUDIT_LINES: u64 = 20;

/// A line of user input, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Ordinary text, for the current conversation.
    Text(String),
    /// A private message.
    Direct {
        /// The recipient.
        to: String,
        /// The message.
        text: String,
    },
    /// `/dm a,b,c text`: a message to the group of these users (the
    /// writer is added if not named).
    Group {
        /// The users named.
        members: Vec<String>,
        /// The message.
        text: String,
    },
    /// `#room text`: a post to `room` if the user is in it; otherwise
    /// `line`, whole, is ordinary text.
    Room {
        /// The room named.
        room: Conversation,
        /// The message.
        text: String,
        /// The line as typed (trimmed).
        line: String,
    },
    /// A command.
    Command(ChatCommand),
}

/// A command for rooms, conversations and accounts, typed the same way in
/// both fronts. Those without a room act on the current conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatCommand {
    /// `/create #room [private] [topic]`: a new room, owned by the user
    /// (public unless `private`); plain lines go there once it exists.
    Create {
        /// The room.
        room: Conversation,
        /// Public or private.
        visibility: Visibility,
        /// Its topic (may be empty).
        topic: String,
    },
    /// `/join #room`: a public room, or a private one the user is invited
    /// to; plain lines go there once in.
    Join {
        /// The room.
        room: Conversation,
    },
    /// `/leave [#room]`: leaves the room (the current one by default).
    Leave {
        /// The room, if named.
        room: Option<Conversation>,
    },
    /// `/invite NAME`: invites a user to the current room.
    Invite {
        /// The user.
        user: String,
    },
    /// `/remove NAME`: removes a user from the current room.
    Remove {
        /// The user.
        user: String,
    },
    /// `/topic TEXT`: sets the current room's topic.
    Topic {
        /// The new topic.
        topic: String,
    },
    /// `/members [conversation]`: lists the members (of the current
    /// conversation by default).
    Members {
        /// The conversation, if named.
        conversation: Option<Conversation>,
    },
    /// `/go #room`, `/go @user` or `/go +a,b,c`: plain lines then go there.
    Go {
        /// Where.
        conversation: Conversation,
    },
    /// `/rooms`: the user's conversations with their unread counts, and
    /// the public rooms to join.
    Rooms,
    /// `/signout-others`: ends the user's other sessions.
    SignOutOthers,
    /// `/ban NAME reason` (administrators): bans a user from the server.
    BanUser {
        /// The user.
        user: String,
        /// Why (they are told).
        reason: String,
    },
    /// `/unban NAME` (administrators): lifts a server ban.
    UnbanUser {
        /// The user.
        user: String,
    },
    /// `/registration open|closed|invite` (administrators).
    Registration {
        /// `open`, `closed` or `invite`.
        mode: String,
    },
    /// `/invite-code` (administrators): a new single-use invitation code.
    InviteCode,
    /// `/audit [N]` (administrators): the newest lines of the audit log.
    Audit {
        /// How many lines.
        limit: u64,
    },
    /// `/block NAME` or `/unblock NAME`: hide a user's messages and refuse
    /// their direct messages, or stop.
    Block {
        /// The user.
        user: String,
        /// Block or unblock.
        on: bool,
    },
    /// `/mute [conversation]` or `/unmute [conversation]` (the current one
    /// by default): no notifications or badge, or again.
    Mute {
        /// The conversation, if named.
        conversation: Option<Conversation>,
        /// Mute or unmute.
        on: bool,
    },
    /// `/search WORDS`: messages and files matching the words (and
    /// filters such as `from:an`, `in:#room`, `has:file`), best first.
    Search {
        /// What to find, as typed.
        query: String,
    },
}

/// Parses a typed line. Surrounding blanks are ignored, as in the seed.
pub fn parse_input(line: &str) -> Result<Input, InputError> {
    let line = line.trim();
    if line.is_empty() {
        return Err(InputError::Empty);
    }
    if let Some(literal) = line.strip_prefix("//") {
        let text = format!("/{literal}");
        check_text(&text)?;
        return Ok(Input::Text(text));
    }
    // `@here …` is a mention of everyone online, not a direct message.
    let here = line
        .split(char::is_whitespace)
        .next()
        .is_some_and(media_chat_protocol::rules::mentions_here);
    if !here && let Some(rest) = line.strip_prefix('@') {
        let (to, text) = name_and_text(rest)?;
        return Ok(Input::Direct { to, text });
    }
    if line.starts_with('/') {
        return command(line);
    }
    if line.starts_with('#')
        && let Some((name, text)) = line.split_once(char::is_whitespace)
        && let Ok(room) = Conversation::parse(name)
    {
        let text = text.trim();
        check_text(text)?;
        check_text(line)?;
        return Ok(Input::Room {
            room,
            text: text.to_owned(),
            line: line.to_owned(),
        });
    }
    check_text(line)?;
    Ok(Input::Text(line.to_owned()))
}

/// `name text` after `@` or `/dm`.
fn name_and_text(rest: &str) -> Result<(String, String), InputError> {
    let (to, text) = rest
        .trim_start()
        .split_once(char::is_whitespace)
        .ok_or(InputError::MissingMessage)?;
    let text = text.trim();
    if to.is_empty() || text.is_empty() {
        return Err(InputError::MissingMessage);
    }
    check_text(text)?;
    Ok((to.to_owned(), text.to_owned()))
}

fn command(line: &str) -> Result<Input, InputError> {
    let (verb, rest) = match line.split_once(char::is_whitespace) {
        Some((verb, rest)) => (verb, rest.trim()),
        None => (line, ""),
    };
    let verb = verb.to_lowercase();
    let mut words = rest.split_whitespace();
    let command = match verb.as_str() {
        "/dm" => {
            let (to, text) = name_and_text(rest)?;
            if to.contains(',') {
                let members = to
                    .split(',')
                    .filter(|name| !name.is_empty())
                    .map(str::to_owned)
                    .collect();
                return Ok(Input::Group { members, text });
            }
            return Ok(Input::Direct { to, text });
        }
        "/create" => {
            const USAGE: &str = "/create #room [private] [topic]";
            let room = room(words.next(), USAGE)?;
            let after_room = rest.split_once(char::is_whitespace).map_or("", |(_, r)| r);
            let after_room = after_room.trim();
            let (visibility, topic) = match after_room.split_once(char::is_whitespace) {
                Some((word, topic)) if is_visibility(word) => (visibility(word), topic.trim()),
                None if is_visibility(after_room) => (visibility(after_room), ""),
                _ => (Visibility::Public, after_room),
            };
            if !topic.is_empty() {
                check_text(topic)?;
            }
            ChatCommand::Create {
                room,
                visibility,
                topic: topic.to_owned(),
            }
        }
        "/join" => ChatCommand::Join {
            room: room(words.next(), "/join #room")?,
        },
        "/leave" => ChatCommand::Leave {
            room: match words.next() {
                None => None,
                Some(name) => Some(room(Some(name), "/leave [#room]")?),
            },
        },
        "/invite" => ChatCommand::Invite {
            user: user(words.next(), "/invite NAME")?,
        },
        "/remove" => ChatCommand::Remove {
            user: user(words.next(), "/remove NAME")?,
        },
        "/topic" => {
            if rest.is_empty() {
                return Err(InputError::Usage("/topic TEXT"));
            }
            check_text(rest)?;
            ChatCommand::Topic {
                topic: rest.to_owned(),
            }
        }
        "/members" => ChatCommand::Members {
            conversation: match words.next() {
                None => None,
                Some(name) => Some(target(name, "/members [#room, @user or +a,b,c]")?),
            },
        },
        "/go" => ChatCommand::Go {
            conversation: target(
                words.next().unwrap_or(""),
                "/go #room, /go @user or /go +a,b,c",
            )?,
        },
        "/rooms" => ChatCommand::Rooms,
        "/signout-others" => ChatCommand::SignOutOthers,
        "/ban" => {
            const USAGE: &str = "/ban NAME reason";
            let user = user(words.next(), USAGE)?;
            let reason = rest.split_once(char::is_whitespace).map_or("", |(_, r)| r);
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(InputError::Usage(USAGE));
            }
            check_text(reason)?;
            ChatCommand::BanUser {
                user,
                reason: reason.to_owned(),
            }
        }
        "/unban" => ChatCommand::UnbanUser {
            user: user(words.next(), "/unban NAME")?,
        },
        "/registration" => match words.next() {
            Some(mode @ ("open" | "closed" | "invite")) => ChatCommand::Registration {
                mode: mode.to_owned(),
            },
            _ => return Err(InputError::Usage("/registration open|closed|invite")),
        },
        "/invite-code" => ChatCommand::InviteCode,
        "/block" | "/unblock" => ChatCommand::Block {
            user: user(words.next(), "/block NAME or /unblock NAME")?,
            on: verb == "/block",
        },
        "/mute" | "/unmute" => ChatCommand::Mute {
            conversation: match words.next() {
                None => None,
                Some(name) => Some(target(name, "/mute [#room, @user or +a,b,c]")?),
            },
            on: verb == "/mute",
        },
        "/search" => {
            media_chat_protocol::SearchQuery::parse(rest)?;
            ChatCommand::Search {
                query: rest.to_owned(),
            }
        }
        "/audit" => ChatCommand::Audit {
            limit: match words.next() {
                None => DEFAULT_AUDIT_LINES,
                Some(n) => match n.parse::<u64>() {
                    Ok(n) if n > 0 => n,
                    _ => return Err(InputError::Usage("/audit [number of lines]")),
                },
            },
        },
        _ => {
            let verb = line.split_whitespace().next().unwrap_or(line);
            return Err(InputError::UnknownCommand(verb.to_owned()));
        }
    };
    Ok(Input::Command(command))
}

fn is_visibility(word: &str) -> bool {
    word.eq_ignore_ascii_case("private") || word.eq_ignore_ascii_case("public")
}

fn visibility(word: &str) -> Visibility {
    if word.eq_ignore_ascii_case("private") {
        Visibility::Private
    } else {
        Visibility::Public
    }
}

/// A `#room` argument.
fn room(word: Option<&str>, usage: &'static str) -> Result<Conversation, InputError> {
    match word.map(Conversation::parse) {
        Some(Ok(room @ Conversation::Room(_))) => Ok(room),
        Some(Err(ConversationError::BadRoom)) => Err(InputError::BadRoom),
        _ => Err(InputError::Usage(usage)),
    }
}

/// A user-name argument (a leading `@` is allowed).
fn user(word: Option<&str>, usage: &'static str) -> Result<String, InputError> {
    let word = word.ok_or(InputError::Usage(usage))?;
    let name = word.strip_prefix('@').unwrap_or(word);
    normalize_user_name(name).map_err(InputError::BadRecipient)
}

/// `#room`, `@user`, or a group as `+a,b,c` (or `a,b,c`).
fn target(word: &str, usage: &'static str) -> Result<Conversation, InputError> {
    let group = word
        .strip_prefix('+')
        .or_else(|| word.contains(',').then_some(word));
    if let Some(names) = group {
        let members: Result<Vec<String>, InputError> = names
            .split(',')
            .filter(|name| !name.is_empty())
            .map(|name| normalize_user_name(name).map_err(InputError::BadRecipient))
            .collect();
        return Ok(Conversation::Group(members?));
    }
    match Conversation::parse(word) {
        Ok(conversation) => Ok(conversation),
        Err(ConversationError::BadRoom) => Err(InputError::BadRoom),
        Err(ConversationError::BadUser(e)) => Err(InputError::BadRecipient(e)),
        Err(_) => Err(InputError::Usage(usage)),
    }
}

#[cfg(test)]
mod tests {
    use media_chat_protocol::TextError;

    use super::*;

    fn direct(to: &str, text: &str) -> Result<Input, InputError> {
        Ok(Input::Direct {
            to: to.into(),
            text: text.into(),
        })
    }

    fn command(command: ChatCommand) -> Result<Input, InputError> {
        Ok(Input::Command(command))
    }

    fn room(name: &str) -> Conversation {
        Conversation::Room(name.into())
    }

    #[test]
    fn at_and_dm_forms_are_private() {
        assert_eq!(parse_input("@bob hi there"), direct("bob", "hi there"));
        assert_eq!(parse_input("/dm bob hi"), direct("bob", "hi"));
        assert_eq!(parse_input("/DM Đặng chào bạn"), direct("Đặng", "chào bạn"));
        assert_eq!(parse_input("  @bob   spaced  "), direct("bob", "spaced"));
        // `@here` is everyone online, not a user to write to.
        assert_eq!(
            parse_input("@here họp nào"),
            Ok(Input::Text("@here họp nào".into()))
        );
        assert_eq!(
            parse_input("@HERE, họp"),
            Ok(Input::Text("@HERE, họp".into()))
        );
        assert_eq!(parse_input("@hereford hi"), direct("hereford", "hi"));
    }

    #[test]
    fn dm_to_several_names_is_a_group() {
        assert_eq!(
            parse_input("/dm bình,cường nhóm mình ơi"),
            Ok(Input::Group {
                members: vec!["bình".into(), "cường".into()],
                text: "nhóm mình ơi".into()
            })
        );
    }

    #[test]
    fn a_name_without_a_message_is_the_seeds_warning() {
        for line in ["@bob", "@bob   ", "/dm bob", "/dm ", "@ hi"] {
            assert_eq!(
                parse_input(line),
                Err(InputError::MissingMessage),
                "{line:?}"
            );
        }
    }

    #[test]
    fn a_hash_line_names_a_room() {
        assert_eq!(
            parse_input("#homework  bài 3 xong"),
            Ok(Input::Room {
                room: room("homework"),
                text: "bài 3 xong".into(),
                line: "#homework  bài 3 xong".into()
            })
        );
        // Not a room name, or nothing to post: ordinary text.
        for line in ["#1 is the best", "#homework", "# hi"] {
            assert_eq!(parse_input(line), Ok(Input::Text(line.into())), "{line}");
        }
    }

    #[test]
    fn everything_else_is_text() {
        assert_eq!(
            parse_input(" xin chào "),
            Ok(Input::Text("xin chào".into()))
        );
        assert_eq!(
            parse_input("email me @ home"),
            Ok(Input::Text("email me @ home".into()))
        );
        assert_eq!(parse_input("a|b"), Ok(Input::Text("a|b".into())));
        assert_eq!(parse_input("//shrug"), Ok(Input::Text("/shrug".into())));
    }

    #[test]
    fn slash_starts_a_command() {
        assert_eq!(
            parse_input("/create #bài-tập private bài tập tuần 1"),
            command(ChatCommand::Create {
                room: room("bài-tập"),
                visibility: Visibility::Private,
                topic: "bài tập tuần 1".into()
            })
        );
        assert_eq!(
            parse_input("/create #lop"),
            command(ChatCommand::Create {
                room: room("lop"),
                visibility: Visibility::Public,
                topic: String::new()
            })
        );
        assert_eq!(
            parse_input("/create #lop PRIVATE"),
            command(ChatCommand::Create {
                room: room("lop"),
                visibility: Visibility::Private,
                topic: String::new()
            })
        );
        assert_eq!(
            parse_input("/join #lop"),
            command(ChatCommand::Join { room: room("lop") })
        );
        assert_eq!(
            parse_input("/leave"),
            command(ChatCommand::Leave { room: None })
        );
        assert_eq!(
            parse_input("/invite @Bình"),
            command(ChatCommand::Invite {
                user: "Bình".into()
            })
        );
        assert_eq!(
            parse_input("/topic ôn thi | tuần 2"),
            command(ChatCommand::Topic {
                topic: "ôn thi | tuần 2".into()
            })
        );
        assert_eq!(
            parse_input("/go +an,bình,cường"),
            command(ChatCommand::Go {
                conversation: Conversation::Group(vec!["an".into(), "bình".into(), "cường".into()])
            })
        );
        assert_eq!(
            parse_input("/go @an"),
            command(ChatCommand::Go {
                conversation: Conversation::Direct("an".into())
            })
        );
        assert_eq!(
            parse_input("/ban ton spam links"),
            command(ChatCommand::BanUser {
                user: "ton".into(),
                reason: "spam links".into()
            })
        );
        assert_eq!(
            parse_input("/registration invite"),
            command(ChatCommand::Registration {
                mode: "invite".into()
            })
        );
        assert_eq!(
            parse_input("/audit"),
            command(ChatCommand::Audit {
                limit: DEFAULT_AUDIT_LINES
            })
        );
        assert_eq!(parse_input("/Rooms"), command(ChatCommand::Rooms));
    }

    #[test]
    fn command_mistakes_say_how_to_write_it() {
        assert_eq!(
            parse_input("/join lop"),
            Err(InputError::Usage("/join #room"))
        );
        assert_eq!(parse_input("/join #1a"), Err(InputError::BadRoom));
        assert_eq!(
            parse_input("/ban ton"),
            Err(InputError::Usage("/ban NAME reason"))
        );
        assert_eq!(
            parse_input("/registration maybe"),
            Err(InputError::Usage("/registration open|closed|invite"))
        );
        assert_eq!(
            parse_input("/dmx hi"),
            Err(InputError::UnknownCommand("/dmx".into()))
        );
        assert_eq!(
            parse_input("/dđ x"),
            Err(InputError::UnknownCommand("/dđ".into()))
        );
    }

    #[test]
    fn blanks_and_control_characters_are_refused() {
        assert_eq!(parse_input("   "), Err(InputError::Empty));
        assert_eq!(
            parse_input("\u{1b}[2J"),
            Err(InputError::Text(TextError::ControlChar(0x1b)))
        );
        assert_eq!(
            parse_input("#lop \u{1b}[2J"),
            Err(InputError::Text(TextError::ControlChar(0x1b)))
        );
    }
}
