//! What a line typed into the terminal client means.

/// One line of input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Plain text, `@user text` or `/dm user text`: handed to the client
    /// library's input rules.
    Say(String),
    /// `/send PATH`: upload a file.
    Send(String),
    /// `/get NAME`: download a file into the cache.
    Get(String),
    /// `/open NAME`: open a downloaded file with the system viewer.
    Open(String),
    /// `/files`: list the files on the server.
    Files,
    /// `/users`: list who is online.
    Users,
    /// `/clear`: empty the download cache.
    Clear,
    /// `/cancel`: cancel every running transfer.
    Cancel,
    /// `/more` or `/more @user`: the page of messages before the oldest
    /// shown, in `#general` or the conversation with `user`.
    More(Option<String>),
    /// `/retry`: send every message that failed again.
    Retry,
    /// `/discard`: forget every message that failed.
    Discard,
    /// `/quit`: finish running transfers, log out and exit.
    Quit,
    /// `/help`: list the commands.
    Help,
    /// An empty line: nothing to do.
    Nothing,
    /// A command that is not one of the above, or lacks its argument.
    Unknown(String),
}

/// The `/help` text.
pub const HELP: &str = "\
text                send to everyone
@user text          send privately (also /dm user text)
/send PATH          share a file
/get NAME           download a shared file (verified by SHA-256)
/open NAME          open a downloaded file
/files              list shared files
/users              list who is online
/clear              empty the download cache
/cancel             cancel running transfers
/more [@user]       show older messages (of #general, or with user)
/retry              send the messages that failed again
/discard            forget the messages that failed
/quit               log out (after running transfers finish)
/help               this list";

/// Parses one typed line.
pub fn parse_command(line: &str) -> Command {
    let line = line.trim();
    if line.is_empty() {
        return Command::Nothing;
    }
    if !line.starts_with('/') || starts_with_word(line, "/dm") {
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
        "/users" => Command::Users,
        "/clear" => Command::Clear,
        "/cancel" => Command::Cancel,
        "/more" if argument.is_empty() => Command::More(None),
        "/more" => match argument.strip_prefix('@') {
            Some(user) if !user.is_empty() && !user.contains(char::is_whitespace) => {
                Command::More(Some(user.to_owned()))
            }
            _ => Command::Unknown("write it as /more or /more @user".to_owned()),
        },
        "/retry" => Command::Retry,
        "/discard" => Command::Discard,
        "/quit" | "/exit" => Command::Quit,
        "/help" => Command::Help,
        _ => Command::Unknown(format!("unknown command {verb}; /help lists them")),
    }
}

fn starts_with_word(line: &str, word: &str) -> bool {
    line.get(..word.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(word))
        && line[word.len()..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_lines_go_to_the_library() {
        assert_eq!(parse_command("xin chào"), Command::Say("xin chào".into()));
        assert_eq!(parse_command("@an hi"), Command::Say("@an hi".into()));
        assert_eq!(parse_command("/dm an hi"), Command::Say("/dm an hi".into()));
        assert_eq!(parse_command("/DM an"), Command::Say("/DM an".into()));
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
        assert_eq!(parse_command("/users"), Command::Users);
        assert_eq!(parse_command("/clear"), Command::Clear);
        assert_eq!(parse_command("/cancel"), Command::Cancel);
        assert_eq!(parse_command("/more"), Command::More(None));
        assert_eq!(
            parse_command("/more @Bình"),
            Command::More(Some("Bình".into()))
        );
        assert_eq!(parse_command("/retry"), Command::Retry);
        assert_eq!(parse_command("/discard"), Command::Discard);
        assert_eq!(parse_command("/QUIT"), Command::Quit);
        assert_eq!(parse_command("/help"), Command::Help);
    }

    #[test]
    fn mistakes_are_reported_not_sent() {
        assert!(matches!(parse_command("/send"), Command::Unknown(_)));
        assert!(matches!(parse_command("/dmx hi"), Command::Unknown(_)));
        assert!(matches!(parse_command("/nope"), Command::Unknown(_)));
        assert!(matches!(parse_command("/more bob"), Command::Unknown(_)));
    }
}
