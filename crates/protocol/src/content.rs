//! Whether a file's bytes are what its extension says.
//!
//! A `.png` must start with PNG's signature, an `.mp3` with an ID3 tag or
//! MPEG audio frames, a `.txt` or `.md` must be UTF-8 text throughout (a
//! BOM allowed; no NUL or other control characters beyond tab, line feed,
//! carriage return and form feed). The server refuses an upload whose body
//! does not match, whatever the protocol version; clients check before
//! they send. Types are checked by their signatures (the `infer` crate for
//! the containers, stricter checks here for the rest), not decoded: a file
//! that passes may still be damaged inside, but it is not another kind of
//! file under a harmless name.
//!
//! [`ContentCheck`] takes a body a chunk at a time, as it arrives.

/// Every extension whose contents can be checked: the only ones an
/// administrator can allow. The seed's seven, and what can be turned on.
pub const KNOWN_TYPES: [&str; 14] = [
    "jpg", "jpeg", "png", "gif", "webp", "mp3", "wav", "ogg", "m4a", "mp4", "webm", "pdf", "txt",
    "md",
];

/// How many bytes at a file's start decide a binary type.
const HEAD_BYTES: usize = 4096;

/// Whether files with `extension` (lower case, no dot) can be checked.
pub fn is_known(extension: &str) -> bool {
    KNOWN_TYPES.contains(&extension)
}

/// Whether `body`, whole, is a file of type `extension`.
pub fn matches(extension: &str, body: &[u8]) -> bool {
    let mut check = ContentCheck::new(extension);
    check.feed(body);
    check.finish()
}

/// A check of one body against one type, fed as the body arrives.
#[derive(Debug, Clone)]
pub struct ContentCheck {
    extension: String,
    kind: Kind,
    /// A binary type's first bytes, up to [`HEAD_BYTES`].
    head: Vec<u8>,
    /// Text: the bytes of a character cut by the end of the last chunk.
    partial: Vec<u8>,
    /// Text: still valid so far.
    valid: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Binary,
    Unknown,
}

impl ContentCheck {
    /// A check for a body named with `extension` (lower case, no dot).
    pub fn new(extension: &str) -> Self {
        let kind = match extension {
            "txt" | "md" => Kind::Text,
            _ if is_known(extension) => Kind::Binary,
            _ => Kind::Unknown,
        };
        ContentCheck {
            kind,
            head: Vec::new(),
            partial: Vec::new(),
            valid: true,
            extension: extension.to_owned(),
        }
    }

    /// The next bytes of the body.
    pub fn feed(&mut self, mut chunk: &[u8]) {
        match self.kind {
            Kind::Binary => {
                let take = chunk.len().min(HEAD_BYTES - self.head.len());
                self.head.extend_from_slice(&chunk[..take]);
            }
            Kind::Text if self.valid => {
                if !self.partial.is_empty() {
                    // Complete the cut character first: at most 3 more bytes.
                    while !chunk.is_empty() && self.partial.len() < 4 {
                        self.partial.push(chunk[0]);
                        chunk = &chunk[1..];
                        match std::str::from_utf8(&self.partial) {
                            Ok(text) => {
                                self.valid = is_text(text);
                                self.partial.clear();
                                break;
                            }
                            Err(e) if e.error_len().is_some() => {
                                self.valid = false;
                                return;
                            }
                            Err(_) => {}
                        }
                    }
                    if !self.partial.is_empty() {
                        return;
                    }
                }
                match std::str::from_utf8(chunk) {
                    Ok(text) => self.valid &= is_text(text),
                    // A character cut at the chunk's end: kept for the next.
                    Err(e) if e.error_len().is_none() => {
                        let (whole, cut) = chunk.split_at(e.valid_up_to());
                        // Valid by the error's own account.
                        let text = std::str::from_utf8(whole).unwrap_or_default();
                        self.valid &= is_text(text);
                        self.partial.extend_from_slice(cut);
                    }
                    Err(_) => self.valid = false,
                }
            }
            Kind::Text | Kind::Unknown => {}
        }
    }

    /// Whether the body, all fed, is of the type.
    pub fn finish(self) -> bool {
        match self.kind {
            Kind::Text => self.valid && self.partial.is_empty(),
            Kind::Binary => head_matches(&self.extension, &self.head),
            Kind::Unknown => false,
        }
    }
}

/// Text as a text file may hold it: no NUL, no control characters but tab,
/// line feed, carriage return and form feed.
fn is_text(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
}

/// Whether `head`, a binary file's first bytes, is of type `extension`.
fn head_matches(extension: &str, head: &[u8]) -> bool {
    match extension {
        "png" => head.starts_with(b"\x89PNG\r\n\x1a\n"),
        "jpg" | "jpeg" => head.starts_with(&[0xFF, 0xD8, 0xFF]),
        "gif" => head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a"),
        "webp" => riff(head, b"WEBP"),
        "wav" => riff(head, b"WAVE"),
        "mp3" => is_mp3(head),
        "ogg" => infer::audio::is_ogg(head),
        "m4a" => infer::audio::is_m4a(head),
        "mp4" => infer::video::is_mp4(head),
        "webm" => infer::video::is_webm(head),
        "pdf" => head.starts_with(b"%PDF-"),
        _ => false,
    }
}

/// A RIFF container of `form` (`WEBP`, `WAVE`).
fn riff(head: &[u8], form: &[u8; 4]) -> bool {
    head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == form
}

/// An ID3v2 tag, or MPEG audio layer III frames: a valid frame header at
/// the start and, where the head reaches it, another right after the
/// first frame (one header alone matches too often by chance).
fn is_mp3(head: &[u8]) -> bool {
    if head.len() >= 10 && head.starts_with(b"ID3") && (2..=4).contains(&head[3]) {
        return true;
    }
    let Some(first) = frame_length(head) else {
        return false;
    };
    match head.get(first..) {
        Some(next) if next.len() >= 4 => frame_length(next).is_some(),
        _ => true,
    }
}

/// The length in bytes of the MPEG audio layer III frame whose header
/// starts `bytes`, if it is one.
fn frame_length(bytes: &[u8]) -> Option<usize> {
    let [b0, b1, b2, _, ..] = *bytes else {
        return None;
    };
    if b0 != 0xFF || b1 & 0xE0 != 0xE0 {
        return None;
    }
    // 3: MPEG 1, 2: MPEG 2, 0: MPEG 2.5, 1: reserved. Layer III is 1.
    let version = (b1 >> 3) & 0b11;
    if version == 1 || (b1 >> 1) & 0b11 != 1 {
        return None;
    }
    const MPEG1: [u32; 15] = [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ];
    const MPEG2: [u32; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    let bitrate_index = usize::from(b2 >> 4);
    let rate_index = usize::from((b2 >> 2) & 0b11);
    if bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 {
        return None;
    }
    let (kbps, hz, per_frame) = match version {
        3 => (
            MPEG1[bitrate_index],
            [44_100, 48_000, 32_000][rate_index],
            144,
        ),
        2 => (
            MPEG2[bitrate_index],
            [22_050, 24_000, 16_000][rate_index],
            72,
        ),
        _ => (
            MPEG2[bitrate_index],
            [11_025, 12_000, 8_000][rate_index],
            72,
        ),
    };
    let padding = u32::from((b2 >> 1) & 1);
    usize::try_from(per_frame * kbps * 1000 / hz + padding).ok()
}

/// A body of `size` bytes that is a file of type `extension` (its
/// signature, then filler), for tests and load generators; `None` for an
/// unknown type. Text types get printable text; a binary type gets at
/// least its signature (a WebM file at least 257 bytes).
pub fn sample(extension: &str, size: usize) -> Option<Vec<u8>> {
    let head: &[u8] = match extension {
        "txt" | "md" => {
            let line = "Bài tập tuần này: đọc chương 3.\n".as_bytes();
            let mut body: Vec<u8> = line.iter().copied().cycle().take(size).collect();
            // Never end inside a character.
            while std::str::from_utf8(&body).is_err() {
                body.pop();
                body.push(b'.');
            }
            return Some(body);
        }
        "png" => b"\x89PNG\r\n\x1a\n",
        "jpg" | "jpeg" => &[0xFF, 0xD8, 0xFF, 0xE0],
        "gif" => b"GIF89a",
        "webp" => b"RIFF\0\0\0\0WEBP",
        "wav" => b"RIFF\0\0\0\0WAVE",
        "mp3" => b"ID3\x04\0\0\0\0\0\0",
        "ogg" => b"OggS",
        "m4a" => b"\0\0\0\x20ftypM4A ",
        "mp4" => b"\0\0\0\x20ftypisom",
        // EBML header, then its DocType element.
        "webm" => b"\x1a\x45\xdf\xa3\x9f\x42\x82\x84webm",
        "pdf" => b"%PDF-1.7\n",
        _ => return None,
    };
    // WebM's DocType is looked for in a head of more than 256 bytes.
    let size = if extension == "webm" {
        size.max(257)
    } else {
        size.max(head.len())
    };
    let mut body = head.to_vec();
    body.extend((0..size - head.len()).map(|n| (n % 251) as u8));
    Some(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_type_has_a_sample_that_matches() {
        for extension in KNOWN_TYPES {
            let body = sample(extension, 5000).unwrap();
            assert!(matches(extension, &body), "{extension}");
        }
    }

    #[test]
    fn a_file_under_another_types_name_does_not_match() {
        let png = sample("png", 100).unwrap();
        for extension in KNOWN_TYPES.into_iter().filter(|e| *e != "png") {
            assert!(!matches(extension, &png), "a PNG is not a .{extension}");
        }
        let executable = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0";
        for extension in KNOWN_TYPES {
            assert!(!matches(extension, executable), ".{extension}");
        }
        assert!(!matches("zip", b"PK\x03\x04"), "unknown types never match");
    }

    #[test]
    fn text_must_be_utf8_without_control_characters() {
        assert!(matches("txt", "Chào cả lớp\r\n\tbài 1\x0c".as_bytes()));
        assert!(matches("md", "\u{feff}# Tiêu đề\n".as_bytes()));
        assert!(matches("txt", b""));
        assert!(!matches("txt", b"abc\0def"));
        assert!(!matches("txt", b"\x1b[31mred"));
        assert!(!matches("txt", b"caf\xe9"));
        assert!(
            !matches("txt", "chà".as_bytes().split_last().unwrap().1),
            "cut at the end"
        );
    }

    #[test]
    fn text_cut_anywhere_into_chunks_checks_the_same() {
        let text = "Đăng: 🎉 xong bài rồi!\n".repeat(3);
        let bytes = text.as_bytes();
        for cut in 0..bytes.len() {
            for second in cut..bytes.len() {
                let mut check = ContentCheck::new("txt");
                check.feed(&bytes[..cut]);
                check.feed(&bytes[cut..second]);
                check.feed(&bytes[second..]);
                assert!(check.finish(), "cut at {cut} and {second}");
            }
        }
        let mut bad = bytes.to_vec();
        bad[7] = 0xFF;
        for cut in 0..bad.len() {
            let mut check = ContentCheck::new("txt");
            check.feed(&bad[..cut]);
            check.feed(&bad[cut..]);
            assert!(!check.finish(), "cut at {cut}");
        }
    }

    #[test]
    fn mp3_frames_are_checked_in_pairs() {
        // MPEG 1 layer III, 128 kbit/s, 44.1 kHz, no padding: 417 bytes.
        let header = [0xFF, 0xFB, 0x90, 0x00];
        let mut frames = Vec::new();
        for _ in 0..3 {
            frames.extend_from_slice(&header);
            frames.resize(frames.len() + 413, 0);
        }
        assert!(matches("mp3", &frames));
        let mut broken = frames.clone();
        broken[417] = 0x00;
        assert!(
            !matches("mp3", &broken),
            "no second frame where the first ends"
        );
        assert!(matches("mp3", &header), "one frame, cut short");
        assert!(
            !matches("mp3", &[0xFF, 0xFB, 0xF0, 0x00]),
            "bitrate index 15"
        );
        assert!(!matches("mp3", &[0xFF, 0xFD, 0x90, 0x00]), "layer II");
        assert!(matches("mp3", b"ID3\x03\0\0\0\0\0\0"));
        assert!(!matches("mp3", b"ID3\x09\0\0\0\0\0\0"));
    }

    #[test]
    fn signatures_are_checked_whole() {
        assert!(!matches("png", b"\x89PNG"), "half a signature");
        assert!(!matches("gif", b"GIF12a"));
        assert!(!matches("webp", b"XXXX\0\0\0\0WEBP"));
        assert!(!matches("pdf", b"junk %PDF-1.4"));
    }
}
