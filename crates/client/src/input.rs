//! What a line typed by the user means, by the seed's rules: a line starting
//! `@user ` or `/dm user ` is a private message, anything else is public.

use media_chat_protocol::rules::check_text;

use crate::error::InputError;

/// A line of user input, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A public message.
    Public(String),
    /// A private message.
    Direct {
        /// The recipient.
        to: String,
        /// The message.
        text: String,
    },
}

/// Parses a typed line. Surrounding blanks are ignored, as in the seed.
pub fn parse_input(line: &str) -> Result<Input, InputError> {
    let line = line.trim();
    if line.is_empty() {
        return Err(InputError::Empty);
    }
    let direct = line.strip_prefix('@').or_else(|| strip_dm_verb(line));
    let input = match direct {
        Some(rest) => {
            let (to, text) = rest
                .trim_start()
                .split_once(char::is_whitespace)
                .ok_or(InputError::MissingMessage)?;
            let text = text.trim();
            if to.is_empty() || text.is_empty() {
                return Err(InputError::MissingMessage);
            }
            check_text(text)?;
            Input::Direct {
                to: to.to_owned(),
                text: text.to_owned(),
            }
        }
        None => {
            check_text(line)?;
            Input::Public(line.to_owned())
        }
    };
    Ok(input)
}

/// The text after a leading `/dm` (any case) that stands alone or is
/// followed by a blank.
fn strip_dm_verb(line: &str) -> Option<&str> {
    let verb = line.get(..3)?;
    let rest = &line[3..];
    (verb.eq_ignore_ascii_case("/dm") && (rest.is_empty() || rest.starts_with(char::is_whitespace)))
        .then_some(rest)
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

    #[test]
    fn at_and_dm_forms_are_private() {
        assert_eq!(parse_input("@bob hi there"), direct("bob", "hi there"));
        assert_eq!(parse_input("/dm bob hi"), direct("bob", "hi"));
        assert_eq!(parse_input("/DM Đặng chào bạn"), direct("Đặng", "chào bạn"));
        assert_eq!(parse_input("  @bob   spaced  "), direct("bob", "spaced"));
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
    fn everything_else_is_public() {
        assert_eq!(
            parse_input(" xin chào "),
            Ok(Input::Public("xin chào".into()))
        );
        assert_eq!(
            parse_input("email me @ home"),
            Ok(Input::Public("email me @ home".into()))
        );
        assert_eq!(parse_input("/dmx hi"), Ok(Input::Public("/dmx hi".into())));
        assert_eq!(parse_input("/dđ x"), Ok(Input::Public("/dđ x".into())));
        assert_eq!(parse_input("a|b"), Ok(Input::Public("a|b".into())));
    }

    #[test]
    fn blanks_and_control_characters_are_refused() {
        assert_eq!(parse_input("   "), Err(InputError::Empty));
        assert_eq!(
            parse_input("\u{1b}[2J"),
            Err(InputError::Text(TextError::ControlChar(0x1b)))
        );
    }
}
