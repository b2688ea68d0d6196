//! `media-chat-server admin …`: administration on a stopped server's data
//! dir, for when nobody can log in (no administrator yet, a forgotten
//! password). It refuses to touch a data dir a running server holds (see
//! [`DataDirLock`]): the server keeps the accounts in memory and would
//! overwrite what was changed under it.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use media_chat_protocol::rules::{normalize_user_name, user_key};
use thiserror::Error;

use crate::accounts::Accounts;
use crate::audit::AuditLog;
use crate::authority::{Authority, Ban, admins_in};
use crate::config::{HashParams, Limits};
use crate::registration::{Registration, RegistrationMode};
use crate::storage::creds;
use crate::storage::write_atomically;

/// The lock file a running server holds in its data dir.
const LOCK_FILE: &str = "server.lock";

/// Held while a server (or an offline command) uses a data dir.
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    /// Takes the lock of `dir`, or says who has it.
    pub fn take(dir: &Path) -> Result<DataDirLock, OfflineError> {
        std::fs::create_dir_all(dir).map_err(|source| OfflineError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| OfflineError::Io {
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(DataDirLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(OfflineError::InUse(dir.to_path_buf())),
            Err(std::fs::TryLockError::Error(source)) => Err(OfflineError::Io { path, source }),
        }
    }
}

/// What an offline command is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfflineCommand {
    /// List the accounts, marking administrators and banned users.
    Users,
    /// Give a user a new password.
    ResetPassword {
        /// The user.
        user: String,
        /// The new password.
        password: String,
    },
    /// Ban a user server-wide.
    Ban {
        /// The user.
        user: String,
        /// Why.
        reason: String,
    },
    /// Lift a server-wide ban.
    Unban {
        /// The user.
        user: String,
    },
    /// Make invitation codes.
    InviteCodes {
        /// How many.
        count: u32,
    },
    /// Name an administrator (in `admins.txt`).
    AddAdmin {
        /// The user.
        user: String,
    },
    /// Remove an administrator from `admins.txt`.
    RemoveAdmin {
        /// The user.
        user: String,
    },
    /// Print the newest lines of the audit log.
    Audit {
        /// How many.
        lines: usize,
    },
}

/// Why an offline command failed.
#[derive(Debug, Error)]
pub enum OfflineError {
    /// A server runs on the data dir.
    #[error(
        "a server is running on {0}: stop it first (or use the admin commands of a client logged in as an administrator)"
    )]
    InUse(PathBuf),
    /// No such account.
    #[error("no such user: {0}")]
    NoSuchUser(String),
    /// A refusal with a reason (a bad name, an empty password…).
    #[error("{0}")]
    Refused(String),
    /// A file of the data dir could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file at fault.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

/// Runs `command` on the data dir `dir` (the server must be stopped);
/// returns what to print.
pub fn run(dir: &Path, command: OfflineCommand, now: u64) -> Result<String, OfflineError> {
    let _lock = DataDirLock::take(dir)?;
    let at = |name: &str| {
        let path = dir.join(name);
        move |source| OfflineError::Io { path, source }
    };
    let accounts = || {
        Accounts::open(
            &dir.join("creds.txt"),
            HashParams::default(),
            &Limits::default(),
        )
        .map_err(at("creds.txt"))
    };
    let registered = |accounts: &Accounts, user: &str| {
        accounts
            .registered_name(user)
            .ok_or_else(|| OfflineError::NoSuchUser(user.to_owned()))
    };
    let authority = || Authority::open(dir, &[]).map_err(at("bans.txt"));
    let audit = |action: &str, target: &str, detail: &str| {
        if let Ok(log) = AuditLog::open(dir) {
            log.record(now, "(offline admin)", action, target, detail);
        }
    };
    let adds = matches!(command, OfflineCommand::AddAdmin { .. });
    Ok(match command {
        OfflineCommand::Users => {
            let authority = authority()?;
            let admins: Vec<String> = admins_in(dir)
                .map_err(at("admins.txt"))?
                .iter()
                .map(|name| user_key(name))
                .collect();
            let lines = creds::load(&dir.join("creds.txt")).map_err(at("creds.txt"))?;
            let mut out = String::new();
            for line in &lines {
                let Some(name) = line.name() else { continue };
                let key = user_key(name);
                let mut marks = Vec::new();
                if admins.contains(&key) {
                    marks.push("administrator".to_owned());
                }
                if let Some(ban) = authority.ban_of(&key) {
                    marks.push(format!("banned by {}: {}", ban.by, ban.reason));
                }
                if matches!(line, creds::CredsLine::Damaged { .. }) {
                    marks.push("damaged line".to_owned());
                }
                if marks.is_empty() {
                    out.push_str(&format!("{name}\n"));
                } else {
                    out.push_str(&format!("{name} ({})\n", marks.join("; ")));
                }
            }
            out
        }
        OfflineCommand::ResetPassword { user, password } => {
            let accounts = accounts()?;
            let user = registered(&accounts, &user)?;
            match accounts.set_password(&user, &password) {
                Ok(true) => {}
                Ok(false) => return Err(OfflineError::NoSuchUser(user)),
                Err(e) => return Err(OfflineError::Refused(e.to_string())),
            }
            audit("reset-password", &user, "");
            format!("{user}'s password is reset\n")
        }
        OfflineCommand::Ban { user, reason } => {
            let user = registered(&accounts()?, &user)?;
            let banned = authority()?
                .ban(Ban {
                    name: user.clone(),
                    by: "(offline admin)".to_owned(),
                    at: now,
                    reason: reason.clone(),
                })
                .map_err(at("bans.txt"))?;
            if !banned {
                return Err(OfflineError::Refused(format!("{user} is already banned")));
            }
            audit("ban", &user, &reason);
            format!("{user} is banned from the server\n")
        }
        OfflineCommand::Unban { user } => {
            if !authority()?
                .unban(&user_key(&user))
                .map_err(at("bans.txt"))?
            {
                return Err(OfflineError::Refused(format!("{user} is not banned")));
            }
            audit("unban", &user, "");
            format!("{user} may log in again\n")
        }
        OfflineCommand::InviteCodes { count } => {
            let registration =
                Registration::open(dir, RegistrationMode::Invite).map_err(at("invites.txt"))?;
            let mut out = String::new();
            for _ in 0..count.max(1) {
                let code = registration
                    .make_code("(offline admin)", now)
                    .map_err(at("invites.txt"))?;
                out.push_str(&code);
                out.push('\n');
            }
            audit("invite-code", "", &format!("{} codes", count.max(1)));
            out
        }
        OfflineCommand::AddAdmin { user } | OfflineCommand::RemoveAdmin { user } => {
            let add = adds;
            let user = normalize_user_name(&user)
                .map_err(|e| OfflineError::Refused(format!("Invalid user name: {e}")))?;
            let mut admins = admins_in(dir).map_err(at("admins.txt"))?;
            let present = admins.iter().any(|name| user_key(name) == user_key(&user));
            match (add, present) {
                (true, true) => {
                    return Err(OfflineError::Refused(format!(
                        "{user} is already an administrator"
                    )));
                }
                (false, false) => {
                    return Err(OfflineError::Refused(format!(
                        "{user} is not an administrator"
                    )));
                }
                (true, false) => admins.push(user.clone()),
                (false, true) => admins.retain(|name| user_key(name) != user_key(&user)),
            }
            let text: String = admins.iter().map(|name| format!("{name}\n")).collect();
            write_atomically(&dir.join("admins.txt"), text.as_bytes()).map_err(at("admins.txt"))?;
            audit(if add { "add-admin" } else { "remove-admin" }, &user, "");
            if add {
                format!("{user} is an administrator\n")
            } else {
                format!("{user} is no longer an administrator\n")
            }
        }
        OfflineCommand::Audit { lines } => {
            let log = AuditLog::open(dir).map_err(at("audit.log"))?;
            let mut out = String::new();
            for line in log.recent(lines.max(1)).map_err(at("audit.log"))? {
                out.push_str(&line);
                out.push('\n');
            }
            out
        }
    })
}
