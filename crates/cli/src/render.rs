//! How each event is shown: one line, a local timestamp, and the seed's
//! tags (`[Me]`, `[PM → x]`, `[PM from x]`, `[+]`, `[*]`, `[!]`).

use bytesize::ByteSize;
use chrono::{DateTime, Local};
use media_chat_client::{Body, Cleared, Event, Message, display};

/// The current local time as the line prefix, `[HH:MM:SS]`.
pub fn now() -> String {
    Local::now().format("[%H:%M:%S]").to_string()
}

/// A past time (seconds since the Unix epoch) as a line prefix with its
/// date, `[YYYY-MM-DD HH:MM]`.
pub fn at(ts: u64) -> String {
    i64::try_from(ts)
        .ok()
        .and_then(|ts| DateTime::from_timestamp(ts, 0))
        .map(|time| {
            time.with_timezone(&Local)
                .format("[%Y-%m-%d %H:%M]")
                .to_string()
        })
        .unwrap_or_else(|| "[?]".to_owned())
}

/// A message with the seed's tags; a shared file with how to get it.
pub fn message(message: &Message, me: &str) -> String {
    let shown = display::message(message, me).text;
    match &message.body {
        Body::File { name, .. } => format!("{shown} — /get {name}"),
        _ => shown,
    }
}

/// An own message that did not reach the server, and why.
pub fn undelivered(message: &Message, me: &str) -> String {
    display::undelivered(message, me).text
}

/// What `/clear` freed.
pub fn cleared(cleared: Cleared) -> String {
    display::cleared(cleared).text
}

/// The line for an event, without its time prefix; `None` for events that
/// are not shown (progress has its bars, user lists answer `/users`).
pub fn event(event: &Event, me: &str) -> Option<String> {
    match event {
        Event::LoggedIn { user } => Some(format!("[i] logged in as {user}")),
        Event::Message { message: m, .. } => Some(message(m, me)),
        Event::FileList { files } if files.is_empty() => Some("[i] no files shared yet".to_owned()),
        Event::FileList { files } => {
            let plural = if files.len() == 1 { "" } else { "s" };
            let mut out = format!("[i] {} shared file{plural}:", files.len());
            for file in files {
                let by = if file.uploader.is_empty() {
                    "?"
                } else {
                    &file.uploader
                };
                out.push_str(&format!(
                    "\n    {}  {}  by {by}",
                    file.name,
                    ByteSize(file.size)
                ));
            }
            Some(out)
        }
        Event::Reconnecting { attempt, delay } => Some(format!(
            "[!] reconnecting in {:.1} s (attempt {attempt})",
            delay.as_secs_f32()
        )),
        _ => display::event(event, me).map(|shown| shown.text),
    }
}

#[cfg(test)]
mod tests {
    use media_chat_client::{Conversation, Delivery, FileInfo, Origin, Sha256Digest};

    use super::*;

    #[test]
    fn terminal_lines_add_their_hints_to_the_shared_tags() {
        let from_an = |body| Event::Message {
            message: Message {
                conversation: Conversation::Direct("an".into()),
                author: "an".into(),
                body,
                ts: 0,
                state: Delivery::Sent { id: Some(1) },
            },
            origin: Origin::Live,
        };
        assert_eq!(
            event(&from_an(Body::Text("hi".into())), "me").unwrap(),
            "[PM from an] hi"
        );
        let shared = from_an(Body::File {
            name: "a.png".into(),
            size: 2048,
            sha256: Sha256Digest([0; 32]),
        });
        assert_eq!(
            event(&shared, "me").unwrap(),
            "[i] an shared a.png (2.0 KiB) — /get a.png"
        );
        let logged_in = Event::LoggedIn { user: "me".into() };
        assert_eq!(event(&logged_in, "me").unwrap(), "[i] logged in as me");
    }

    #[test]
    fn file_lists_are_one_line_per_file() {
        let files = Event::FileList {
            files: vec![FileInfo {
                name: "a.png".into(),
                size: 10,
                sha256: Sha256Digest([0; 32]),
                uploader: String::new(),
                ts: 0,
            }],
        };
        assert_eq!(
            event(&files, "me").unwrap(),
            "[i] 1 shared file:\n    a.png  10 B  by ?"
        );
        assert!(at(1_764_072_000).starts_with("[2025-11-2"));
    }
}
