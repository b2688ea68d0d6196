//! Who runs the server and who is kept out of it: the administrators
//! (named with `--admin`, or in `admins.txt`, one name per line) and the
//! users banned server-wide (`bans.txt`, `name|by|unix time|reason` per
//! line). Both files are plain text an administrator can read and edit
//! while the server is stopped; the server rewrites `bans.txt` atomically.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

use media_chat_protocol::rules::user_key;
use parking_lot::Mutex;

use crate::storage::write_atomically;

/// A server-wide ban.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ban {
    /// The banned user's name.
    pub(crate) name: String,
    /// Who banned them.
    pub(crate) by: String,
    /// When, in Unix seconds.
    pub(crate) at: u64,
    /// Why, for people.
    pub(crate) reason: String,
}

/// The administrators and the bans.
pub(crate) struct Authority {
    bans_path: PathBuf,
    admins: BTreeSet<String>,
    bans: Mutex<BTreeMap<String, Ban>>,
}

/// The administrators named in `admins.txt` of `dir` (comments after `#`).
pub(crate) fn admins_in(dir: &Path) -> io::Result<Vec<String>> {
    match std::fs::read_to_string(dir.join("admins.txt")) {
        Ok(text) => Ok(text
            .lines()
            .map(|line| line.split('#').next().unwrap_or("").trim().to_owned())
            .filter(|name| !name.is_empty())
            .collect()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

impl Authority {
    /// The administrators of `flags` and of `admins.txt`, and the bans of
    /// `bans.txt`, in `dir`.
    pub(crate) fn open(dir: &Path, flags: &[String]) -> io::Result<Authority> {
        let admins = flags
            .iter()
            .cloned()
            .chain(admins_in(dir)?)
            .map(|name| user_key(&name))
            .collect();
        let bans_path = dir.join("bans.txt");
        let mut bans = BTreeMap::new();
        match std::fs::read_to_string(&bans_path) {
            Ok(text) => {
                for line in text.lines() {
                    let mut fields = line.splitn(4, '|');
                    let (Some(name), Some(by), Some(at)) =
                        (fields.next(), fields.next(), fields.next())
                    else {
                        continue;
                    };
                    bans.insert(
                        user_key(name),
                        Ban {
                            name: name.to_owned(),
                            by: by.to_owned(),
                            at: at.parse().unwrap_or(0),
                            reason: fields.next().unwrap_or("").to_owned(),
                        },
                    );
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        Ok(Authority {
            bans_path,
            admins,
            bans: Mutex::new(bans),
        })
    }

    /// Whether the user with `key` is an administrator.
    pub(crate) fn is_admin(&self, key: &str) -> bool {
        self.admins.contains(key)
    }

    /// The ban of the user with `key`, if any.
    pub(crate) fn ban_of(&self, key: &str) -> Option<Ban> {
        self.bans.lock().get(key).cloned()
    }

    /// Bans `ban.name` (saved before it takes effect); false if they
    /// already were.
    pub(crate) fn ban(&self, ban: Ban) -> io::Result<bool> {
        let mut bans = self.bans.lock();
        let key = user_key(&ban.name);
        if bans.contains_key(&key) {
            return Ok(false);
        }
        let mut next = bans.clone();
        next.insert(key, ban);
        self.save(&next)?;
        *bans = next;
        Ok(true)
    }

    /// Lifts the ban of the user with `key`; false if there was none.
    pub(crate) fn unban(&self, key: &str) -> io::Result<bool> {
        let mut bans = self.bans.lock();
        if !bans.contains_key(key) {
            return Ok(false);
        }
        let mut next = bans.clone();
        next.remove(key);
        self.save(&next)?;
        *bans = next;
        Ok(true)
    }

    fn save(&self, bans: &BTreeMap<String, Ban>) -> io::Result<()> {
        let text: String = bans
            .values()
            .map(|ban| {
                let reason = ban.reason.replace('\n', " ");
                format!("{}|{}|{}|{reason}\n", ban.name, ban.by, ban.at)
            })
            .collect();
        write_atomically(&self.bans_path, text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_come_from_flags_and_the_file_and_bans_persist() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("admins.txt"), "# the teachers\nCô_Lan\n\n").unwrap();
        let authority = Authority::open(dir.path(), &["minh".into()]).unwrap();
        assert!(authority.is_admin("minh"));
        assert!(authority.is_admin(&user_key("cô_lan")));
        assert!(!authority.is_admin("ton"));
        let ban = Ban {
            name: "Ton".into(),
            by: "minh".into(),
            at: 5,
            reason: "spam | links".into(),
        };
        assert!(authority.ban(ban.clone()).unwrap());
        assert!(!authority.ban(ban.clone()).unwrap());
        let reopened = Authority::open(dir.path(), &[]).unwrap();
        assert_eq!(reopened.ban_of("ton"), Some(ban));
        assert!(reopened.unban("ton").unwrap());
        assert_eq!(
            Authority::open(dir.path(), &[]).unwrap().ban_of("ton"),
            None
        );
    }
}
