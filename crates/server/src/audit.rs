//! `audit.log`: what moderators and administrators did (removals, bans,
//! password resets, deleted accounts, registration changes), one line
//! each, `time|actor|action|target|detail`, appended and flushed as it
//! happens. Administrators read it back with `AUDIT`.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use parking_lot::Mutex;
use tracing::error;

/// How much of the end of the log `AUDIT` reads.
const TAIL_BYTES: u64 = 256 * 1024;

/// The append side of `audit.log`.
pub(crate) struct AuditLog {
    path: PathBuf,
    file: Mutex<File>,
}

impl AuditLog {
    /// Opens (creating) `audit.log` in `dir`.
    pub(crate) fn open(dir: &Path) -> io::Result<AuditLog> {
        let path = dir.join("audit.log");
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        Ok(AuditLog {
            path,
            file: Mutex::new(file),
        })
    }

    /// Appends one action.
    pub(crate) fn record(&self, now: u64, actor: &str, action: &str, target: &str, detail: &str) {
        let time = humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(now));
        let clean = |field: &str| field.replace(['\n', '\r', '|'], " ");
        let line = format!(
            "{time}|{}|{action}|{}|{}\n",
            clean(actor),
            clean(target),
            clean(detail)
        );
        let written = {
            let mut file = self.file.lock();
            file.write_all(line.as_bytes())
                .and_then(|()| file.sync_data())
        };
        if let Err(e) = written {
            error!(error = %e, "could not write the audit log");
        }
    }

    /// The last `limit` lines, oldest first.
    pub(crate) fn recent(&self, limit: usize) -> io::Result<Vec<String>> {
        let mut file = File::open(&self.path)?;
        let len = file.metadata()?.len();
        let start = len.saturating_sub(TAIL_BYTES);
        file.seek(SeekFrom::Start(start))?;
        let mut text = String::new();
        file.take(TAIL_BYTES).read_to_string(&mut text)?;
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        if start > 0 && !lines.is_empty() {
            // The first line read may be cut.
            lines.remove(0);
        }
        let skip = lines.len().saturating_sub(limit);
        Ok(lines.split_off(skip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_appended_and_read_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::open(dir.path()).unwrap();
        log.record(0, "minh", "ban", "ton", "spam|\nlinks");
        log.record(60, "minh", "reset-password", "an", "");
        assert_eq!(
            log.recent(10).unwrap(),
            [
                "1970-01-01T00:00:00Z|minh|ban|ton|spam  links",
                "1970-01-01T00:01:00Z|minh|reset-password|an|",
            ]
        );
        assert_eq!(log.recent(1).unwrap().len(), 1);
    }
}
