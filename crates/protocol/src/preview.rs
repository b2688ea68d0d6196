//! What the server learnt of a shared file by decoding it (version 3): a
//! picture's size and a thumbnail, a text's first lines, a PDF's page count
//! and title, a sound's duration.
//!
//! On the wire a preview is the tail of a `PREVIEW` line:
//! `PREVIEW|conversation|name|sha256|kind|…` with `kind|…` one of
//! `pending`, `none`, `image|width|height`, `text|lines`,
//! `pdf|pages|title` (the title is the last field) and
//! `audio|duration_ms`. The bytes that go with it (a PNG thumbnail, a
//! text's first lines) come only when a client asks, after
//! `PREVIEW_DATA|conversation|name|size`.

use crate::error::{EncodeError, ParseError};
use crate::fields::{FieldReader, LineWriter};

/// A thumbnail's longer side is at most this many pixels.
pub const THUMBNAIL_MAX: u32 = 320;

/// A text preview holds at most this many of the file's first lines…
pub const TEXT_PREVIEW_LINES: usize = 10;

/// …and at most this many bytes of them.
pub const TEXT_PREVIEW_BYTES: usize = 2048;

/// The most bytes a `PREVIEW_DATA` body holds (a 320 px PNG thumbnail is
/// well under it); a client refuses a larger one.
pub const MAX_PREVIEW_DATA: u64 = 1024 * 1024;

/// A file's preview, as the server made it when the file was shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preview {
    /// `image|width|height`: a picture (jpg, png, gif, webp) of this size;
    /// its data is a PNG thumbnail whose longer side is at most
    /// [`THUMBNAIL_MAX`] pixels (a GIF's first frame).
    Image {
        /// The picture's width in pixels.
        width: u64,
        /// The picture's height in pixels.
        height: u64,
    },
    /// `text|lines`: a text file (txt, md) of this many lines; its data is
    /// the first [`TEXT_PREVIEW_LINES`] of them (at most
    /// [`TEXT_PREVIEW_BYTES`], cut on a character boundary).
    Text {
        /// How many lines the whole file has.
        lines: u64,
    },
    /// `pdf|pages|title`: a PDF of this many pages, with the title its
    /// document information gives (empty if none; the last field). No
    /// data.
    Pdf {
        /// How many pages it has.
        pages: u64,
        /// Its title.
        title: String,
    },
    /// `audio|duration_ms`: a sound (mp3, wav, ogg, m4a) this long. No
    /// data.
    Audio {
        /// Its length in milliseconds.
        duration_ms: u64,
    },
}

/// Where a file's preview stands, as a `PREVIEW` line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreviewStatus {
    /// `pending`: the server is making it; another `PREVIEW` line follows
    /// when it is done.
    Pending,
    /// The preview.
    Ready(Preview),
    /// `none`: the file has no preview (it could not be decoded, or it is
    /// too big to decode safely).
    None,
}

impl Preview {
    /// Whether the data a `PREVIEW_DATA` brings for this preview is a
    /// thumbnail (else it is text, or empty).
    pub fn has_thumbnail(&self) -> bool {
        matches!(self, Preview::Image { .. })
    }
}

impl PreviewStatus {
    /// Reads `kind|…`, the tail of a `PREVIEW` line (or of the server's
    /// record of a preview).
    pub fn parse_fields(f: &mut FieldReader<'_>) -> Result<PreviewStatus, ParseError> {
        let kind = f.next("kind")?;
        let status = match kind {
            "pending" => PreviewStatus::Pending,
            "none" => PreviewStatus::None,
            "image" => PreviewStatus::Ready(Preview::Image {
                width: f.number("width")?,
                height: f.number("height")?,
            }),
            "text" => PreviewStatus::Ready(Preview::Text {
                lines: f.number("lines")?,
            }),
            "pdf" => {
                let pages = f.number("pages")?;
                let title = f.last("title")?.to_owned();
                return Ok(PreviewStatus::Ready(Preview::Pdf { pages, title }));
            }
            "audio" => PreviewStatus::Ready(Preview::Audio {
                duration_ms: f.number("duration_ms")?,
            }),
            _ => {
                return Err(ParseError::BadWord {
                    command: "PREVIEW",
                    field: "kind",
                });
            }
        };
        Ok(status)
    }

    /// `kind|…` alone, as a server keeps it beside the file (read back
    /// with [`PreviewStatus::parse_fields`]); fails for a field the wire
    /// cannot carry (a title holding a newline).
    pub fn record(&self) -> Result<String, EncodeError> {
        let mut out = Vec::new();
        self.encode_fields(LineWriter::new("PREVIEW", &mut out))
            .finish()?;
        let line = String::from_utf8_lossy(&out);
        Ok(line
            .strip_prefix("PREVIEW|")
            .and_then(|rest| rest.strip_suffix('\n'))
            .unwrap_or_default()
            .to_owned())
    }

    /// Writes `kind|…`.
    pub fn encode_fields<'a>(&self, line: LineWriter<'a>) -> LineWriter<'a> {
        match self {
            PreviewStatus::Pending => line.field("kind", "pending"),
            PreviewStatus::None => line.field("kind", "none"),
            PreviewStatus::Ready(Preview::Image { width, height }) => line
                .field("kind", "image")
                .number("width", *width)
                .number("height", *height),
            PreviewStatus::Ready(Preview::Text { lines }) => {
                line.field("kind", "text").number("lines", *lines)
            }
            PreviewStatus::Ready(Preview::Pdf { pages, title }) => line
                .field("kind", "pdf")
                .number("pages", *pages)
                .last("title", title),
            PreviewStatus::Ready(Preview::Audio { duration_ms }) => line
                .field("kind", "audio")
                .number("duration_ms", *duration_ms),
        }
    }
}

/// Whether the server makes previews of files with this extension (lower
/// case, without the dot): pictures, texts, PDFs and sounds; not videos.
pub fn previewable(extension: &str) -> bool {
    matches!(
        extension,
        "jpg"
            | "jpeg"
            | "png"
            | "gif"
            | "webp"
            | "txt"
            | "md"
            | "pdf"
            | "mp3"
            | "wav"
            | "ogg"
            | "m4a"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_the_line_s_tail() {
        let pdf = PreviewStatus::Ready(Preview::Pdf {
            pages: 3,
            title: "a|b".into(),
        });
        assert_eq!(pdf.record().unwrap(), "pdf|3|a|b");
        let read = PreviewStatus::parse_fields(&mut FieldReader::new("PREVIEW", Some("pdf|3|a|b")));
        assert_eq!(read.unwrap(), pdf);
        assert_eq!(PreviewStatus::None.record().unwrap(), "none");
        let bad = PreviewStatus::Ready(Preview::Pdf {
            pages: 1,
            title: "two\nlines".into(),
        });
        assert!(bad.record().is_err());
    }

    #[test]
    fn videos_get_no_preview() {
        assert!(previewable("png"));
        assert!(previewable("m4a"));
        assert!(!previewable("mp4"));
        assert!(!previewable("webm"));
        assert!(!previewable("PNG"), "extensions are compared lower case");
    }
}
