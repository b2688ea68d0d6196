//! Text files (txt, md): how many lines, and the first of them.

use std::fs::File;
use std::io::Read;

use media_chat_protocol::Preview;
use media_chat_protocol::preview::{TEXT_PREVIEW_BYTES, TEXT_PREVIEW_LINES};

use super::{Made, PreviewError};

/// The line count and the first [`TEXT_PREVIEW_LINES`] lines (at most
/// [`TEXT_PREVIEW_BYTES`], cut on a character boundary). The upload was
/// checked to be UTF-8 already; a file that is not any more has none.
pub(crate) fn preview(mut file: File) -> Result<Made, PreviewError> {
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(PreviewError::Io)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| PreviewError::Unsupported)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = text.lines().count() as u64;
    let mut excerpt = String::new();
    for line in text.lines().take(TEXT_PREVIEW_LINES) {
        if !excerpt.is_empty() {
            excerpt.push('\n');
        }
        excerpt.push_str(line);
        if excerpt.len() >= TEXT_PREVIEW_BYTES {
            break;
        }
    }
    if excerpt.len() > TEXT_PREVIEW_BYTES {
        let mut end = TEXT_PREVIEW_BYTES;
        while !excerpt.is_char_boundary(end) {
            end -= 1;
        }
        excerpt.truncate(end);
    }
    Ok(Made {
        preview: Preview::Text { lines },
        data: excerpt.into_bytes(),
    })
}
