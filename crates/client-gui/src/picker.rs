//! The system file dialog for Send File, run off the UI thread (a dialog
//! blocks its thread while open). Where no dialog exists (no desktop portal
//! or zenity), rfd answers "nothing picked" at once; the app then offers a
//! path field instead.

use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;

/// An answer faster than this means no dialog was shown at all.
const NO_DIALOG: Duration = Duration::from_millis(400);

/// How a pick ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picked {
    /// The user chose this file.
    File(PathBuf),
    /// The user closed the dialog.
    Cancelled,
    /// There is no file dialog on this system.
    Unavailable,
}

/// A file dialog that may be open.
#[derive(Default)]
pub struct Picker {
    open: Option<(Receiver<Option<PathBuf>>, Instant)>,
}

impl Picker {
    /// Opens the dialog; `wake` is called when it closes.
    pub fn open(&mut self, wake: impl Fn() + Send + 'static) {
        if self.open.is_some() {
            return;
        }
        let (tx, rx) = crossbeam_channel::bounded(1);
        let spawned = thread::Builder::new()
            .name("file-dialog".into())
            .spawn(move || {
                let picked = rfd::FileDialog::new().set_title("Send File").pick_file();
                let _ = tx.send(picked);
                wake();
            });
        if spawned.is_ok() {
            self.open = Some((rx, Instant::now()));
        }
    }

    /// The outcome, once the dialog has closed.
    pub fn poll(&mut self) -> Option<Picked> {
        let (rx, opened) = self.open.as_ref()?;
        let picked = rx.try_recv().ok()?;
        let quick = opened.elapsed() < NO_DIALOG;
        self.open = None;
        Some(match picked {
            Some(path) => Picked::File(path),
            None if quick => Picked::Unavailable,
            None => Picked::Cancelled,
        })
    }
}
