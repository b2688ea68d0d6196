//! Logins and registration over `creds.txt`.
//!
//! Password hashing is slow on purpose, so it never runs under the accounts
//! lock, and at most one hash per core runs at a time (a login storm queues
//! instead of exhausting memory: each argon2id hash takes 19 MiB).
//!
//! Disk I/O never runs under the accounts lock either: every DM looks its
//! recipient up there, and every login its account. A registration goes
//! in three steps:
//! 1. *reserve* the name in the table (one short critical section that
//!    checks the key and the look-alikes and inserts, so two registrations
//!    of one name, or of two look-alikes, cannot both pass);
//! 2. *save* it: append its line to `creds.txt` and sync it, under the
//!    writer lock, a lock of its own (see [`Accounts::save`]);
//! 3. *publish* it: move it from the reservations to the accounts, or drop
//!    the reservation if the write failed.
//!
//! Until step 3 the account does not exist for anyone else: a DM to it is
//! to an unknown user, and a login to it (or a look-alike registration)
//! waits for the outcome, which is all it could act on. So `LOGIN_OK` is
//! only ever sent for an account whose line is on disk: a crash never loses
//! an account whose messages survived.
//!
//! A hash upgrade rewrites the whole file atomically, also under the writer
//! lock and not the accounts lock. The writer lock is always taken first
//! (never while holding the accounts lock), and the lines in the table only
//! change under it, so a rewrite cannot lose a line being appended.
//!
//! A new name must not look like an existing one ("аlice" with a Cyrillic
//! "а" next to "alice"): registration checks the names' confusable
//! skeletons (`rules::user_skeletons`) when it reserves. Logging in still
//! goes by the user key alone, and look-alikes already in `creds.txt` keep
//! working.

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use media_chat_protocol::rules::{UserNameError, normalize_user_name, user_key, user_skeletons};
use parking_lot::{Condvar, Mutex};
use sha2::{Digest, Sha256};
use thiserror::Error;
use tracing::{info, warn};

use crate::config::{HashParams, Limits};
use crate::registration::MayRegister;
use crate::storage::creds::{self, CredsLine, Secret};
use crate::storage::write_atomically;
use crate::throttle::FailureLimiter;

/// The longest accepted password, in bytes.
pub(crate) const MAX_PASSWORD_BYTES: usize = 256;

/// Why a login failed. `Display` is the text sent in `ERROR|…`.
#[derive(Debug, Error)]
pub(crate) enum LoginError {
    /// The name breaks the naming rules.
    #[error("Invalid user name: {0}")]
    InvalidName(UserNameError),
    /// A new name that can be mistaken for an existing user's.
    #[error("Invalid user name: too similar to an existing user")]
    LooksLikeExisting,
    /// The password is over [`MAX_PASSWORD_BYTES`].
    #[error("Password is too long (at most {MAX_PASSWORD_BYTES} bytes)")]
    PasswordTooLong,
    /// Registration with an empty password.
    #[error("Password must not be empty")]
    EmptyPassword,
    /// The password does not match.
    #[error("Wrong password")]
    WrongPassword,
    /// An unknown name that may not register (closed, or no valid
    /// invitation code); the text says which.
    #[error("{0}")]
    RegistrationRefused(&'static str),
    /// Too many recent failures for this account or address.
    #[error("Too many attempts, try again in {} s", .0.as_secs().max(1))]
    Throttled(Duration),
    /// The account's line in `creds.txt` could not be read.
    #[error("This account's stored password is damaged; ask the administrator")]
    Damaged,
    /// `creds.txt` could not be written.
    #[error("The server could not save the account; try again later")]
    Storage(#[source] io::Error),
}

/// The accounts table and everything needed to log in against it.
pub(crate) struct Accounts {
    path: PathBuf,
    table: Mutex<Table>,
    /// Signalled whenever reservations are published or dropped, for the
    /// logins and registrations waiting on a reserved name.
    settled: Condvar,
    /// Held for every write of `creds.txt`. Taken before `table`, never
    /// while holding it.
    writer: Mutex<Journal>,
    hasher: Hasher,
    failures: FailureLimiter,
    /// Runs on the writer, before each write to disk: tests pause it there.
    #[cfg(test)]
    before_write: Mutex<Option<WriteHook>>,
}

/// The writer's own state.
#[derive(Default)]
struct Journal {
    /// Outcomes of appends made for others, by reservation ticket, until
    /// their registrants collect them.
    outcomes: HashMap<u64, Result<(), Arc<io::Error>>>,
}

/// A test's code run before each write to disk.
#[cfg(test)]
type WriteHook = Box<dyn FnMut(DiskWrite) + Send>;

/// What the writer is about to do, for [`Accounts::before_write`].
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DiskWrite {
    Append,
    Rewrite,
}

struct Table {
    /// What `creds.txt` holds, in its order (blank lines aside). Changes
    /// only under the writer lock.
    lines: Vec<CredsLine>,
    by_key: HashMap<String, usize>,
    /// Every skeleton of every name in `lines`, to the line of one name
    /// that has it (look-alikes loaded from disk share an entry).
    by_skeleton: HashMap<String, usize>,
    /// Names being registered, by user key: taken, but not accounts yet.
    reserved: HashMap<String, Reservation>,
    next_ticket: u64,
}

/// A registration between reserving its name and publishing its account.
struct Reservation {
    /// Orders reservations, and names this one's outcome in the journal.
    ticket: u64,
    line: CredsLine,
    skeletons: Vec<String>,
    /// Taken by the writer: its line is being written.
    writing: bool,
}

impl Table {
    fn new(lines: Vec<CredsLine>) -> Table {
        let mut table = Table {
            lines: Vec::new(),
            by_key: HashMap::new(),
            by_skeleton: HashMap::new(),
            reserved: HashMap::new(),
            next_ticket: 0,
        };
        for line in lines {
            if let Some(name) = line.name()
                && let Some(other) = table.look_alike(&user_skeletons(name))
                && table.lines[other].key() != line.key()
            {
                warn!(
                    user = %name,
                    like = table.lines[other].name().unwrap_or("?"),
                    "creds.txt holds two names that look alike; both keep working"
                );
            }
            table.lines.push(line);
            table.index_last();
        }
        table
    }

    /// Indexes the last line's key and skeletons. A second line for one key
    /// replaces the first in the key index.
    fn index_last(&mut self) {
        let index = self.lines.len() - 1;
        let Some(name) = self.lines[index].name() else {
            return;
        };
        for skeleton in user_skeletons(name) {
            self.by_skeleton.entry(skeleton).or_insert(index);
        }
        if self.by_key.insert(user_key(name), index).is_some() {
            warn!(user = %name, "creds.txt names this user twice; the last line wins");
        }
    }

    /// The line of an existing name that a name with these skeletons can
    /// be mistaken for.
    fn look_alike(&self, skeletons: &[String]) -> Option<usize> {
        skeletons
            .iter()
            .find_map(|skeleton| self.by_skeleton.get(skeleton).copied())
    }

    /// Whether a name being registered can be mistaken for a name with
    /// these skeletons. Reservations are few (at most the registrations
    /// waiting for the disk), so a scan is enough.
    fn reserved_look_alike(&self, skeletons: &[String]) -> bool {
        self.reserved
            .values()
            .any(|reserved| reserved.skeletons.iter().any(|s| skeletons.contains(s)))
    }

    /// Refuses `name` (with these skeletons) if it can be mistaken for an
    /// existing name.
    fn refuse_look_alike(&self, name: &str, skeletons: &[String]) -> Result<(), LoginError> {
        match self.look_alike(skeletons) {
            None => Ok(()),
            Some(index) => {
                info!(
                    user = %name,
                    like = self.lines[index].name().unwrap_or("?"),
                    "refused a name that looks like an existing user's"
                );
                Err(LoginError::LooksLikeExisting)
            }
        }
    }

    /// The account of `key`; a reserved name is still missing.
    fn found(&self, key: &str) -> Found {
        match self.by_key.get(key).map(|&i| &self.lines[i]) {
            None => Found::Missing,
            Some(CredsLine::Damaged { .. }) => Found::Damaged,
            Some(CredsLine::Account { name, secret }) => Found::Account {
                name: name.clone(),
                secret: secret.clone(),
            },
        }
    }

    /// Takes every reservation not yet being written, in ticket order.
    fn take_unwritten(&mut self) -> Vec<(String, u64, CredsLine)> {
        let mut batch: Vec<_> = self
            .reserved
            .iter_mut()
            .filter(|(_, reserved)| !reserved.writing)
            .map(|(key, reserved)| {
                reserved.writing = true;
                (key.clone(), reserved.ticket, reserved.line.clone())
            })
            .collect();
        batch.sort_by_key(|(_, ticket, _)| *ticket);
        batch
    }
}

enum Found {
    Missing,
    Damaged,
    Account { name: String, secret: Secret },
}

impl Accounts {
    /// Loads `path`, wrapping every seed SHA-256 line in argon2id and
    /// rewriting the file so no unsalted hash stays on disk.
    pub(crate) fn open(path: &Path, params: HashParams, limits: &Limits) -> io::Result<Accounts> {
        let hasher = Hasher::new(params)?;
        let mut lines = creds::load(path)?;
        let mut wrapped = 0;
        for line in &mut lines {
            if let CredsLine::Account { secret, name } = line
                && let Secret::LegacySha256(digest) = secret
            {
                let phc = hasher.hash(digest.to_hex().as_bytes())?;
                *secret = Secret::WrappedSha256(phc);
                wrapped += 1;
                info!(user = %name, "wrapped a seed SHA-256 password hash in argon2id");
            }
        }
        if wrapped > 0 {
            write_atomically(path, creds::render(&lines).as_bytes())?;
        }
        Ok(Accounts {
            path: path.to_path_buf(),
            table: Mutex::new(Table::new(lines)),
            settled: Condvar::new(),
            writer: Mutex::new(Journal::default()),
            hasher,
            failures: FailureLimiter::new(
                limits.login_failure_window,
                limits.login_failures_per_account,
                limits.login_failures_per_ip,
            ),
            #[cfg(test)]
            before_write: Mutex::new(None),
        })
    }

    /// Logs `name` in from `ip`, registering it if it is new and `permit`
    /// allows (a code it holds is used up only if the account is saved).
    /// Returns the name as registered.
    pub(crate) fn login(
        &self,
        name: &str,
        password: &str,
        ip: IpAddr,
        permit: MayRegister<'_>,
    ) -> Result<String, LoginError> {
        let name = normalize_user_name(name).map_err(LoginError::InvalidName)?;
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(LoginError::PasswordTooLong);
        }
        let key = user_key(&name);
        self.failures
            .check(&key, ip, Instant::now())
            .map_err(LoginError::Throttled)?;
        loop {
            match self.find(&key) {
                Found::Damaged => return Err(LoginError::Damaged),
                Found::Account { name, secret } => {
                    return self.verify(&key, name, secret, password, ip);
                }
                Found::Missing => {
                    if let MayRegister::Refused(why) = &permit {
                        return Err(LoginError::RegistrationRefused(why));
                    }
                    if let Some(name) = self.register(&key, &name, password)? {
                        if let MayRegister::Code(held) = permit
                            && let Err(e) = held.use_up(&name)
                        {
                            warn!(user = %name, error = %e, "could not save that an invitation code was used");
                        }
                        return Ok(name);
                    }
                    // Someone registered the name meanwhile: log in to it.
                }
            }
        }
    }

    /// The registered form of `name`, if such a user exists. A name still
    /// being registered does not: this never waits for the disk.
    pub(crate) fn registered_name(&self, name: &str) -> Option<String> {
        let key = user_key(&normalize_user_name(name).ok()?);
        match self.table.lock().found(&key) {
            Found::Account { name, .. } => Some(name),
            Found::Missing | Found::Damaged => None,
        }
    }

    /// How many accounts there are (the members of `#general`).
    pub(crate) fn count(&self) -> usize {
        self.table.lock().by_key.len()
    }

    /// A page of every account's name in user-key order, after the key
    /// `after` (empty: from the start), and whether more follow: the
    /// members of `#general`.
    pub(crate) fn names_after(&self, after: &str, limit: usize) -> (Vec<String>, bool) {
        let table = self.table.lock();
        let mut names: Vec<(String, &str)> = table
            .lines
            .iter()
            .filter_map(|line| match line {
                CredsLine::Account { name, .. } => Some((user_key(name), name.as_str())),
                CredsLine::Damaged { .. } => None,
            })
            .filter(|(key, _)| key.as_str() > after)
            .collect();
        names.sort_unstable();
        let more = names.len() > limit;
        let page = names
            .into_iter()
            .take(limit)
            .map(|(_, name)| name.to_owned())
            .collect();
        (page, more)
    }

    /// Whether `password` is the account `name`'s (costs a hash).
    pub(crate) fn check_password(&self, name: &str, password: &str) -> bool {
        match self.find(&user_key(name)) {
            Found::Account { secret, .. } => self.hasher.verify(&secret, password),
            Found::Missing | Found::Damaged => false,
        }
    }

    /// Gives the account `name` a new password (hashed, then the file
    /// rewritten atomically off the table lock). False if there is no such
    /// account.
    pub(crate) fn set_password(&self, name: &str, password: &str) -> Result<bool, LoginError> {
        if password.is_empty() {
            return Err(LoginError::EmptyPassword);
        }
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(LoginError::PasswordTooLong);
        }
        let phc = self
            .hasher
            .hash(password.as_bytes())
            .map_err(LoginError::Storage)?;
        self.rewrite(&user_key(name), |lines, index| {
            if let CredsLine::Account { secret, .. } = &mut lines[index] {
                *secret = Secret::Argon2(phc);
            }
        })
        .map_err(LoginError::Storage)
    }

    /// Deletes the account `name` (its messages stay). False if there is
    /// no such account.
    pub(crate) fn delete(&self, name: &str) -> io::Result<bool> {
        self.rewrite(&user_key(name), |lines, index| {
            lines.remove(index);
        })
    }

    /// Changes the line of `key` with `edit` and rewrites the file, under
    /// the writer lock (so no append is lost), then the table. False if
    /// there is no such account.
    fn rewrite(
        &self,
        key: &str,
        edit: impl FnOnce(&mut Vec<CredsLine>, usize),
    ) -> io::Result<bool> {
        let _writer = self.writer.lock();
        let mut lines = {
            let table = self.table.lock();
            let Some(&index) = table.by_key.get(key) else {
                return Ok(false);
            };
            if !matches!(table.lines[index], CredsLine::Account { .. }) {
                return Ok(false);
            }
            let mut lines = table.lines.clone();
            edit(&mut lines, index);
            lines
        };
        write_atomically(&self.path, creds::render(&lines).as_bytes())?;
        let mut table = self.table.lock();
        let (reserved, next_ticket) = (std::mem::take(&mut table.reserved), table.next_ticket);
        *table = Table::new(std::mem::take(&mut lines));
        table.reserved = reserved;
        table.next_ticket = next_ticket;
        Ok(true)
    }

    /// The account of `key`, for a login. If the name is being registered,
    /// waits until it is saved (an account, maybe this login's) or the
    /// save failed (missing).
    fn find(&self, key: &str) -> Found {
        let mut table = self.table.lock();
        while !table.by_key.contains_key(key) && table.reserved.contains_key(key) {
            self.settled.wait(&mut table);
        }
        table.found(key)
    }

    /// Creates the account; `None` if the name was taken while hashing.
    fn register(
        &self,
        key: &str,
        name: &str,
        password: &str,
    ) -> Result<Option<String>, LoginError> {
        let skeletons = user_skeletons(name);
        // Checked before hashing too, so a refused name costs no hash.
        self.table.lock().refuse_look_alike(name, &skeletons)?;
        if password.is_empty() {
            return Err(LoginError::EmptyPassword);
        }
        let phc = self
            .hasher
            .hash(password.as_bytes())
            .map_err(LoginError::Storage)?;
        let line = CredsLine::Account {
            name: name.to_owned(),
            secret: Secret::Argon2(phc),
        };
        let Some(ticket) = self.reserve(key, name, skeletons, line)? else {
            return Ok(None);
        };
        self.save(ticket).map_err(LoginError::Storage)?;
        info!(user = %name, "registered a new account");
        Ok(Some(name.to_owned()))
    }

    /// Reserves `key` for `line`, unless the name was registered while
    /// hashing (`None`) or looks like a name that was.
    ///
    /// If the name, or a look-alike, is reserved by another registration,
    /// waits for its outcome: refusing now could point at an account that
    /// its failed save never creates.
    fn reserve(
        &self,
        key: &str,
        name: &str,
        skeletons: Vec<String>,
        line: CredsLine,
    ) -> Result<Option<u64>, LoginError> {
        let mut table = self.table.lock();
        loop {
            if table.by_key.contains_key(key) {
                return Ok(None);
            }
            table.refuse_look_alike(name, &skeletons)?;
            if !table.reserved.contains_key(key) && !table.reserved_look_alike(&skeletons) {
                break;
            }
            self.settled.wait(&mut table);
        }
        let ticket = table.next_ticket;
        table.next_ticket += 1;
        let reservation = Reservation {
            ticket,
            line,
            skeletons,
            writing: false,
        };
        table.reserved.insert(key.to_owned(), reservation);
        Ok(Some(ticket))
    }

    /// Appends the reservation `ticket`'s line to `creds.txt`, syncs it and
    /// publishes the account; on failure drops the reservation.
    ///
    /// Group commit: whoever holds the writer lock writes every reservation
    /// waiting for it in one append and one sync, and leaves their outcomes
    /// in the journal. A registrant that gets the lock after that finds its
    /// outcome there and touches no disk. So a storm of registrations costs
    /// a sync per batch, not per account, and a reservation never waits
    /// for more than the write in progress and its own.
    fn save(&self, ticket: u64) -> io::Result<()> {
        let mut journal = self.writer.lock();
        if let Some(outcome) = journal.outcomes.remove(&ticket) {
            return outcome.map_err(unshare);
        }
        // This reservation is in the batch: a writer that took it would
        // have settled it before letting go of the lock.
        let batch = self.table.lock().take_unwritten();
        let lines: Vec<CredsLine> = batch.iter().map(|(_, _, line)| line.clone()).collect();
        #[cfg(test)]
        self.before_write(DiskWrite::Append);
        let outcome = creds::append(&self.path, &lines).map_err(Arc::new);
        let mut table = self.table.lock();
        for (key, other, _) in &batch {
            let Some(reserved) = table.reserved.remove(key) else {
                continue;
            };
            if outcome.is_ok() {
                table.lines.push(reserved.line);
                table.index_last();
            }
            if *other != ticket {
                journal.outcomes.insert(*other, outcome.clone());
            }
        }
        drop(table);
        self.settled.notify_all();
        outcome.map_err(unshare)
    }

    #[cfg(test)]
    fn before_write(&self, what: DiskWrite) {
        if let Some(hook) = self.before_write.lock().as_mut() {
            hook(what);
        }
    }

    fn verify(
        &self,
        key: &str,
        name: String,
        secret: Secret,
        password: &str,
        ip: IpAddr,
    ) -> Result<String, LoginError> {
        if !self.hasher.verify(&secret, password) {
            self.failures.record_failure(key, ip, Instant::now());
            return Err(LoginError::WrongPassword);
        }
        if self.hasher.needs_rehash(&secret) {
            self.upgrade(key, &secret, password);
        }
        Ok(name)
    }

    /// Replaces a wrapped or outdated hash with a direct one at current
    /// cost. A failure only means the upgrade waits for the next login.
    ///
    /// The file is rewritten from a copy of the lines taken under the
    /// writer lock, which also holds back appends (and so any change to
    /// the lines) until the rename: no line is lost, and logins meanwhile
    /// check the old hash, which is as good.
    fn upgrade(&self, key: &str, old: &Secret, password: &str) {
        let phc = match self.hasher.hash(password.as_bytes()) {
            Ok(phc) => phc,
            Err(e) => {
                warn!(user = %key, error = %e, "could not rehash a password");
                return;
            }
        };
        let _writer = self.writer.lock();
        let (index, mut lines) = {
            let table = self.table.lock();
            let Some(&index) = table.by_key.get(key) else {
                return;
            };
            match &table.lines[index] {
                CredsLine::Account { secret, .. } if secret == old => {}
                _ => return,
            }
            (index, table.lines.clone())
        };
        if let CredsLine::Account { secret, .. } = &mut lines[index] {
            *secret = Secret::Argon2(phc);
        }
        #[cfg(test)]
        self.before_write(DiskWrite::Rewrite);
        if let Err(e) = write_atomically(&self.path, creds::render(&lines).as_bytes()) {
            warn!(user = %key, error = %e, "could not save an upgraded password hash");
            return;
        }
        let mut table = self.table.lock();
        let upgraded = lines.swap_remove(index);
        table.lines[index] = upgraded;
        info!(user = %key, "upgraded a password hash");
    }
}

/// An error kept in the journal, for one of the registrants it concerns.
fn unshare(error: Arc<io::Error>) -> io::Error {
    io::Error::new(error.kind(), error)
}

/// Argon2id with the configured cost, run at most once per core at a time.
struct Hasher {
    argon2: Argon2<'static>,
    current_prefix: String,
    permits: Mutex<usize>,
    released: Condvar,
}

impl Hasher {
    fn new(params: HashParams) -> io::Result<Self> {
        let argon2_params = Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            None,
        )
        .map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("argon2 parameters: {e}"),
            )
        })?;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Hasher {
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, argon2_params),
            current_prefix: format!(
                "$argon2id$v=19$m={},t={},p={}$",
                params.memory_kib, params.iterations, params.parallelism
            ),
            permits: Mutex::new(cores),
            released: Condvar::new(),
        })
    }

    fn hash(&self, secret: &[u8]) -> io::Result<String> {
        let _permit = self.permit();
        self.argon2
            .hash_password(secret)
            .map(|hash| hash.to_string())
            .map_err(|e| io::Error::other(format!("argon2: {e}")))
    }

    fn verify(&self, stored: &Secret, password: &str) -> bool {
        let (phc, input) = match stored {
            Secret::Argon2(phc) => (phc, password.as_bytes().to_vec()),
            Secret::WrappedSha256(phc) => (
                phc,
                hex::encode(Sha256::digest(password.as_bytes())).into_bytes(),
            ),
            Secret::LegacySha256(_) => return false,
        };
        let _permit = self.permit();
        self.argon2.verify_password(&input, phc.as_str()).is_ok()
    }

    fn needs_rehash(&self, stored: &Secret) -> bool {
        match stored {
            Secret::Argon2(phc) => !phc.starts_with(&self.current_prefix),
            Secret::WrappedSha256(_) | Secret::LegacySha256(_) => true,
        }
    }

    fn permit(&self) -> Permit<'_> {
        let mut permits = self.permits.lock();
        while *permits == 0 {
            self.released.wait(&mut permits);
        }
        *permits -= 1;
        Permit { hasher: self }
    }
}

struct Permit<'a> {
    hasher: &'a Hasher,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.hasher.permits.lock() += 1;
        self.hasher.released.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::fs;
    use std::sync::{Barrier, mpsc};
    use std::thread;

    use super::*;

    const FAST: HashParams = HashParams {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    fn ip() -> IpAddr {
        "10.0.0.1".parse().unwrap()
    }

    /// The SHA-256 of "1234", a seed-format password hash.
    const SEED_HASH_1234: &str = "03ac674216f3e15c761ee1a5e255f067953623c8b388b4459e13f978d7c846f4";

    fn open(dir: &Path) -> Accounts {
        Accounts::open(&dir.join("creds.txt"), FAST, &Limits::default()).unwrap()
    }

    /// The names in `creds.txt`, in file order.
    fn names_on_disk(dir: &Path) -> Vec<String> {
        let text = fs::read_to_string(dir.join("creds.txt")).unwrap();
        assert!(text.is_empty() || text.ends_with('\n'), "{text:?}");
        text.lines()
            .map(|line| match creds::parse_line(line) {
                CredsLine::Account { name, .. } => name,
                CredsLine::Damaged { .. } => panic!("a damaged line: {line:?}"),
            })
            .collect()
    }

    /// Writes to disk stopped on the writer: each one reports what it is
    /// about to do on `entered`, then waits for a message on `release`.
    struct Paused {
        entered: mpsc::Receiver<DiskWrite>,
        release: mpsc::Sender<()>,
    }

    impl Paused {
        /// Lets the stopped write and every later one go on.
        fn release_all(self) {}
    }

    /// Stops every write of `accounts` before it touches the disk.
    fn pause_writes(accounts: &Accounts) -> Paused {
        let (entered_tx, entered) = mpsc::channel();
        let (release, release_rx) = mpsc::channel();
        *accounts.before_write.lock() = Some(Box::new(move |what| {
            let _ = entered_tx.send(what);
            let _ = release_rx.recv();
        }));
        Paused { entered, release }
    }

    // See: issue 10, "A durable message store".
    #[test]
    fn a_registration_saving_to_disk_blocks_no_one() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = open(dir.path());
        accounts
            .login("alice", "pw", ip(), MayRegister::Open)
            .unwrap();
        thread::scope(|scope| {
            // Made in here, so a failing assertion releases the writer.
            let paused = pause_writes(&accounts);
            let bob = scope.spawn(|| accounts.login("bob", "pw", ip(), MayRegister::Open));
            assert_eq!(paused.entered.recv().unwrap(), DiskWrite::Append);
            // Bob's line is about to be written and synced, and meanwhile:
            assert!(
                accounts.table.try_lock().is_some(),
                "the accounts lock is held during the disk write"
            );
            assert_eq!(accounts.registered_name("ALICE").as_deref(), Some("alice"));
            assert_eq!(
                accounts
                    .login("alice", "pw", ip(), MayRegister::Open)
                    .unwrap(),
                "alice"
            );
            assert!(matches!(
                accounts.login("alice", "nope", ip(), MayRegister::Open),
                Err(LoginError::WrongPassword)
            ));
            // Bob is nobody yet: no DM to him, not on disk.
            assert_eq!(accounts.registered_name("bob"), None);
            assert_eq!(names_on_disk(dir.path()), ["alice"]);
            // Logins to his name wait for his line, then go to his account.
            let same = scope.spawn(|| accounts.login("BOB", "pw", ip(), MayRegister::Open));
            let wrong = scope.spawn(|| accounts.login("bob", "other", ip(), MayRegister::Open));
            let look_alike =
                scope.spawn(|| accounts.login("b\u{043E}b", "pw", ip(), MayRegister::Open));
            paused.release.send(()).unwrap();
            assert_eq!(bob.join().unwrap().unwrap(), "bob");
            assert_eq!(names_on_disk(dir.path()), ["alice", "bob"]);
            paused.release_all();
            assert_eq!(same.join().unwrap().unwrap(), "bob");
            assert!(matches!(
                wrong.join().unwrap(),
                Err(LoginError::WrongPassword)
            ));
            assert!(matches!(
                look_alike.join().unwrap(),
                Err(LoginError::LooksLikeExisting)
            ));
        });
        assert_eq!(accounts.registered_name("Bob").as_deref(), Some("bob"));
        assert_eq!(names_on_disk(dir.path()), ["alice", "bob"]);
    }

    // See: issue 10, "A durable message store".
    #[test]
    fn an_upgrade_rewrite_blocks_no_one_and_loses_no_line() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("creds.txt"),
            format!("ton|{SEED_HASH_1234}\n"),
        )
        .unwrap();
        let accounts = open(dir.path());
        accounts
            .login("alice", "pw", ip(), MayRegister::Open)
            .unwrap();
        thread::scope(|scope| {
            let paused = pause_writes(&accounts);
            // Ton's wrapped seed hash is replaced at his login.
            let ton = scope.spawn(|| accounts.login("ton", "1234", ip(), MayRegister::Open));
            assert_eq!(paused.entered.recv().unwrap(), DiskWrite::Rewrite);
            assert!(
                accounts.table.try_lock().is_some(),
                "the accounts lock is held during the rewrite"
            );
            assert_eq!(accounts.registered_name("ton").as_deref(), Some("ton"));
            assert_eq!(
                accounts
                    .login("alice", "pw", ip(), MayRegister::Open)
                    .unwrap(),
                "alice"
            );
            // A registration now is appended after the rewrite, not lost in it.
            let newbie = scope.spawn(|| accounts.login("newbie", "pw", ip(), MayRegister::Open));
            paused.release_all();
            assert_eq!(ton.join().unwrap().unwrap(), "ton");
            assert_eq!(newbie.join().unwrap().unwrap(), "newbie");
        });
        assert_eq!(names_on_disk(dir.path()), ["ton", "alice", "newbie"]);
        let creds = fs::read_to_string(dir.path().join("creds.txt")).unwrap();
        assert!(
            creds.starts_with("ton|$argon2id$v=19$m=64,t=1,p=1$"),
            "{creds}"
        );
        let reopened = open(dir.path());
        for (name, password) in [("ton", "1234"), ("alice", "pw"), ("newbie", "pw")] {
            assert_eq!(
                reopened
                    .login(name, password, ip(), MayRegister::Open)
                    .unwrap(),
                name
            );
        }
    }

    // See: issue 10, "A durable message store".
    #[test]
    fn a_failed_save_releases_the_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds.txt");
        let accounts = open(dir.path());
        accounts
            .login("alice", "pw", ip(), MayRegister::Open)
            .unwrap();
        // Nothing can be written at a directory.
        fs::remove_file(&path).unwrap();
        fs::create_dir(&path).unwrap();
        let error = accounts
            .login("bob", "pw", ip(), MayRegister::Open)
            .unwrap_err();
        assert!(matches!(error, LoginError::Storage(_)), "{error:?}");
        assert_eq!(
            error.to_string(),
            "The server could not save the account; try again later"
        );
        assert_eq!(accounts.registered_name("bob"), None);
        assert_eq!(
            accounts
                .login("alice", "pw", ip(), MayRegister::Open)
                .unwrap(),
            "alice"
        );
        fs::remove_dir(&path).unwrap();
        // The name is free again, for a look-alike too.
        assert_eq!(
            accounts
                .login("b\u{043E}b", "two", ip(), MayRegister::Open)
                .unwrap(),
            "b\u{043E}b"
        );
        assert!(matches!(
            accounts.login("bob", "pw", ip(), MayRegister::Open),
            Err(LoginError::LooksLikeExisting)
        ));
        let names = names_on_disk(dir.path());
        assert!(names.contains(&"b\u{043E}b".to_owned()), "{names:?}");
        assert!(!names.contains(&"bob".to_owned()), "{names:?}");
    }

    // See: issue 10, "A durable message store".
    #[test]
    fn registrations_at_once_each_land_on_disk_once() {
        const THREADS: usize = 12;
        const EACH: usize = 8;
        let dir = tempfile::tempdir().unwrap();
        let accounts = open(dir.path());
        let barrier = Barrier::new(2 * THREADS);
        thread::scope(|scope| {
            for t in 0..THREADS {
                let (accounts, barrier) = (&accounts, &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    for i in 0..EACH {
                        let name = format!("user{t}x{i}");
                        assert_eq!(
                            accounts
                                .login(&name, "pw", ip(), MayRegister::Open)
                                .unwrap(),
                            name
                        );
                        // Saved before it is returned. (Only this line is
                        // checked: others may be half written right now.)
                        let creds = fs::read_to_string(&accounts.path).unwrap();
                        let line = format!("{name}|$argon2id$");
                        assert!(creds.lines().any(|l| l.starts_with(&line)), "{name}");
                    }
                });
                // Everyone at once on one name: one account, the rest log in.
                scope.spawn(move || {
                    barrier.wait();
                    assert_eq!(
                        accounts
                            .login("Same", "pw", ip(), MayRegister::Open)
                            .unwrap(),
                        "Same"
                    );
                });
            }
        });
        let names = names_on_disk(dir.path());
        let distinct: HashSet<&String> = names.iter().collect();
        assert_eq!(names.len(), THREADS * EACH + 1, "{names:?}");
        assert_eq!(distinct.len(), names.len(), "a name twice: {names:?}");
        let reopened = open(dir.path());
        for name in &names {
            assert_eq!(
                reopened.login(name, "pw", ip(), MayRegister::Open).unwrap(),
                *name
            );
        }
    }

    // See: issue 10, "A durable message store".
    #[test]
    fn upgrades_racing_registrations_lose_no_line() {
        const SEEDS: usize = 16;
        let dir = tempfile::tempdir().unwrap();
        let seed: String = (0..SEEDS)
            .map(|i| format!("seed{i}|{SEED_HASH_1234}\n"))
            .collect();
        fs::write(dir.path().join("creds.txt"), seed).unwrap();
        let accounts = open(dir.path());
        let barrier = Barrier::new(2 * SEEDS);
        thread::scope(|scope| {
            for i in 0..SEEDS {
                let (accounts, barrier) = (&accounts, &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    let name = format!("seed{i}");
                    assert_eq!(
                        accounts
                            .login(&name, "1234", ip(), MayRegister::Open)
                            .unwrap(),
                        name
                    );
                });
                scope.spawn(move || {
                    barrier.wait();
                    let name = format!("new{i}");
                    assert_eq!(
                        accounts
                            .login(&name, "pw", ip(), MayRegister::Open)
                            .unwrap(),
                        name
                    );
                });
            }
        });
        let names = names_on_disk(dir.path());
        assert_eq!(names.len(), 2 * SEEDS, "{names:?}");
        let creds = fs::read_to_string(dir.path().join("creds.txt")).unwrap();
        for line in creds.lines() {
            assert!(line.contains("|$argon2id$v=19$m=64,t=1,p=1$"), "{line}");
        }
        let reopened = open(dir.path());
        for i in 0..SEEDS {
            let (seed, new) = (format!("seed{i}"), format!("new{i}"));
            assert_eq!(
                reopened
                    .login(&seed, "1234", ip(), MayRegister::Open)
                    .unwrap(),
                seed
            );
            assert_eq!(
                reopened.login(&new, "pw", ip(), MayRegister::Open).unwrap(),
                new
            );
        }
    }

    #[test]
    fn register_then_log_in_ignoring_case() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = open(dir.path());
        assert_eq!(
            accounts
                .login("Đặng", "pw", ip(), MayRegister::Open)
                .unwrap(),
            "Đặng"
        );
        assert_eq!(
            accounts
                .login("đẶNG", "pw", ip(), MayRegister::Open)
                .unwrap(),
            "Đặng"
        );
        assert!(matches!(
            accounts.login("Đặng", "nope", ip(), MayRegister::Open),
            Err(LoginError::WrongPassword)
        ));
        assert_eq!(accounts.registered_name("ĐẶNG").as_deref(), Some("Đặng"));
        let reopened = open(dir.path());
        assert_eq!(
            reopened
                .login("Đặng", "pw", ip(), MayRegister::Open)
                .unwrap(),
            "Đặng"
        );
    }

    #[test]
    fn seed_hashes_are_wrapped_then_upgraded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds.txt");
        fs::write(
            &path,
            "ton|03ac674216f3e15c761ee1a5e255f067953623c8b388b4459e13f978d7c846f4\n\nvinh|e3b0c44298fc1c149afb4c8996fb92427ae41e4649b934ca495991b7852b855\n",
        )
        .unwrap();
        let accounts = open(dir.path());
        let on_disk = fs::read_to_string(&path).unwrap();
        assert!(on_disk.starts_with("ton|sha256+$argon2id$"), "{on_disk}");
        assert!(!on_disk.contains("03ac6742"));
        assert!(
            on_disk.contains("vinh|e3b0c"),
            "damaged lines are kept: {on_disk}"
        );
        assert!(matches!(
            accounts.login("ton", "wrong", ip(), MayRegister::Open),
            Err(LoginError::WrongPassword)
        ));
        assert_eq!(
            accounts
                .login("ton", "1234", ip(), MayRegister::Open)
                .unwrap(),
            "ton"
        );
        let on_disk = fs::read_to_string(&path).unwrap();
        assert!(
            on_disk.starts_with("ton|$argon2id$v=19$m=64,t=1,p=1$"),
            "{on_disk}"
        );
        assert_eq!(
            accounts
                .login("ton", "1234", ip(), MayRegister::Open)
                .unwrap(),
            "ton"
        );
        assert!(matches!(
            accounts.login("vinh", "", ip(), MayRegister::Open),
            Err(LoginError::Damaged)
        ));
    }

    #[test]
    fn refusals_say_why() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = open(dir.path());
        assert!(matches!(
            accounts.login("a b", "x", ip(), MayRegister::Open),
            Err(LoginError::InvalidName(_))
        ));
        assert!(matches!(
            accounts.login("a", &"x".repeat(257), ip(), MayRegister::Open),
            Err(LoginError::PasswordTooLong)
        ));
        assert!(matches!(
            accounts.login("a", "", ip(), MayRegister::Open),
            Err(LoginError::EmptyPassword)
        ));
        assert!(matches!(
            accounts.login("new", "x", ip(), MayRegister::Refused("closed")),
            Err(LoginError::RegistrationRefused("closed"))
        ));
    }

    // See: issue 9, "Names people can mistake".
    #[test]
    fn look_alikes_are_refused_and_the_refusal_costs_no_account() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = open(dir.path());
        accounts
            .login("alice", "pw", ip(), MayRegister::Open)
            .unwrap();
        for name in ["\u{0430}lice", "ａｌｉｃｅ", "aIice"] {
            let error = accounts
                .login(name, "pw", ip(), MayRegister::Open)
                .unwrap_err();
            assert!(matches!(error, LoginError::LooksLikeExisting), "{name}");
            assert_eq!(
                error.to_string(),
                "Invalid user name: too similar to an existing user"
            );
            assert_eq!(accounts.registered_name(name), None);
        }
        // The name comes before the password.
        assert!(matches!(
            accounts.login("\u{0430}lice", "", ip(), MayRegister::Open),
            Err(LoginError::LooksLikeExisting)
        ));
        let reopened = open(dir.path());
        assert!(matches!(
            reopened.login("al\u{0456}ce", "pw", ip(), MayRegister::Open),
            Err(LoginError::LooksLikeExisting)
        ));
        let creds = fs::read_to_string(dir.path().join("creds.txt")).unwrap();
        assert_eq!(creds.lines().count(), 1, "{creds}");
    }

    // See: issue 9, "Names people can mistake".
    #[test]
    fn look_alikes_registering_at_once_cannot_both_pass() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = open(dir.path());
        for round in 0..20 {
            let names = [format!("bob{round}"), format!("b\u{043E}b{round}")];
            let barrier = std::sync::Barrier::new(2);
            let results: Vec<_> = std::thread::scope(|scope| {
                let threads: Vec<_> = names
                    .iter()
                    .map(|name| {
                        let (accounts, barrier) = (&accounts, &barrier);
                        scope.spawn(move || {
                            barrier.wait();
                            accounts.login(name, "pw", ip(), MayRegister::Open)
                        })
                    })
                    .collect();
                threads.into_iter().map(|t| t.join().unwrap()).collect()
            });
            let passed = results.iter().filter(|r| r.is_ok()).count();
            let refused = results
                .iter()
                .filter(|r| matches!(r, Err(LoginError::LooksLikeExisting)))
                .count();
            assert_eq!((passed, refused), (1, 1), "{names:?}: {results:?}");
        }
    }

    // See: issue 9, "Names people can mistake".
    #[test]
    fn look_alikes_already_on_disk_keep_working() {
        let dir = tempfile::tempdir().unwrap();
        let digest = "03ac674216f3e15c761ee1a5e255f067953623c8b388b4459e13f978d7c846f4";
        fs::write(
            dir.path().join("creds.txt"),
            format!("alice|{digest}\n\u{0430}lice|{digest}\nvinh|damaged\n"),
        )
        .unwrap();
        let accounts = open(dir.path());
        assert_eq!(
            accounts
                .login("alice", "1234", ip(), MayRegister::Open)
                .unwrap(),
            "alice"
        );
        assert_eq!(
            accounts
                .login("\u{0430}lice", "1234", ip(), MayRegister::Open)
                .unwrap(),
            "\u{0430}lice"
        );
        // A damaged line's name is taken, look-alikes of it too.
        assert!(matches!(
            accounts.login("vinh", "x", ip(), MayRegister::Open),
            Err(LoginError::Damaged)
        ));
        assert!(matches!(
            accounts.login("v\u{0456}nh", "x", ip(), MayRegister::Open),
            Err(LoginError::LooksLikeExisting)
        ));
    }

    #[test]
    fn repeated_failures_are_throttled() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = open(dir.path());
        accounts
            .login("minh", "right", ip(), MayRegister::Open)
            .unwrap();
        for _ in 0..Limits::default().login_failures_per_account {
            assert!(matches!(
                accounts.login("minh", "wrong", ip(), MayRegister::Open),
                Err(LoginError::WrongPassword)
            ));
        }
        let error = accounts
            .login("minh", "right", ip(), MayRegister::Open)
            .unwrap_err();
        assert!(matches!(error, LoginError::Throttled(_)));
        assert!(
            error
                .to_string()
                .starts_with("Too many attempts, try again in ")
        );
    }
}
