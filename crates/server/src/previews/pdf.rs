//! PDFs: the page count and the title of the document information
//! dictionary, with lopdf (pure Rust). No thumbnail: rendering a page
//! would need a PDF renderer, which this server does not carry.

use std::fs::File;
use std::io::Read;

use lopdf::{Document, LoadOptions, Object, decode_text_string};
use media_chat_protocol::Preview;

use super::{Made, PreviewError};

/// The most bytes one compressed stream of a PDF may inflate to while it
/// is read (lopdf's own default is 256 MiB): a small file cannot make
/// the server allocate more.
pub(crate) const MAX_INFLATED: usize = 16 * 1024 * 1024;

/// A title is cut to this many characters.
const MAX_TITLE_CHARS: usize = 200;

/// The page count and the title.
pub(crate) fn preview(mut file: File) -> Result<Made, PreviewError> {
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(PreviewError::Io)?;
    let document = Document::load_mem_with_options(
        &bytes,
        LoadOptions::with_max_decompressed_size(MAX_INFLATED),
    )
    .map_err(PreviewError::decode)?;
    let pages = document.get_pages().len() as u64;
    if pages == 0 {
        return Err(PreviewError::Unsupported);
    }
    Ok(Made {
        preview: Preview::Pdf {
            pages,
            title: title(&document),
        },
        data: Vec::new(),
    })
}

/// A PDF text string: UTF-16 with its byte order mark or PDFDocEncoding,
/// as the standard says, but also UTF-8 as many producers write it (read
/// as PDFDocEncoding, "Đề" comes out as mojibake).
fn text_string(object: &Object) -> Option<String> {
    if let Object::String(bytes, _) = object {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let utf16 = bytes.starts_with(b"\xFE\xFF") || bytes.starts_with(b"\xFF\xFE");
        if !utf16
            && !bytes.is_ascii()
            && let Ok(text) = std::str::from_utf8(bytes)
        {
            return Some(text.to_owned());
        }
    }
    decode_text_string(object).ok()
}

/// The document's title, fit for a line: control and bidirectional-text
/// characters dropped, at most [`MAX_TITLE_CHARS`]; empty if it has none.
fn title(document: &Document) -> String {
    let info = match document.trailer.get(b"Info") {
        Ok(Object::Reference(id)) => document.get_dictionary(*id).ok(),
        Ok(Object::Dictionary(info)) => Some(info),
        _ => None,
    };
    let title = info
        .and_then(|info| info.get(b"Title").ok())
        .and_then(|title| match title {
            Object::Reference(id) => document.get_object(*id).ok(),
            title => Some(title),
        })
        .and_then(text_string)
        .unwrap_or_default();
    title
        .chars()
        .filter(|c| !c.is_control() && !media_chat_protocol::rules::is_bidi_control(*c))
        .take(MAX_TITLE_CHARS)
        .collect::<String>()
        .trim()
        .to_owned()
}
