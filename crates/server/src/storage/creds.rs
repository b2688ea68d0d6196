//! `creds.txt`: one `name|secret` line per account.
//!
//! A secret is one of:
//! - `$argon2id$…`, a salted argon2id PHC string (every new account);
//! - `sha256+$argon2id$…`, a seed account's unsalted SHA-256 hex digest
//!   wrapped in argon2id, so no unsalted hash stays on disk;
//! - 64 hex digits, the seed's own format, which is only ever read: it is
//!   wrapped at start-up.
//!
//! A line that is none of these is kept verbatim (nothing an administrator
//! wrote is thrown away) and its user cannot log in until it is repaired.
//! Blank lines are dropped.
//!
//! A new account is [`append`]ed: one write and one sync, whatever the size
//! of the file. Changing a line (a hash upgrade) rewrites the whole file
//! atomically ([`render`], then `write_atomically`).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use media_chat_protocol::Sha256Digest;
use media_chat_protocol::rules::{normalize_user_name, user_key};
use tracing::warn;

/// The marker in front of a wrapped seed hash.
const WRAPPED_PREFIX: &str = "sha256+";

/// What `creds.txt` stores for one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Secret {
    /// An argon2id PHC string over the password.
    Argon2(String),
    /// An argon2id PHC string over the lower-case hex SHA-256 of the password.
    WrappedSha256(String),
    /// The seed's unsalted SHA-256, still to be wrapped.
    LegacySha256(Sha256Digest),
}

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CredsLine {
    /// A usable account.
    Account {
        /// The name as registered.
        name: String,
        /// Its stored secret.
        secret: Secret,
    },
    /// A line that could not be read, kept as it was. `name` is the user it
    /// belongs to, when that much could be read.
    Damaged {
        /// The line as it was in the file.
        raw: String,
        /// Its name (NFC), if the name was valid.
        name: Option<String>,
    },
}

impl CredsLine {
    /// The user name this line claims, if any: the name stays taken even
    /// while its line is damaged.
    pub(crate) fn name(&self) -> Option<&str> {
        match self {
            CredsLine::Account { name, .. } => Some(name),
            CredsLine::Damaged { name, .. } => name.as_deref(),
        }
    }

    /// The user key this line claims, if any.
    pub(crate) fn key(&self) -> Option<String> {
        self.name().map(user_key)
    }
}

/// Reads `path`; a missing file is an empty list.
pub(crate) fn load(path: &Path) -> io::Result<Vec<CredsLine>> {
    let text = match fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let lines = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(number, line)| {
            let parsed = parse_line(line);
            if let CredsLine::Damaged { name, .. } = &parsed {
                warn!(
                    line = number + 1,
                    user = name.as_deref().unwrap_or("?"),
                    "creds.txt: malformed line kept as is; that user cannot log in until it is fixed"
                );
            }
            parsed
        })
        .collect();
    Ok(lines)
}

/// Parses one non-blank line.
pub(crate) fn parse_line(line: &str) -> CredsLine {
    let damaged = |name: Option<String>| CredsLine::Damaged {
        raw: line.to_owned(),
        name,
    };
    let Some((name, secret)) = line.split_once('|') else {
        return damaged(None);
    };
    let Ok(name) = normalize_user_name(name) else {
        return damaged(None);
    };
    let secret = secret.trim_end();
    let parsed = if let Some(wrapped) = secret.strip_prefix(WRAPPED_PREFIX) {
        is_argon2_phc(wrapped).then(|| Secret::WrappedSha256(wrapped.to_owned()))
    } else if is_argon2_phc(secret) {
        Some(Secret::Argon2(secret.to_owned()))
    } else {
        Sha256Digest::from_hex(secret).map(Secret::LegacySha256)
    };
    match parsed {
        Some(secret) => CredsLine::Account { name, secret },
        None => damaged(Some(name)),
    }
}

/// Writes the lines back in `creds.txt` form.
pub(crate) fn render(lines: &[CredsLine]) -> String {
    let mut out = String::new();
    for line in lines {
        render_line(line, &mut out);
    }
    out
}

/// Appends `lines` to `path`, creating it if missing, and syncs them: when
/// this returns `Ok`, the accounts survive a crash.
///
/// The file may have been edited by hand and its last line left without a
/// newline: one is written first, so the new line is not glued onto it.
/// If the write or a sync fails, the file is cut back to its old length
/// (as far as the failure allows), so a refused registration does not
/// come back at the next start as an account or as a half line claiming
/// its name. A new file gets the mode (0600 on Unix) `write_atomically`'s
/// temporaries give a rewritten one, and its directory is synced too.
pub(crate) fn append(path: &Path, lines: &[CredsLine]) -> io::Result<()> {
    let (mut file, created) = match open_for_append(path, false) {
        Ok(file) => (file, false),
        Err(e) if e.kind() == io::ErrorKind::NotFound => (open_for_append(path, true)?, true),
        Err(e) => return Err(e),
    };
    let old_len = file.metadata()?.len();
    let mut text = String::new();
    if old_len > 0 && !ends_with_newline(&mut file)? {
        text.push('\n');
    }
    for line in lines {
        render_line(line, &mut text);
    }
    let written = file
        .write_all(text.as_bytes())
        // The data and the new length: all a reader needs.
        .and_then(|()| file.sync_data())
        .and_then(|()| {
            if created {
                super::sync_dir(super::parent_dir(path))
            } else {
                Ok(())
            }
        });
    if let Err(e) = written {
        if let Err(cut) = file.set_len(old_len).and_then(|()| file.sync_data()) {
            warn!(error = %cut, "creds.txt: could not remove a failed append");
        }
        return Err(e);
    }
    Ok(())
}

fn open_for_append(path: &Path, create: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).append(true).create(create);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Whether the last byte of a non-empty `file` is a newline.
fn ends_with_newline(file: &mut File) -> io::Result<bool> {
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// Writes one line in `creds.txt` form, newline included.
fn render_line(line: &CredsLine, out: &mut String) {
    match line {
        CredsLine::Account { name, secret } => {
            out.push_str(name);
            out.push('|');
            match secret {
                Secret::Argon2(phc) => out.push_str(phc),
                Secret::WrappedSha256(phc) => {
                    out.push_str(WRAPPED_PREFIX);
                    out.push_str(phc);
                }
                Secret::LegacySha256(digest) => out.push_str(&digest.to_hex()),
            }
        }
        CredsLine::Damaged { raw, .. } => out.push_str(raw),
    }
    out.push('\n');
}

fn is_argon2_phc(text: &str) -> bool {
    text.starts_with("$argon2") && argon2::password_hash::phc::PasswordHash::new(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The credentials file printed in the seed report, blank line and the
    /// malformed `vinh` line (63 digits) included.
    const SEED: &str = "dat|0ebe2eca800cf7bd9d9d9f9f4aafbc0c77ae155f43bbbeca69cb256a24c7f9bb
vinh|e3b0c44298fc1c149afb4c8996fb92427ae41e4649b934ca495991b7852b855
cuong|5994471abb01112afcc18159f6cc74b4f511b99806da59b3caf5a9c173cacfc5
ton|03ac674216f3e15c761ee1a5e255f067953623c8b388b4459e13f978d7c846f4
join|0ebe2eca800cf7bd9d9d9f9f4aafbc0c77ae155f43bbbeca69cb256a24c7f9bb
minh|be9688998f08509844f215f9397237b2f1147c69989ae9d94e8fd43351a8a60e

hong|0ebe2eca800cf7bd9d9d9f9f4aafbc0c77ae155f43bbbeca69cb256a24c7f9bb
odin|52f3141f5cb06025c96c6794e35f5611a578919d0deb4d934136acaba06d4b82
";

    #[test]
    fn seed_file_loads_with_its_flaws() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds.txt");
        fs::write(&path, SEED).unwrap();
        let lines = load(&path).unwrap();
        assert_eq!(lines.len(), 8, "the blank line is dropped");
        let legacy = lines
            .iter()
            .filter(|l| {
                matches!(
                    l,
                    CredsLine::Account {
                        secret: Secret::LegacySha256(_),
                        ..
                    }
                )
            })
            .count();
        assert_eq!(legacy, 7);
        assert_eq!(
            lines[1],
            CredsLine::Damaged {
                raw: "vinh|e3b0c44298fc1c149afb4c8996fb92427ae41e4649b934ca495991b7852b855".into(),
                name: Some("vinh".into())
            }
        );
    }

    #[test]
    fn render_round_trips() {
        let phc = "$argon2id$v=19$m=256,t=1,p=1$c29tZXNhbHQ$7pCvZkYwO2Ds7TDJE0L2Nw";
        let lines = vec![
            CredsLine::Account {
                name: "Đặng".into(),
                secret: Secret::Argon2(phc.into()),
            },
            CredsLine::Account {
                name: "ton".into(),
                secret: Secret::WrappedSha256(phc.into()),
            },
            CredsLine::Damaged {
                raw: "garbage without separator".into(),
                name: None,
            },
        ];
        let text = render(&lines);
        assert_eq!(
            text,
            format!("Đặng|{phc}\nton|sha256+{phc}\ngarbage without separator\n")
        );
        let parsed: Vec<_> = text.lines().map(parse_line).collect();
        assert_eq!(parsed, lines);
    }

    fn account(name: &str) -> CredsLine {
        CredsLine::Account {
            name: name.into(),
            secret: Secret::Argon2(
                "$argon2id$v=19$m=256,t=1,p=1$c29tZXNhbHQ$7pCvZkYwO2Ds7TDJE0L2Nw".into(),
            ),
        }
    }

    // See: issue 10, "A durable message store".
    #[test]
    fn append_creates_the_file_then_adds_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds.txt");
        append(&path, &[account("an")]).unwrap();
        append(&path, &[account("bình"), account("cường")]).unwrap();
        let lines = load(&path).unwrap();
        assert_eq!(lines, [account("an"), account("bình"), account("cường")]);
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            render(&lines),
            "the same bytes a rewrite writes"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "password hashes are for the owner");
        }
    }

    // See: issue 10, "A durable message store".
    #[test]
    fn append_never_glues_onto_a_last_line_without_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds.txt");
        let edited =
            "x|damaged\r\nvinh|e3b0c44298fc1c149afb4c8996fb92427ae41e4649b934ca495991b7852b855";
        fs::write(&path, edited).unwrap();
        append(&path, &[account("an")]).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("{edited}\n{}", render(&[account("an")])));
        let lines = load(&path).unwrap();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[1].name(), Some("vinh"));
        assert_eq!(lines[2], account("an"));
    }

    #[test]
    fn append_to_a_file_that_cannot_be_written_fails() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds.txt");
        fs::create_dir(&path).unwrap();
        assert!(append(&path, &[account("an")]).is_err());
    }

    #[test]
    fn damaged_lines_are_recognised() {
        for line in [
            "nobar",
            "bad name|$argon2id$x",
            "x|",
            "x|$argon2id$broken",
            "x|sha256+deadbeef",
            "|abc",
        ] {
            assert!(
                matches!(parse_line(line), CredsLine::Damaged { .. }),
                "{line}"
            );
        }
    }
}
