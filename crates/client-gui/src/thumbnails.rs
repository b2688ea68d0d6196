//! Downloaded images as textures: inline thumbnails, and the full-size
//! picture for the viewer. Decoding happens on a worker thread; the UI
//! thread only uploads the finished pixels as a texture. A thumbnail not
//! drawn for [`KEEP_FRAMES`] frames (its row scrolled far away) gives its
//! texture back, and is decoded again from its file when drawn again.

use std::cell::RefCell;
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

/// A thumbnail not asked for in this many frames is freed.
pub const KEEP_FRAMES: u64 = 600;

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
    /// Frames seen by [`Thumbnails::poll`].
    frame: u64,
    /// The frame each thumbnail was last asked for in.
    used: RefCell<HashMap<PathBuf, u64>>,
    /// Thumbnails freed, to decode again once asked for.
    freed: HashSet<PathBuf>,
    /// Freed thumbnails asked for since the last poll.
    wanted: RefCell<HashSet<PathBuf>>,
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
            frame: 0,
            used: RefCell::new(HashMap::new()),
            freed: HashSet::new(),
            wanted: RefCell::new(HashSet::new()),
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

    /// Turns finished decodes into textures, frees the thumbnails not
    /// asked for lately and decodes again the freed ones asked for.
    pub fn poll(&mut self, ctx: &egui::Context) {
        self.frame += 1;
        let frame = self.frame;
        let used = self.used.get_mut();
        let stale: Vec<PathBuf> = self
            .textures
            .keys()
            .filter(|(path, size)| {
                *size == Size::Thumbnail
                    && used
                        .get(path)
                        .is_none_or(|at| frame.saturating_sub(*at) > KEEP_FRAMES)
            })
            .map(|(path, _)| path.clone())
            .collect();
        for path in stale {
            self.textures.remove(&(path.clone(), Size::Thumbnail));
            used.remove(&path);
            self.freed.insert(path);
        }
        let wanted = std::mem::take(self.wanted.get_mut());
        for path in wanted {
            if self.freed.remove(&path) {
                self.request(path, ctx);
            }
        }
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
        let path = path.to_path_buf();
        let texture = self.textures.get(&(path.clone(), Size::Thumbnail));
        if texture.is_none() && self.freed.contains(&path) {
            self.wanted.borrow_mut().insert(path.clone());
        }
        self.used.borrow_mut().insert(path, self.frame);
        texture
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
        self.used.get_mut().clear();
        self.freed.clear();
        self.wanted.get_mut().clear();
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

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{KEEP_FRAMES, Thumbnails};

    /// Polls until `done` holds (decoding runs on a thread).
    fn poll_until(
        thumbnails: &mut Thumbnails,
        ctx: &egui::Context,
        done: impl Fn(&Thumbnails) -> bool,
    ) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done(thumbnails) {
            assert!(Instant::now() < deadline, "the decode never came");
            thumbnails.poll(ctx);
            std::thread::yield_now();
        }
    }

    #[test]
    fn a_thumbnail_not_drawn_for_a_while_is_freed_and_comes_back_when_drawn() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ảnh.png");
        image::RgbaImage::from_pixel(8, 6, image::Rgba([200, 30, 30, 255]))
            .save(&path)
            .unwrap();
        let ctx = egui::Context::default();
        let mut thumbnails = Thumbnails::default();
        thumbnails.request(path.clone(), &ctx);
        poll_until(&mut thumbnails, &ctx, |t| t.get(&path).is_some());
        for _ in 0..KEEP_FRAMES / 2 {
            thumbnails.poll(&ctx);
        }
        assert!(thumbnails.get(&path).is_some(), "drawn lately: kept");
        for _ in 0..=KEEP_FRAMES {
            thumbnails.poll(&ctx);
        }
        assert!(thumbnails.textures.is_empty(), "not drawn: freed");
        assert!(thumbnails.get(&path).is_none());
        poll_until(&mut thumbnails, &ctx, |t| t.get(&path).is_some());
    }
}
