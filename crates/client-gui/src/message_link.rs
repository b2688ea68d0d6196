//! Links to messages, as **Copy link to message** makes them:
//! `media-chat://<server>/<conversation>/<id>`, the conversation
//! percent-encoded (`%23general` for `#general`). Clicking one in a message
//! of the same server opens that conversation at that message.

use media_chat_client::Conversation;
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// The scheme of a link to a message.
const SCHEME: &str = "media-chat://";

/// A message, as a link names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageLink {
    /// The server's address, as the user typed it to log in.
    pub server: String,
    /// Where the message is.
    pub conversation: Conversation,
    /// Its event id.
    pub id: u64,
}

impl MessageLink {
    /// The link's text.
    pub fn to_url(&self) -> String {
        let conversation = self.conversation.to_string();
        let encoded = utf8_percent_encode(&conversation, NON_ALPHANUMERIC);
        format!("{SCHEME}{}/{encoded}/{}", self.server, self.id)
    }

    /// Reads a link made by [`MessageLink::to_url`]; `None` for anything
    /// else.
    pub fn parse(url: &str) -> Option<MessageLink> {
        let rest = url.strip_prefix(SCHEME)?;
        let mut parts = rest.rsplitn(3, '/');
        let id = parts.next()?.parse().ok()?;
        let conversation = percent_decode_str(parts.next()?).decode_utf8().ok()?;
        let server = parts.next().filter(|s| !s.is_empty())?;
        Some(MessageLink {
            server: server.to_owned(),
            conversation: Conversation::parse(&conversation).ok()?,
            id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::MessageLink;
    use media_chat_client::Conversation;

    #[test]
    fn a_link_reads_back_as_the_message_it_was_made_from() {
        for conversation in [
            Conversation::general(),
            Conversation::Room("lớp_12A".into()),
            Conversation::Direct("Đăng".into()),
        ] {
            let link = MessageLink {
                server: "lop.vn:5555".into(),
                conversation,
                id: 41,
            };
            let url = link.to_url();
            assert!(!url.contains('#') && url.is_ascii(), "{url}");
            assert_eq!(MessageLink::parse(&url), Some(link));
        }
        assert_eq!(
            MessageLink::parse("media-chat://lop.vn:5555/%23general/41").map(|l| l.id),
            Some(41)
        );
        for other in [
            "https://x.vn/a/1",
            "media-chat://x/%23general/",
            "media-chat:///%23general/4",
        ] {
            assert_eq!(MessageLink::parse(other), None, "{other}");
        }
    }
}
