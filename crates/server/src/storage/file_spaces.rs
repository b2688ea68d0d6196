//! Every conversation's files: `#general`'s are `server_files/` (the
//! seed's folder, what version 1 and 2 reach), every other conversation's
//! are a folder of their own under `conversation_files/`, so that names,
//! duplicates and `name (1).ext` numbering never cross from one
//! conversation into another.
//!
//! A conversation's folder is named by a digest of its identity (the room's
//! key, the pair's or the group's user keys): a plain path component
//! whatever the names hold, and nothing of who talks there is readable from
//! a directory listing. It is opened the first time it is asked for, and
//! indexed with what the store recorded for it.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use media_chat_protocol::rules::user_key;
use media_chat_store::{Conversation, Store};
use parking_lot::Mutex;
use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;
use tracing::info;

use super::files::FileStore;
use super::previews::PreviewShelf;

/// The upload stores of every conversation.
pub(crate) struct FileSpaces {
    general: Arc<FileStore>,
    /// `conversation_files/`.
    root: PathBuf,
    /// `.incoming/`, shared by all.
    incoming: PathBuf,
    /// `previews/`.
    previews: PathBuf,
    opened: Mutex<HashMap<String, Arc<FileStore>>>,
}

impl FileSpaces {
    /// Empties `incoming` (uploads cut off by a crash) and opens
    /// `#general`'s store in `general`; the other conversations' stores
    /// live in `root`, opened when first needed; their previews in
    /// `previews`.
    pub(crate) fn open(
        general: &Path,
        root: &Path,
        incoming: &Path,
        previews: &Path,
        store: &Store,
    ) -> io::Result<FileSpaces> {
        for entry in fs::read_dir(incoming)? {
            let entry = entry?;
            info!(file = %entry.path().display(), "removing an unfinished upload");
            fs::remove_file(entry.path())?;
        }
        let general = FileStore::open(general, &known(store, &Conversation::General)?)?;
        Ok(FileSpaces {
            general: Arc::new(general),
            root: root.to_path_buf(),
            incoming: incoming.to_path_buf(),
            previews: previews.to_path_buf(),
            opened: Mutex::new(HashMap::new()),
        })
    }

    /// The files of `conversation`, to upload into: its folder is made if
    /// it has none yet.
    pub(crate) fn for_upload(
        &self,
        conversation: &Conversation,
        store: &Store,
    ) -> io::Result<Arc<FileStore>> {
        match self.store_of(conversation, store, true)? {
            Some(files) => Ok(files),
            None => Err(io::Error::other("a conversation folder was not made")),
        }
    }

    /// The files of `conversation`, to list or download from; `None` if it
    /// never had any (nothing is made on disk for a mere look).
    pub(crate) fn existing(
        &self,
        conversation: &Conversation,
        store: &Store,
    ) -> io::Result<Option<Arc<FileStore>>> {
        self.store_of(conversation, store, false)
    }

    fn store_of(
        &self,
        conversation: &Conversation,
        store: &Store,
        create: bool,
    ) -> io::Result<Option<Arc<FileStore>>> {
        let Some(folder) = folder_name(conversation) else {
            return Ok(Some(self.general.clone()));
        };
        let mut opened = self.opened.lock();
        if let Some(files) = opened.get(&folder) {
            return Ok(Some(files.clone()));
        }
        let dir = self.root.join(&folder);
        // Not followed: a symlink planted here is refused, never written
        // through.
        match fs::symlink_metadata(&dir) {
            Ok(stat) if stat.is_dir() => {}
            Ok(_) => {
                return Err(io::Error::other(format!(
                    "{} is not a plain folder",
                    dir.display()
                )));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound && !create => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir(&dir)?;
                super::sync_dir(&self.root)?;
            }
            Err(e) => return Err(e),
        }
        let files = Arc::new(FileStore::open(&dir, &known(store, conversation)?)?);
        opened.insert(folder, files.clone());
        Ok(Some(files))
    }

    /// Where the previews of `conversation`'s files are kept: the folder
    /// named as its files folder is, `general` for `#general`.
    pub(crate) fn shelf(&self, conversation: &Conversation) -> PreviewShelf {
        let folder = folder_name(conversation).unwrap_or_else(|| "general".to_owned());
        PreviewShelf::new(self.previews.join(folder))
    }

    /// A new temporary file for an upload in progress; deleted when dropped
    /// unless committed into one of the stores.
    pub(crate) fn begin_upload(&self) -> io::Result<NamedTempFile> {
        tempfile::Builder::new()
            .prefix("upload-")
            .tempfile_in(&self.incoming)
    }
}

/// What the store recorded for `conversation`'s files, by name.
fn known(
    store: &Store,
    conversation: &Conversation,
) -> io::Result<HashMap<String, media_chat_store::FileMeta>> {
    Ok(store
        .files(conversation)
        .map_err(io::Error::other)?
        .into_iter()
        .map(|file| (file.name.clone(), file))
        .collect())
}

/// The folder under `conversation_files/` of a conversation other than
/// `#general`: 32 hex digits of the SHA-256 of its identity.
pub(crate) fn folder_name(conversation: &Conversation) -> Option<String> {
    let identity = match conversation {
        Conversation::General => return None,
        Conversation::Room(_) => format!("room:{}", conversation.room_key().unwrap_or_default()),
        Conversation::Direct(pair) => {
            let (a, b) = pair.names();
            format!("direct:{},{}", user_key(a), user_key(b))
        }
        Conversation::Group(members) => format!("group:{}", members.key()),
    };
    let digest = Sha256::digest(identity.as_bytes());
    Some(hex::encode(&digest[..16]))
}

#[cfg(test)]
mod tests {
    use media_chat_store::{Members, Pair};

    use super::*;

    #[test]
    fn every_conversation_has_its_own_plain_folder() {
        let conversations = [
            Conversation::Room("lớp".into()),
            Conversation::Room("lop".into()),
            Conversation::Direct(Pair::new("an", "Bình")),
            Conversation::Group(Members::new(&["an".into(), "Bình".into(), "c".into()])),
        ];
        let folders: Vec<_> = conversations.iter().filter_map(folder_name).collect();
        assert_eq!(folders.len(), 4);
        for (i, folder) in folders.iter().enumerate() {
            assert_eq!(folder.len(), 32);
            assert!(folder.bytes().all(|b| b.is_ascii_hexdigit()));
            assert!(!folders[..i].contains(folder));
        }
        assert_eq!(
            folder_name(&Conversation::Room("LỚP".into())),
            folder_name(&Conversation::Room("lớp".into())),
            "a room's folder follows its key, not its spelling"
        );
        assert_eq!(
            folder_name(&Conversation::Direct(Pair::new("Bình", "an"))),
            folders.get(2).cloned()
        );
        assert_eq!(folder_name(&Conversation::General), None);
    }
}
