//! One conversation's stored uploads (`server_files/` for `#general`) and
//! the index the server answers from.
//!
//! Safety rules, all in this file:
//! - a stored name is always a single, already validated path component,
//!   checked on components, never by string prefix;
//! - uploads are written to `.incoming/` (see `file_spaces`), fsynced, then
//!   renamed into place without replacing anything, so a crash never leaves
//!   a partial file under its final name and a name is never silently
//!   overwritten;
//! - symlinks are never followed: they are left out of the index at start-up,
//!   and files are opened with `O_NOFOLLOW`.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use media_chat_protocol::Sha256Digest;
use media_chat_protocol::rules::{MAX_FILE_NAME_BYTES, normalize_file_name};
use media_chat_store::FileMeta;
use parking_lot::{Mutex, MutexGuard};
use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;
use tracing::warn;

use super::sync_dir;

/// Why a stored file cannot be opened.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// No such file in the index, or it is no longer a regular file.
    NotFound,
    /// The file is indexed but could not be read.
    Io(io::Error),
}

/// Most copies of one name (`a (1).png` … ) before uploads are refused.
const MAX_COPIES: u32 = 10_000;

/// One conversation's upload store.
pub(crate) struct FileStore {
    dir: PathBuf,
    index: Mutex<BTreeMap<String, FileMeta>>,
    /// Held from an upload's commit until its share is stored, and by a
    /// delete from its check until the file is gone: a delete never comes
    /// between a commit that found the file already there and its share
    /// (which would share a deleted file).
    announcing: Mutex<()>,
}

impl FileStore {
    /// Opens the store: indexes every regular file in `dir`. `known` holds
    /// what the store recorded for each name; other files are hashed now.
    pub(crate) fn open(dir: &Path, known: &HashMap<String, FileMeta>) -> io::Result<FileStore> {
        let mut index = BTreeMap::new();
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            if let Some(meta) = index_entry(&entry, known)? {
                index.insert(meta.name.clone(), meta);
            }
        }
        Ok(FileStore {
            dir: dir.to_path_buf(),
            index: Mutex::new(index),
            announcing: Mutex::new(()),
        })
    }

    /// Holds off deletes (and other uploads' commits) of this store until
    /// dropped: taken around a commit and its share, and around a delete.
    pub(crate) fn announcing(&self) -> MutexGuard<'_, ()> {
        self.announcing.lock()
    }

    /// Moves a finished, verified and fsynced upload into place under `name`
    /// or, if that name holds different contents, `name (1)`, `name (2)`…
    /// If a file of that name family already holds the same contents,
    /// nothing is stored again and that file is returned. The flag says
    /// whether the upload was stored (false: it was there already).
    pub(crate) fn commit(
        &self,
        upload: NamedTempFile,
        name: &str,
        size: u64,
        sha256: Sha256Digest,
        uploader: &str,
        ts: u64,
    ) -> io::Result<(FileMeta, bool)> {
        let mut index = self.index.lock();
        let mut upload = upload;
        for copy in 0..MAX_COPIES {
            let candidate = numbered(name, copy);
            if candidate.len() > MAX_FILE_NAME_BYTES {
                break;
            }
            if let Some(existing) = index.get(&candidate) {
                if existing.sha256 == sha256 && existing.size == size {
                    return Ok((existing.clone(), false));
                }
                continue;
            }
            let path =
                contained_path(&self.dir, &candidate).ok_or_else(|| invalid_name(&candidate))?;
            match upload.persist_noclobber(&path) {
                Ok(_) => {
                    sync_dir(&self.dir)?;
                    let meta = FileMeta {
                        name: candidate.clone(),
                        size,
                        sha256,
                        uploader: uploader.to_owned(),
                        ts,
                    };
                    index.insert(candidate, meta.clone());
                    return Ok((meta, true));
                }
                // Something not in the index holds the name (a planted
                // symlink, a file added by hand): never replace it.
                Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => upload = e.file,
                Err(e) => return Err(e.error),
            }
        }
        Err(io::Error::other(format!("no free name left for {name:?}")))
    }

    /// Opens a stored file for reading, refusing anything but the regular
    /// file the index describes.
    pub(crate) fn open_file(&self, name: &str) -> Result<(File, FileMeta), OpenError> {
        let meta = self
            .index
            .lock()
            .get(name)
            .cloned()
            .ok_or(OpenError::NotFound)?;
        let path = contained_path(&self.dir, &meta.name).ok_or(OpenError::NotFound)?;
        let file = open_no_follow(&path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => OpenError::NotFound,
            _ if is_symlink_error(&e) => OpenError::NotFound,
            _ => OpenError::Io(e),
        })?;
        let stat = file.metadata().map_err(OpenError::Io)?;
        if !stat.is_file() || stat.len() != meta.size {
            warn!(file = %meta.name, "stored file changed on disk; not serving it");
            return Err(OpenError::NotFound);
        }
        Ok((file, meta))
    }

    /// Takes the file `name` out of the index and moves it to `trash` (a
    /// path in `.incoming/` of the same filesystem, emptied at start-up);
    /// what the index held of it, `None` if it held nothing. A download
    /// already streaming it keeps its open file, whose data the system keeps
    /// while it is open (on Unix). Call with [`FileStore::announcing`] held,
    /// so that nothing takes the name before a [`FileStore::put_back`].
    pub(crate) fn take(&self, name: &str, trash: &Path) -> io::Result<Option<FileMeta>> {
        let mut index = self.index.lock();
        let Some(meta) = index.get(name).cloned() else {
            return Ok(None);
        };
        let path = contained_path(&self.dir, &meta.name).ok_or_else(|| invalid_name(name))?;
        match fs::symlink_metadata(&path) {
            Ok(stat) if stat.is_file() => {
                fs::rename(&path, trash)?;
                sync_dir(&self.dir)?;
            }
            // Something else took its place by hand: left alone.
            Ok(_) => warn!(file = %meta.name, "not removing something that is not a regular file"),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        index.remove(name);
        Ok(Some(meta))
    }

    /// Puts back a file [`FileStore::take`] moved to `trash` (its delete
    /// was refused).
    pub(crate) fn put_back(&self, meta: FileMeta, trash: &Path) -> io::Result<()> {
        let mut index = self.index.lock();
        let path = contained_path(&self.dir, &meta.name).ok_or_else(|| invalid_name(&meta.name))?;
        if trash.exists() {
            fs::rename(trash, &path)?;
            sync_dir(&self.dir)?;
        }
        index.insert(meta.name.clone(), meta);
        Ok(())
    }

    /// Whether another file of the store has the contents `sha256` (their
    /// preview is shared).
    pub(crate) fn holds_contents(&self, sha256: &Sha256Digest) -> bool {
        self.index
            .lock()
            .values()
            .any(|meta| meta.sha256 == *sha256)
    }

    /// What the index holds of the file `name`.
    pub(crate) fn meta(&self, name: &str) -> Option<FileMeta> {
        self.index.lock().get(name).cloned()
    }

    /// Every stored file, sorted by name.
    pub(crate) fn list(&self) -> Vec<FileMeta> {
        self.index.lock().values().cloned().collect()
    }
}

/// `name` for copy 0, else `stem (copy).ext`.
fn numbered(name: &str, copy: u32) -> String {
    if copy == 0 {
        return name.to_owned();
    }
    match name.rsplit_once('.') {
        Some((stem, extension)) => format!("{stem} ({copy}).{extension}"),
        None => format!("{name} ({copy})"),
    }
}

/// `dir/name` if `name` is exactly one normal path component.
fn contained_path(dir: &Path, name: &str) -> Option<PathBuf> {
    let mut components = Path::new(name).components();
    match (components.next(), components.next()) {
        (Some(Component::Normal(part)), None) if part == name => Some(dir.join(part)),
        _ => None,
    }
}

fn invalid_name(name: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a plain file name: {name:?}"),
    )
}

fn index_entry(
    entry: &fs::DirEntry,
    known: &HashMap<String, FileMeta>,
) -> io::Result<Option<FileMeta>> {
    let path = entry.path();
    let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
        warn!(file = %path.display(), "not indexing a file whose name is not UTF-8");
        return Ok(None);
    };
    if normalize_file_name(&name).as_deref() != Ok(name.as_str()) {
        if name != ".gitkeep" {
            warn!(file = %path.display(), "not indexing a file whose name breaks the naming rules");
        }
        return Ok(None);
    }
    let stat = fs::symlink_metadata(&path)?;
    if !stat.is_file() {
        warn!(file = %path.display(), "not indexing something that is not a regular file (symlinks are never served)");
        return Ok(None);
    }
    if let Some(meta) = known.get(&name).filter(|meta| meta.size == stat.len()) {
        return Ok(Some(meta.clone()));
    }
    let (size, sha256) = hash_file(&path)?;
    let ts = stat
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    Ok(Some(FileMeta {
        name,
        size,
        sha256,
        uploader: String::new(),
        ts,
    }))
}

fn hash_file(path: &Path) -> io::Result<(u64, Sha256Digest)> {
    let mut file = open_no_follow(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, Sha256Digest(hasher.finalize().into())))
}

#[cfg(unix)]
fn open_no_follow(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> io::Result<File> {
    if fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(io::Error::new(io::ErrorKind::NotFound, "symlink"));
    }
    OpenOptions::new().read(true).open(path)
}

#[cfg(unix)]
fn is_symlink_error(error: &io::Error) -> bool {
    error.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_symlink_error(_: &io::Error) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    struct Fixture {
        _root: tempfile::TempDir,
        dir: PathBuf,
        incoming: PathBuf,
    }

    fn fixture() -> Fixture {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("server_files");
        let incoming = root.path().join(".incoming");
        fs::create_dir_all(&dir).unwrap();
        fs::create_dir_all(&incoming).unwrap();
        Fixture {
            _root: root,
            dir,
            incoming,
        }
    }

    fn upload(f: &Fixture, store: &FileStore, name: &str, contents: &[u8]) -> FileMeta {
        let mut temp = tempfile::NamedTempFile::new_in(&f.incoming).unwrap();
        temp.write_all(contents).unwrap();
        let sha256 = Sha256Digest(Sha256::digest(contents).into());
        store
            .commit(temp, name, contents.len() as u64, sha256, "ton", 1)
            .unwrap()
            .0
    }

    #[test]
    fn names_collide_into_numbered_copies_and_duplicates_are_not_stored() {
        let f = fixture();
        let store = FileStore::open(&f.dir, &HashMap::new()).unwrap();
        assert_eq!(upload(&f, &store, "ảnh.png", b"one").name, "ảnh.png");
        assert_eq!(upload(&f, &store, "ảnh.png", b"two").name, "ảnh (1).png");
        assert_eq!(upload(&f, &store, "ảnh.png", b"two").name, "ảnh (1).png");
        assert_eq!(upload(&f, &store, "ảnh.png", b"one").name, "ảnh.png");
        assert_eq!(upload(&f, &store, "ảnh.png", b"three").name, "ảnh (2).png");
        assert_eq!(upload(&f, &store, "README", b"x").name, "README");
        assert_eq!(upload(&f, &store, "README", b"y").name, "README (1)");
        assert_eq!(fs::read_dir(&f.dir).unwrap().count(), 5);
        assert_eq!(fs::read_dir(&f.incoming).unwrap().count(), 0);
    }

    #[test]
    fn a_taken_file_leaves_the_index_and_the_folder_and_its_name_is_free_again() {
        let f = fixture();
        let store = FileStore::open(&f.dir, &HashMap::new()).unwrap();
        upload(&f, &store, "ảnh.png", b"one");
        upload(&f, &store, "ảnh.png", b"two");
        let (mut open, _) = store.open_file("ảnh.png").unwrap();
        let trash = f.incoming.join("trash");
        let removed = store.take("ảnh.png", &trash).unwrap().unwrap();
        assert_eq!(removed.name, "ảnh.png");
        assert!(store.take("ảnh.png", &trash).unwrap().is_none());
        assert!(!f.dir.join("ảnh.png").exists());
        store.put_back(removed, &trash).unwrap();
        assert_eq!(fs::read(f.dir.join("ảnh.png")).unwrap(), b"one");
        let removed = store.take("ảnh.png", &trash).unwrap().unwrap();
        fs::remove_file(&trash).unwrap();
        assert!(matches!(
            store.open_file("ảnh.png"),
            Err(OpenError::NotFound)
        ));
        assert!(!store.holds_contents(&removed.sha256));
        // On Unix a file already open keeps its data.
        #[cfg(unix)]
        {
            let mut kept = Vec::new();
            open.read_to_end(&mut kept).unwrap();
            assert_eq!(kept, b"one");
        }
        #[cfg(not(unix))]
        drop(&mut open);
        assert_eq!(upload(&f, &store, "ảnh.png", b"three").name, "ảnh.png");
        assert_eq!(upload(&f, &store, "ảnh.png", b"two").name, "ảnh (1).png");
    }

    #[test]
    fn opening_indexes_files_put_there_by_hand() {
        let f = fixture();
        fs::write(f.dir.join("by hand.txt"), b"hello").unwrap();
        let store = FileStore::open(&f.dir, &HashMap::new()).unwrap();
        let files = store.list();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].name, "by hand.txt");
        assert_eq!(files[0].uploader, "");
        assert_eq!(
            files[0].sha256,
            Sha256Digest(Sha256::digest(b"hello").into())
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_neither_served_nor_written_through() {
        let f = fixture();
        let outside = f.dir.parent().unwrap().join("secret.txt");
        fs::write(&outside, b"secret").unwrap();
        std::os::unix::fs::symlink(&outside, f.dir.join("link.txt")).unwrap();
        let store = FileStore::open(&f.dir, &HashMap::new()).unwrap();
        assert!(store.list().is_empty());
        assert!(matches!(
            store.open_file("link.txt"),
            Err(OpenError::NotFound)
        ));
        let stored = upload(&f, &store, "link.txt", b"mine");
        assert_eq!(stored.name, "link (1).txt");
        assert_eq!(fs::read(&outside).unwrap(), b"secret");
    }

    #[test]
    fn containment_is_checked_on_components() {
        let dir = Path::new("/data/server_files");
        assert!(contained_path(dir, "a.txt").is_some());
        for bad in ["../a.txt", "a/b.txt", "/etc/passwd", ".", "..", ""] {
            assert_eq!(contained_path(dir, bad), None, "{bad}");
        }
    }
}
