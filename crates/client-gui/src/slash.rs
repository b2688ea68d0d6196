//! Slash commands typed into the entry. The desktop's own ones (files,
//! transfers, failed messages, help) are parsed here; the room, account
//! and administrator commands both clients share are the client library's
//! (`parse_input`). Nothing starting with `/` goes out as text, except
//! `//text`, which is the text `/text`.

use media_chat_client::{ChatCommand, Input, InputError, parse_input};

use crate::i18n::{Language, Notices};

/// A slash command, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slash {
    /// `/help`.
    Help,
    /// `/files`: the current conversation's files.
    Files,
    /// `/users`: who is online.
    Users,
    /// `/clear`: empty the download cache.
    Clear,
    /// `/cancel`: cancel every running transfer.
    Cancel,
    /// `/more`: the page before the oldest message shown.
    More,
    /// `/retry`: send the failed messages of the view again.
    Retry,
    /// `/discard`: forget the failed messages of the view.
    Discard,
    /// `/send PATH`: share a file.
    Send(String),
    /// `/get NAME`: download a file and open it.
    Get(String),
    /// `/open NAME`: open a downloaded file.
    Open(String),
    /// `/quit` or `/exit`.
    Quit,
    /// A command both clients share, for the library to carry out.
    Shared(ChatCommand),
    /// A command of the terminal client that needs what the window does
    /// not have (a password asked for without echo, search results).
    TerminalOnly(String),
}

/// Why a slash line is no command the window can carry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlashError {
    /// No such command.
    Unknown(String),
    /// A command without what it needs: how to write it (`/get NAME`).
    Usage(&'static str),
    /// A command that takes nothing was given something.
    Alone(String),
    /// The client library's refusal, in its words.
    Input(String),
}

impl SlashError {
    /// The refusal in the window's language.
    pub fn words(&self, notices: &Notices) -> String {
        match self {
            SlashError::Unknown(verb) => (notices.unknown_command)(verb),
            SlashError::Usage(usage) => (notices.write_as)(usage),
            SlashError::Alone(verb) => (notices.write_alone)(verb),
            SlashError::Input(words) => words.clone(),
        }
    }
}

impl std::fmt::Display for SlashError {
    /// In English, for logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.words(&Language::English.strings().notices))
    }
}

/// Reads `line` as a slash command; `None` if it is no command (ordinary
/// text, `@user text`, `#room text`, `//text`).
pub fn parse(line: &str) -> Option<Result<Slash, SlashError>> {
    let line = line.trim();
    if !line.starts_with('/') || line.starts_with("//") {
        return None;
    }
    let (verb, argument) = match line.split_once(char::is_whitespace) {
        Some((verb, argument)) => (verb, argument.trim()),
        None => (line, ""),
    };
    let verb = verb.to_lowercase();
    let with_argument = |make: fn(String) -> Slash, usage: &'static str| {
        if argument.is_empty() {
            Err(SlashError::Usage(usage))
        } else {
            Ok(make(argument.to_owned()))
        }
    };
    let bare = |slash: Slash| match argument.is_empty() {
        true => Ok(slash),
        false => Err(SlashError::Alone(verb.clone())),
    };
    let parsed = match verb.as_str() {
        "/help" => Ok(Slash::Help),
        "/files" => bare(Slash::Files),
        "/users" => bare(Slash::Users),
        "/clear" => bare(Slash::Clear),
        "/cancel" => bare(Slash::Cancel),
        "/more" => bare(Slash::More),
        "/retry" => bare(Slash::Retry),
        "/discard" => bare(Slash::Discard),
        "/send" => with_argument(Slash::Send, "/send PATH"),
        "/get" => with_argument(Slash::Get, "/get NAME"),
        "/open" => with_argument(Slash::Open, "/open NAME"),
        "/quit" | "/exit" => Ok(Slash::Quit),
        "/password" | "/reset-password" | "/search" | "/audit" => {
            Ok(Slash::TerminalOnly(verb.clone()))
        }
        _ => match parse_input(line) {
            Ok(Input::Command(command)) => Ok(Slash::Shared(command)),
            // `/dm`: a message, sent as one.
            Ok(_) | Err(InputError::MissingMessage) => return None,
            Err(InputError::UnknownCommand(verb)) => Err(SlashError::Unknown(verb)),
            Err(InputError::Usage(usage)) => Err(SlashError::Usage(usage)),
            Err(e) => Err(SlashError::Input(e.to_string())),
        },
    };
    Some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_desktops_commands_parse_and_text_is_no_command() {
        assert_eq!(parse("/help"), Some(Ok(Slash::Help)));
        assert_eq!(parse("/FILES"), Some(Ok(Slash::Files)));
        assert_eq!(
            parse("/send ảnh chụp.png"),
            Some(Ok(Slash::Send("ảnh chụp.png".into())))
        );
        assert_eq!(parse("/exit"), Some(Ok(Slash::Quit)));
        assert_eq!(parse("/rooms"), Some(Ok(Slash::Shared(ChatCommand::Rooms))));
        for line in ["xin chào", "//shrug", "@an hi", "/dm an hi", "#lop bài 3"] {
            assert_eq!(parse(line), None, "{line}");
        }
    }

    #[test]
    fn mistakes_say_what_to_do() {
        assert_eq!(
            parse("/x").map(|r| r.map_err(|e| e.to_string())),
            Some(Err("unknown command /x — /help lists them".into()))
        );
        assert_eq!(
            parse("/get").map(|r| r.map_err(|e| e.to_string())),
            Some(Err("write it as /get NAME".into()))
        );
        assert_eq!(
            parse("/join lop").map(|r| r.map_err(|e| e.to_string())),
            Some(Err("write it as /join #room".into()))
        );
        let vi = &Language::Vietnamese.strings().notices;
        assert_eq!(
            parse("/x").and_then(Result::err).map(|e| e.words(vi)),
            Some("không có lệnh /x — /help liệt kê các lệnh".into())
        );
    }
}
