//! Pictures (jpg, png, gif, webp): their size, and a PNG thumbnail whose
//! longer side is at most [`THUMBNAIL_MAX`] pixels (a GIF's first frame).
//!
//! The decoder's limits are what keeps a hostile file small: a header may
//! declare any size, so a picture wider or taller than [`MAX_SIDE`], or
//! whose pixels need more than [`MAX_ALLOC`] bytes, is refused before any
//! of it is decoded.

use std::fs::File;
use std::io::{BufReader, Cursor};

use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use media_chat_protocol::Preview;
use media_chat_protocol::preview::THUMBNAIL_MAX;

use super::{Made, PreviewError};

/// The widest (and tallest) picture decoded, in pixels.
pub(crate) const MAX_SIDE: u32 = 12_000;

/// The most bytes the decoder may allocate for one picture.
pub(crate) const MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// The picture's size and its thumbnail.
pub(crate) fn preview(file: File, extension: &str) -> Result<Made, PreviewError> {
    let format = match extension {
        "png" => ImageFormat::Png,
        "jpg" | "jpeg" => ImageFormat::Jpeg,
        "gif" => ImageFormat::Gif,
        "webp" => ImageFormat::WebP,
        _ => return Err(PreviewError::Unsupported),
    };
    let mut reader = ImageReader::with_format(BufReader::new(file), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let picture = reader.decode().map_err(PreviewError::decode)?;
    let (width, height) = (picture.width(), picture.height());
    let thumbnail = if width.max(height) > THUMBNAIL_MAX {
        picture.thumbnail(THUMBNAIL_MAX, THUMBNAIL_MAX)
    } else {
        picture
    };
    // Eight bits a channel: what every front can draw.
    let thumbnail = if thumbnail.color().has_alpha() {
        DynamicImage::ImageRgba8(thumbnail.to_rgba8())
    } else {
        DynamicImage::ImageRgb8(thumbnail.to_rgb8())
    };
    let mut data = Cursor::new(Vec::new());
    thumbnail
        .write_to(&mut data, ImageFormat::Png)
        .map_err(PreviewError::decode)?;
    Ok(Made {
        preview: Preview::Image {
            width: u64::from(width),
            height: u64::from(height),
        },
        data: data.into_inner(),
    })
}
