//! Inline thumbnails of downloaded images. Decoding happens on a worker
//! thread; the UI thread only uploads the finished pixels as a texture.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::thread;

use crossbeam_channel::{Receiver, Sender};
use egui::{ColorImage, TextureHandle, TextureOptions};

/// Longest side of a thumbnail, in pixels.
const MAX_SIDE: u32 = 240;

type Decoded = (PathBuf, Option<ColorImage>);

/// Thumbnails by file path.
pub struct Thumbnails {
    tx: Sender<Decoded>,
    rx: Receiver<Decoded>,
    textures: HashMap<PathBuf, TextureHandle>,
    pending: HashSet<PathBuf>,
    failed: HashSet<PathBuf>,
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
    /// Starts decoding `path` in the background.
    pub fn request(&mut self, path: PathBuf, ctx: &egui::Context) {
        if self.textures.contains_key(&path)
            || self.failed.contains(&path)
            || !self.pending.insert(path.clone())
        {
            return;
        }
        let tx = self.tx.clone();
        let ctx = ctx.clone();
        let spawned = thread::Builder::new()
            .name("thumbnail".into())
            .spawn(move || {
                let image = decode(&path);
                let _ = tx.send((path, image));
                ctx.request_repaint();
            });
        if spawned.is_err() {
            tracing::warn!("cannot start a thumbnail thread");
        }
    }

    /// Turns finished decodes into textures.
    pub fn poll(&mut self, ctx: &egui::Context) {
        while let Ok((path, image)) = self.rx.try_recv() {
            self.pending.remove(&path);
            match image {
                Some(image) => {
                    let name = format!("thumbnail:{}", path.display());
                    let texture = ctx.load_texture(name, image, TextureOptions::LINEAR);
                    self.textures.insert(path, texture);
                }
                None => {
                    self.failed.insert(path);
                }
            }
        }
    }

    /// The thumbnail of `path`, once decoded.
    pub fn get(&self, path: &Path) -> Option<&TextureHandle> {
        self.textures.get(path)
    }
}

fn decode(path: &Path) -> Option<ColorImage> {
    let image = image::open(path)
        .ok()?
        .thumbnail(MAX_SIDE, MAX_SIDE)
        .to_rgba8();
    let size = [image.width() as usize, image.height() as usize];
    Some(ColorImage::from_rgba_unmultiplied(size, image.as_raw()))
}
