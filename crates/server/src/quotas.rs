//! How much room stored files take and may take: each user's files (a file
//! counts once, against its first uploader), all of them, and the free
//! space of the disk holding the data dir ([`FileSpace`]).
//!
//! Usage starts from what the store recorded, and is kept in step with
//! every upload stored and every file deleted, so checking an upload costs
//! a lock and (for the disk) one `statvfs`. An upload reserves its size at
//! its `FILE`/`UPLOAD` line, before its body: two uploads at once cannot
//! both pass a limit only one of them fits, and a refused or failed upload
//! gives its reservation back when dropped.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bytesize::ByteSize;
use media_chat_protocol::ServerMessage;
use media_chat_protocol::rules::user_key;
use media_chat_store::{Store, StoreError};
use parking_lot::Mutex;

use crate::config::FileSpace;

/// The file space of the server, and what uses it.
pub(crate) struct Quotas {
    limits: FileSpace,
    /// The data dir, whose filesystem's free space counts.
    dir: PathBuf,
    usage: Mutex<Usage>,
}

/// Bytes used and reserved.
#[derive(Default)]
struct Usage {
    /// By user key: what their stored files take.
    per_user: HashMap<String, u64>,
    /// What all recorded files take.
    total: u64,
    /// By user key: what their uploads in progress may add.
    reserved: HashMap<String, u64>,
    /// What all uploads in progress may add.
    reserved_total: u64,
}

/// Room set aside for one upload in progress; given back when dropped,
/// unless [`Reservation::settle`]d.
pub(crate) struct Reservation<'a> {
    quotas: &'a Quotas,
    key: String,
    size: u64,
}

impl Quotas {
    /// The limits `limits` for the data dir `dir`, with the usage the store
    /// recorded.
    pub(crate) fn open(limits: FileSpace, dir: &Path, store: &Store) -> Result<Quotas, StoreError> {
        let mut usage = Usage::default();
        for (uploader, bytes) in store.file_usage()? {
            *usage.per_user.entry(user_key(&uploader)).or_default() += bytes;
            usage.total += bytes;
        }
        Ok(Quotas {
            limits,
            dir: dir.to_path_buf(),
            usage: Mutex::new(usage),
        })
    }

    /// Sets `size` bytes aside for an upload by the user with `key`, or the
    /// refusal (saying how much is left) if it would pass a limit.
    pub(crate) fn reserve(&self, key: &str, size: u64) -> Result<Reservation<'_>, String> {
        let free = free_space(&self.dir);
        let mut usage = self.usage.lock();
        if let Some(limit) = self.limits.per_user {
            let left = limit.saturating_sub(usage.of(key));
            if size > left {
                return Err(format!(
                    "Upload refused: over your quota ({} of {} left)",
                    ByteSize(left),
                    ByteSize(limit)
                ));
            }
        }
        if let Some(limit) = self.limits.total {
            let left = limit.saturating_sub(usage.total + usage.reserved_total);
            if size > left {
                return Err(format!(
                    "Upload refused: the server's file space is full ({} left)",
                    ByteSize(left)
                ));
            }
        }
        if let Some(free) = free {
            let left = free
                .saturating_sub(usage.reserved_total)
                .saturating_sub(self.limits.min_free_disk);
            if size > left {
                return Err("Upload refused: the server's disk is nearly full".to_owned());
            }
        }
        *usage.reserved.entry(key.to_owned()).or_default() += size;
        usage.reserved_total += size;
        Ok(Reservation {
            quotas: self,
            key: key.to_owned(),
            size,
        })
    }

    /// A file of `uploader`'s (a registered name; empty for one put there by
    /// hand) of `size` bytes was deleted.
    pub(crate) fn release(&self, uploader: &str, size: u64) {
        if uploader.is_empty() {
            return;
        }
        let mut usage = self.usage.lock();
        let key = user_key(uploader);
        if let Some(used) = usage.per_user.get_mut(&key) {
            *used = used.saturating_sub(size);
        }
        usage.total = usage.total.saturating_sub(size);
    }

    /// `QUOTA|used|limit|left` for the user with `key`: what their files
    /// take, their quota (0: none) and the largest upload the server would
    /// take from them now.
    pub(crate) fn line(&self, key: &str) -> ServerMessage {
        let free = free_space(&self.dir);
        let usage = self.usage.lock();
        let used = usage.per_user.get(key).copied().unwrap_or(0);
        let mut left = u64::MAX;
        if let Some(limit) = self.limits.per_user {
            left = left.min(limit.saturating_sub(usage.of(key)));
        }
        if let Some(limit) = self.limits.total {
            left = left.min(limit.saturating_sub(usage.total + usage.reserved_total));
        }
        if let Some(free) = free {
            let disk = free
                .saturating_sub(usage.reserved_total)
                .saturating_sub(self.limits.min_free_disk);
            left = left.min(disk);
        }
        ServerMessage::Quota {
            used,
            limit: self.limits.per_user.unwrap_or(0),
            left,
        }
    }
}

impl Usage {
    /// What the user with `key` uses and has reserved.
    fn of(&self, key: &str) -> u64 {
        self.per_user.get(key).copied().unwrap_or(0) + self.reserved.get(key).copied().unwrap_or(0)
    }
}

impl Reservation<'_> {
    /// The upload is over: its reservation is given back and, if it was
    /// stored (not found there already), its size counts against its
    /// uploader from now on.
    pub(crate) fn settle(self, stored: bool) {
        if stored {
            let mut usage = self.quotas.usage.lock();
            *usage.per_user.entry(self.key.clone()).or_default() += self.size;
            usage.total += self.size;
        }
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        let mut usage = self.quotas.usage.lock();
        if let Some(reserved) = usage.reserved.get_mut(&self.key) {
            *reserved = reserved.saturating_sub(self.size);
            if *reserved == 0 {
                usage.reserved.remove(&self.key);
            }
        }
        usage.reserved_total = usage.reserved_total.saturating_sub(self.size);
    }
}

/// The bytes an unprivileged process may still write on the filesystem
/// holding `dir`; `None` where that cannot be known (then only the other
/// limits hold).
fn free_space(dir: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        match rustix::fs::statvfs(dir) {
            Ok(stat) => Some(stat.f_bavail.saturating_mul(stat.f_frsize)),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the free disk space");
                None
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quotas(limits: FileSpace) -> (tempfile::TempDir, Quotas) {
        let dir = tempfile::tempdir().unwrap();
        let quotas = Quotas {
            limits,
            dir: dir.path().to_path_buf(),
            usage: Mutex::new(Usage::default()),
        };
        (dir, quotas)
    }

    const MIB: u64 = 1024 * 1024;

    #[test]
    fn reservations_count_until_settled_or_dropped() {
        let (_dir, quotas) = quotas(FileSpace {
            per_user: Some(10 * MIB),
            total: Some(15 * MIB),
            min_free_disk: 0,
        });
        let first = quotas.reserve("an", 6 * MIB).unwrap();
        assert_eq!(
            quotas.reserve("an", 5 * MIB).err().unwrap(),
            "Upload refused: over your quota (4.0 MiB of 10.0 MiB left)"
        );
        first.settle(true);
        let second = quotas.reserve("bình", 8 * MIB).unwrap();
        assert_eq!(
            quotas.reserve("cường", 2 * MIB).err().unwrap(),
            "Upload refused: the server's file space is full (1.0 MiB left)"
        );
        drop(second);
        quotas.reserve("cường", 2 * MIB).unwrap().settle(false);
        assert_eq!(
            quotas.line("an"),
            ServerMessage::Quota {
                used: 6 * MIB,
                limit: 10 * MIB,
                left: 4 * MIB,
            }
        );
        quotas.release("An", 6 * MIB);
        assert!(matches!(
            quotas.line("an"),
            ServerMessage::Quota { used: 0, left, .. } if left == 10 * MIB
        ));
    }

    #[cfg(unix)]
    #[test]
    fn the_disk_keeps_its_margin() {
        let (_dir, quotas) = quotas(FileSpace {
            per_user: None,
            total: None,
            min_free_disk: u64::MAX,
        });
        assert_eq!(
            quotas.reserve("an", 1).err().unwrap(),
            "Upload refused: the server's disk is nearly full"
        );
        assert!(matches!(
            quotas.line("an"),
            ServerMessage::Quota {
                used: 0,
                limit: 0,
                left: 0
            }
        ));
    }
}
