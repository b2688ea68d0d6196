//! Downloaded images as textures: inline thumbnails, and the full-size
//! picture for the viewer. Decoding happens on a worker thread; the UI
//! thread only uploads the finished pixels as a texture.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::thread;

use crossbeam_channel::{Receiver, Sender};
use egui::{ColorImage, TextureHandle, TextureOptions};

/// Longest side of a thumbnail, in pixels.
const MAX_SIDE: u32 = 240;

/// Longest side of a picture in the viewer: larger ones are scaled down,
/// so a huge photo cannot take all the memory.
const MAX_FULL_SIDE: u32 = 4096;

/// Which texture of a picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Size {
    Thumbnail,
    Full,
}

type Decoded = ((PathBuf, Size), Option<ColorImage>);

/// Thumbnails by file path.
pub struct Thumbnails {
    tx: Sender<Decoded>,
    rx: Receiver<Decoded>,
    textures: HashMap<(PathBuf, Size), TextureHandle>,
    pending: HashSet<(PathBuf, Size)>,
    failed: HashSet<(PathBuf, Size)>,
}

impl Default for Thumbnails {
    fn default() -> Self {
        let (tx, rx) = crossbeam_channel::unbounded();
        Thumbnails {
            tx,
            rx,
            textures: HashMap::new(),
            pending: HashSet::new(),
            failed: HashSet::new(),
        }
    }
}

impl Thumbnails {
    /// Starts decoding the thumbnail of `path` in the background.
    pub fn request(&mut self, path: PathBuf, ctx: &egui::Context) {
        self.start((path, Size::Thumbnail), ctx);
    }

    /// Starts decoding `path` at full size (for the viewer).
    pub fn request_full(&mut self, path: PathBuf, ctx: &egui::Context) {
        self.start((path, Size::Full), ctx);
    }

    fn start(&mut self, key: (PathBuf, Size), ctx: &egui::Context) {
        if self.textures.contains_key(&key)
            || self.failed.contains(&key)
            || !self.pending.insert(key.clone())
        {
            return;
        }
        let tx = self.tx.clone();
        let ctx = ctx.clone();
        let spawned = thread::Builder::new()
            .name("thumbnail".into())
            .spawn(move || {
                let side = match key.1 {
                    Size::Thumbnail => MAX_SIDE,
                    Size::Full => MAX_FULL_SIDE,
                };
                let image = decode(&key.0, side);
                let _ = tx.send((key, image));
                ctx.request_repaint();
            });
        if spawned.is_err() {
            tracing::warn!("cannot start a thumbnail thread");
        }
    }

    /// Turns finished decodes into textures.
    pub fn poll(&mut self, ctx: &egui::Context) {
        while let Ok((key, image)) = self.rx.try_recv() {
            if !self.pending.remove(&key) {
                // Forgot while decoding (the cache was cleared).
                continue;
            }
            match image {
                Some(image) => {
                    let name = format!("picture:{:?}:{}", key.1, key.0.display());
                    let texture = ctx.load_texture(name, image, TextureOptions::LINEAR);
                    self.textures.insert(key, texture);
                }
                None => {
                    self.failed.insert(key);
                }
            }
        }
    }

    /// The thumbnail of `path`, once decoded.
    pub fn get(&self, path: &Path) -> Option<&TextureHandle> {
        self.textures.get(&(path.to_path_buf(), Size::Thumbnail))
    }

    /// The full-size picture of `path`, once decoded.
    pub fn get_full(&self, path: &Path) -> Option<&TextureHandle> {
        self.textures.get(&(path.to_path_buf(), Size::Full))
    }

    /// Whether the full-size picture of `path` could not be decoded.
    pub fn full_failed(&self, path: &Path) -> bool {
        self.failed.contains(&(path.to_path_buf(), Size::Full))
    }

    /// Forgets every picture (the files are gone).
    pub fn clear(&mut self) {
        self.textures.clear();
        self.pending.clear();
        self.failed.clear();
    }
}

fn decode(path: &Path, side: u32) -> Option<ColorImage> {
    // By its contents: a cached thumbnail is named by a hash, not `.png`.
    let image = image::ImageReader::open(path)
        .ok()?
        .with_guessed_format()
        .ok()?
        .decode()
        .ok()?;
    let image = if image.width() > side || image.height() > side {
        image.thumbnail(side, side)
    } else {
        image
    };
    let image = image.to_rgba8();
    let size = [image.width() as usize, image.height() as usize];
    Some(ColorImage::from_rgba_unmultiplied(size, image.as_raw()))
}
