//! Small, real media files made in the tests, for the server's previews:
//! pictures encoded with the `image` crate, sounds and PDFs written by
//! hand with a known length and page count, and a decompression bomb.

use std::io::Cursor;

use image::{DynamicImage, Rgb, RgbImage};

/// The picture formats [`picture`] writes.
pub use image::ImageFormat;

/// A `width`×`height` picture in `format` (PNG, JPEG, GIF, WebP): a
/// gradient, so the encoders have something to do.
pub fn picture(format: ImageFormat, width: u32, height: u32) -> Vec<u8> {
    let pixels = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(pixels)
        .write_to(&mut out, format)
        .expect("the image crate encodes its own pictures");
    out.into_inner()
}

/// A PNG whose header declares `width`×`height` pixels (100000×100000:
/// 40 GB decoded) with next to no data behind it: a decompression bomb
/// by its header alone.
pub fn bomb_png(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA, no interlace
    chunk(&mut png, b"IHDR", &header);
    // A zlib stream of one stored, empty, final block.
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x01, 0x01, 0x00, 0x00, 0xff, 0xff, 0, 0, 0, 1],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = png.len();
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let crc = crc32(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
}

/// CRC-32 (ISO-HDLC), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A WAV of `millis` milliseconds of silence: 8 kHz, mono, 16-bit PCM.
pub fn wav(millis: u32) -> Vec<u8> {
    let rate = 8000u32;
    let data_len = rate * millis / 1000 * 2;
    let mut wav = b"RIFF".to_vec();
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&rate.to_le_bytes());
    wav.extend_from_slice(&(rate * 2).to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    wav.resize(wav.len() + data_len as usize, 0);
    wav
}

/// An MP3 of `frames` silent MPEG-1 layer III frames (128 kbit/s, 44.1
/// kHz, mono, 417 bytes each): `frames` × 1152 / 44100 seconds.
pub fn mp3(frames: usize) -> Vec<u8> {
    let mut mp3 = Vec::with_capacity(frames * 417);
    for _ in 0..frames {
        let start = mp3.len();
        mp3.extend_from_slice(&[0xff, 0xfb, 0x90, 0xc4]);
        mp3.resize(start + 417, 0);
    }
    mp3
}

/// The length of [`mp3`]'s `frames` in milliseconds.
pub fn mp3_millis(frames: usize) -> u64 {
    (frames as u64 * 1152 * 1000) / 44100
}

/// A valid PDF of `pages` empty pages whose document information gives
/// `title` (written as UTF-8, as many producers do; no parentheses or
/// backslashes).
pub fn pdf(pages: usize, title: &str) -> Vec<u8> {
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} >>",
            (0..pages)
                .map(|i| format!("{} 0 R", i + 4))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        format!("<< /Title ({title}) /Producer (media-chat tests) >>"),
    ];
    for _ in 0..pages {
        objects.push("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_owned());
    }
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 3 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}
