//! The small formatting subset a message may use, read the way chat users
//! write it, and still readable as plain text where it is not rendered
//! (the terminal client, a version 1 client, the chat log):
//!
//! - `` `inline code` `` and ```` ```a code block``` ```` (a message is one
//!   line, so a block is one line too), shown as written inside;
//! - `**bold**`, `*italic*` and `_italic_` (an `_` inside a word, as in
//!   `#lớp_12A` or `snake_case`, is a letter);
//! - links: bare `http://`, `https://` and `media-chat://` addresses, and
//!   `[words](https://…)`.
//!
//! Anything that does not close is left as typed.

use linkify::{LinkFinder, LinkKind};

/// How a piece of text is drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    /// `**bold**`.
    pub bold: bool,
    /// `*italic*` or `_italic_`.
    pub italic: bool,
    /// `` `code` ``, in the monospace font.
    pub code: bool,
}

/// One run of text in one style, perhaps a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The words shown.
    pub text: String,
    /// How.
    pub style: Style,
    /// Where a click goes, for a link.
    pub link: Option<String>,
}

/// The schemes a link may have: anything else stays text.
const SCHEMES: [&str; 3] = ["http://", "https://", "media-chat://"];

/// Reads `text` into spans, in order; their texts joined are `text`
/// without the markers that were read.
pub fn parse(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    inline(text, Style::default(), &mut spans);
    spans
}

/// Where each span's text starts in `text` (a byte offset): each is a
/// piece of `text`, in order.
pub fn sources(text: &str, spans: &[Span]) -> Vec<usize> {
    let mut at = 0;
    spans
        .iter()
        .map(|span| {
            let start = text[at..].find(&span.text).map_or(at, |found| at + found);
            at = (start + span.text.len()).min(text.len());
            start
        })
        .collect()
}

/// Whether `text` uses any formatting or links (plain text is drawn as
/// one label, the cheap way).
pub fn is_plain(text: &str) -> bool {
    !text.contains(['`', '*', '_', '[', ':'])
}

/// Reads `text` in `style` onto `out`.
fn inline(text: &str, style: Style, out: &mut Vec<Span>) {
    let mut plain_from = 0;
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let found = code(rest, style)
            .or_else(|| emphasis(text, at, style))
            .or_else(|| named_link(rest, style));
        match found {
            Some((used, spans)) => {
                links(&text[plain_from..at], style, out);
                out.extend(spans);
                at += used;
                plain_from = at;
            }
            None => at += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    links(&text[plain_from..], style, out);
}

/// A code span at the start of `rest`: a run of backticks, the code, the
/// same run again. Returns the bytes read and the span.
fn code(rest: &str, style: Style) -> Option<(usize, Vec<Span>)> {
    let ticks = rest.len() - rest.trim_start_matches('`').len();
    if ticks == 0 {
        return None;
    }
    let fence = &rest[..ticks];
    let inner = &rest[ticks..];
    let end = inner.find(fence)?;
    let body = inner[..end].trim_matches(' ');
    if body.is_empty() {
        return None;
    }
    let span = Span {
        text: body.to_owned(),
        style: Style {
            code: true,
            ..style
        },
        link: None,
    };
    Some((ticks * 2 + end, vec![span]))
}

/// Bold or italic starting at byte `at` of `text`: the marker, text that
/// neither starts nor ends with a space, the marker again. An `_` counts
/// only at a word's edges.
fn emphasis(text: &str, at: usize, style: Style) -> Option<(usize, Vec<Span>)> {
    let rest = &text[at..];
    let marker = ["**", "*", "_"].into_iter().find(|m| rest.starts_with(m))?;
    let word_char = |c: char| c.is_alphanumeric();
    if marker == "_" && text[..at].chars().next_back().is_some_and(word_char) {
        return None;
    }
    let inner = &rest[marker.len()..];
    if inner.starts_with(char::is_whitespace) || inner.starts_with(marker) {
        return None;
    }
    let mut search = 0;
    let end = loop {
        let found = search + inner[search..].find(marker)?;
        let before = inner[..found].chars().next_back();
        let after = inner[found + marker.len()..].chars().next();
        let closes = before.is_some_and(|c| !c.is_whitespace())
            && (marker != "_" || !after.is_some_and(word_char))
            // `**` is not closed by the first half of another `**`.
            && !(marker == "*" && after == Some('*'));
        if closes {
            break found;
        }
        search = found + marker.len();
    };
    let inner_style = match marker {
        "**" => Style {
            bold: true,
            ..style
        },
        _ => Style {
            italic: true,
            ..style
        },
    };
    let mut spans = Vec::new();
    inline(&inner[..end], inner_style, &mut spans);
    Some((marker.len() * 2 + end, spans))
}

/// `[words](address)` at the start of `rest`, the address one of
/// [`SCHEMES`].
fn named_link(rest: &str, style: Style) -> Option<(usize, Vec<Span>)> {
    let inner = rest.strip_prefix('[')?;
    let close = inner.find("](")?;
    let words = &inner[..close];
    let address_from = close + 2;
    let address_len = inner[address_from..].find(')')?;
    let address = &inner[address_from..address_from + address_len];
    if words.is_empty() || !has_scheme(address) || address.contains(char::is_whitespace) {
        return None;
    }
    let span = Span {
        text: words.to_owned(),
        style,
        link: Some(address.to_owned()),
    };
    Some((1 + address_from + address_len + 1, vec![span]))
}

/// Whether `address` starts with one of [`SCHEMES`].
fn has_scheme(address: &str) -> bool {
    SCHEMES
        .iter()
        .any(|scheme| address.len() > scheme.len() && address.starts_with(scheme))
}

/// Plain `text` onto `out`, its bare links made links.
fn links(text: &str, style: Style, out: &mut Vec<Span>) {
    if text.is_empty() {
        return;
    }
    let mut finder = LinkFinder::new();
    finder.kinds(&[LinkKind::Url]);
    let mut from = 0;
    for link in finder.links(text).filter(|l| has_scheme(l.as_str())) {
        push(out, &text[from..link.start()], style, None);
        push(out, link.as_str(), style, Some(link.as_str().to_owned()));
        from = link.end();
    }
    push(out, &text[from..], style, None);
}

/// Appends a span, joined to the last one when it has the same style and
/// neither is a link.
fn push(out: &mut Vec<Span>, text: &str, style: Style, link: Option<String>) {
    if text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(last) if link.is_none() && last.link.is_none() && last.style == style => {
            last.text.push_str(text);
        }
        _ => out.push(Span {
            text: text.to_owned(),
            style,
            link,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::{Span, Style, is_plain, parse};
    use proptest::prelude::*;

    const PLAIN: Style = Style {
        bold: false,
        italic: false,
        code: false,
    };

    fn span(text: &str, style: Style) -> Span {
        Span {
            text: text.into(),
            style,
            link: None,
        }
    }

    #[test]
    fn bold_italic_and_code_are_read_and_their_markers_dropped() {
        let bold = Style {
            bold: true,
            ..PLAIN
        };
        let italic = Style {
            italic: true,
            ..PLAIN
        };
        let code = Style {
            code: true,
            ..PLAIN
        };
        assert_eq!(
            parse("**Đăng** nói *nhanh* lên, chạy `cargo test` nhé"),
            vec![
                span("Đăng", bold),
                span(" nói ", PLAIN),
                span("nhanh", italic),
                span(" lên, chạy ", PLAIN),
                span("cargo test", code),
                span(" nhé", PLAIN),
            ]
        );
        assert_eq!(
            parse("```let x = *y*;```"),
            vec![span("let x = *y*;", code)]
        );
        assert_eq!(
            parse("**đậm _và nghiêng_**"),
            vec![
                span("đậm ", bold),
                span(
                    "và nghiêng",
                    Style {
                        bold: true,
                        italic: true,
                        code: false
                    }
                ),
            ]
        );
    }

    #[test]
    fn what_does_not_close_or_sits_inside_a_word_stays_as_typed() {
        for text in [
            "#lớp_12A và snake_case_name",
            "2 * 3 * 4 = 24",
            "**chưa đóng",
            "` một dấu",
            "a ** b",
            "_ cách _",
        ] {
            assert_eq!(parse(text), vec![span(text, PLAIN)], "{text}");
        }
    }

    #[test]
    fn bare_and_named_links_are_links_other_schemes_are_not() {
        let spans = parse(
            "xem https://vi.wikipedia.org/wiki/Phở, hoặc [bài 3](media-chat://lop.vn:5555/%23general/41) ftp://x.vn",
        );
        let links: Vec<(&str, Option<&str>)> = spans
            .iter()
            .map(|s| (s.text.as_str(), s.link.as_deref()))
            .collect();
        assert_eq!(
            links,
            [
                ("xem ", None),
                (
                    "https://vi.wikipedia.org/wiki/Phở",
                    Some("https://vi.wikipedia.org/wiki/Phở")
                ),
                (", hoặc ", None),
                ("bài 3", Some("media-chat://lop.vn:5555/%23general/41")),
                (" ftp://x.vn", None),
            ]
        );
        assert!(is_plain("chào cả lớp"));
        assert!(!is_plain("https://x.vn"));
    }

    proptest! {
        /// Whatever is typed, reading it never panics and never invents
        /// text: every shown character was typed, in order.
        #[test]
        fn reading_never_panics_and_keeps_the_typed_order(text in "[a-zđư_*`\\[\\]() :/.]{0,40}") {
            let shown: String = parse(&text).iter().map(|s| s.text.as_str()).collect();
            let mut typed = text.chars();
            for c in shown.chars() {
                prop_assert!(typed.any(|t| t == c), "{shown:?} from {text:?}");
            }
        }
    }
}
