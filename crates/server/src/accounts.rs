//! Logins and registration over `creds.txt`.
//!
//! Password hashing is slow on purpose, so it never runs under the accounts
//! lock, and at most one hash per core runs at a time (a login storm queues
//! instead of exhausting memory: each argon2id hash takes 19 MiB). The file
//! is rewritten atomically under the lock whenever an account is added or
//! its hash upgraded.
//!
//! A new name must not look like an existing one ("аlice" with a Cyrillic
//! "а" next to "alice"): registration checks the names' confusable
//! skeletons (`rules::user_skeletons`) under the same lock that inserts, so
//! two look-alikes registering at once cannot both pass. Logging in still
//! goes by the user key alone, and look-alikes already in `creds.txt` keep
//! working.

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use media_chat_protocol::rules::{UserNameError, normalize_user_name, user_key, user_skeletons};
use parking_lot::{Condvar, Mutex};
use sha2::{Digest, Sha256};
use thiserror::Error;
use tracing::{info, warn};

use crate::config::{HashParams, Limits};
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
    /// An unknown name while registration is off.
    #[error("Unknown user and registration is closed")]
    RegistrationClosed,
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
    hasher: Hasher,
    failures: FailureLimiter,
    allow_registration: bool,
}

struct Table {
    lines: Vec<CredsLine>,
    by_key: HashMap<String, usize>,
    /// Every skeleton of every name in `lines`, to the line of one name
    /// that has it (look-alikes loaded from disk share an entry).
    by_skeleton: HashMap<String, usize>,
}

impl Table {
    fn new(lines: Vec<CredsLine>) -> Table {
        let mut table = Table {
            lines: Vec::new(),
            by_key: HashMap::new(),
            by_skeleton: HashMap::new(),
        };
        for line in lines {
            if let Some(name) = line.name()
                && let Some(other) = table.look_alike(name)
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

    /// The line of an existing name that `name` can be mistaken for.
    fn look_alike(&self, name: &str) -> Option<usize> {
        user_skeletons(name)
            .iter()
            .find_map(|skeleton| self.by_skeleton.get(skeleton).copied())
    }

    /// Refuses `name` if it can be mistaken for an existing name.
    fn refuse_look_alike(&self, name: &str) -> Result<(), LoginError> {
        match self.look_alike(name) {
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
}

enum Found {
    Missing,
    Damaged,
    Account { name: String, secret: Secret },
}

impl Accounts {
    /// Loads `path`, wrapping every seed SHA-256 line in argon2id and
    /// rewriting the file so no unsalted hash stays on disk.
    pub(crate) fn open(
        path: &Path,
        params: HashParams,
        limits: &Limits,
        allow_registration: bool,
    ) -> io::Result<Accounts> {
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
            hasher,
            failures: FailureLimiter::new(
                limits.login_failure_window,
                limits.login_failures_per_account,
                limits.login_failures_per_ip,
            ),
            allow_registration,
        })
    }

    /// Logs `name` in from `ip`, registering it if it is new and
    /// registration is on. Returns the name as registered.
    pub(crate) fn login(
        &self,
        name: &str,
        password: &str,
        ip: IpAddr,
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
                    if let Some(name) = self.register(&key, &name, password)? {
                        return Ok(name);
                    }
                    // Someone registered the name meanwhile: log in to it.
                }
            }
        }
    }

    /// The registered form of `name`, if such a user exists.
    pub(crate) fn registered_name(&self, name: &str) -> Option<String> {
        let key = user_key(&normalize_user_name(name).ok()?);
        match self.find(&key) {
            Found::Account { name, .. } => Some(name),
            Found::Missing | Found::Damaged => None,
        }
    }

    fn find(&self, key: &str) -> Found {
        let table = self.table.lock();
        match table.by_key.get(key).map(|&i| &table.lines[i]) {
            None => Found::Missing,
            Some(CredsLine::Damaged { .. }) => Found::Damaged,
            Some(CredsLine::Account { name, secret }) => Found::Account {
                name: name.clone(),
                secret: secret.clone(),
            },
        }
    }

    /// Creates the account; `None` if the name was taken while hashing.
    fn register(
        &self,
        key: &str,
        name: &str,
        password: &str,
    ) -> Result<Option<String>, LoginError> {
        if !self.allow_registration {
            return Err(LoginError::RegistrationClosed);
        }
        // Checked before hashing too, so a refused name costs no hash.
        self.table.lock().refuse_look_alike(name)?;
        if password.is_empty() {
            return Err(LoginError::EmptyPassword);
        }
        let phc = self
            .hasher
            .hash(password.as_bytes())
            .map_err(LoginError::Storage)?;
        let mut table = self.table.lock();
        if table.by_key.contains_key(key) {
            return Ok(None);
        }
        // Again under the lock that inserts: a look-alike may have been
        // registered while this one was hashing.
        table.refuse_look_alike(name)?;
        table.lines.push(CredsLine::Account {
            name: name.to_owned(),
            secret: Secret::Argon2(phc),
        });
        if let Err(e) = write_atomically(&self.path, creds::render(&table.lines).as_bytes()) {
            table.lines.pop();
            return Err(LoginError::Storage(e));
        }
        table.index_last();
        info!(user = %name, "registered a new account");
        Ok(Some(name.to_owned()))
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
    fn upgrade(&self, key: &str, old: &Secret, password: &str) {
        let phc = match self.hasher.hash(password.as_bytes()) {
            Ok(phc) => phc,
            Err(e) => {
                warn!(user = %key, error = %e, "could not rehash a password");
                return;
            }
        };
        let mut table = self.table.lock();
        let Some(&index) = table.by_key.get(key) else {
            return;
        };
        let CredsLine::Account { secret, .. } = &mut table.lines[index] else {
            return;
        };
        if secret != old {
            return;
        }
        let previous = std::mem::replace(secret, Secret::Argon2(phc));
        if let Err(e) = write_atomically(&self.path, creds::render(&table.lines).as_bytes()) {
            warn!(user = %key, error = %e, "could not save an upgraded password hash");
            if let CredsLine::Account { secret, .. } = &mut table.lines[index] {
                *secret = previous;
            }
        } else {
            info!(user = %key, "upgraded a password hash");
        }
    }
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
    use std::fs;

    use super::*;

    const FAST: HashParams = HashParams {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    fn ip() -> IpAddr {
        "10.0.0.1".parse().unwrap()
    }

    fn open(dir: &Path) -> Accounts {
        Accounts::open(&dir.join("creds.txt"), FAST, &Limits::default(), true).unwrap()
    }

    #[test]
    fn register_then_log_in_ignoring_case() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = open(dir.path());
        assert_eq!(accounts.login("Đặng", "pw", ip()).unwrap(), "Đặng");
        assert_eq!(accounts.login("đẶNG", "pw", ip()).unwrap(), "Đặng");
        assert!(matches!(
            accounts.login("Đặng", "nope", ip()),
            Err(LoginError::WrongPassword)
        ));
        assert_eq!(accounts.registered_name("ĐẶNG").as_deref(), Some("Đặng"));
        let reopened = open(dir.path());
        assert_eq!(reopened.login("Đặng", "pw", ip()).unwrap(), "Đặng");
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
            accounts.login("ton", "wrong", ip()),
            Err(LoginError::WrongPassword)
        ));
        assert_eq!(accounts.login("ton", "1234", ip()).unwrap(), "ton");
        let on_disk = fs::read_to_string(&path).unwrap();
        assert!(
            on_disk.starts_with("ton|$argon2id$v=19$m=64,t=1,p=1$"),
            "{on_disk}"
        );
        assert_eq!(accounts.login("ton", "1234", ip()).unwrap(), "ton");
        assert!(matches!(
            accounts.login("vinh", "", ip()),
            Err(LoginError::Damaged)
        ));
    }

    #[test]
    fn refusals_say_why() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = open(dir.path());
        assert!(matches!(
            accounts.login("a b", "x", ip()),
            Err(LoginError::InvalidName(_))
        ));
        assert!(matches!(
            accounts.login("a", &"x".repeat(257), ip()),
            Err(LoginError::PasswordTooLong)
        ));
        assert!(matches!(
            accounts.login("a", "", ip()),
            Err(LoginError::EmptyPassword)
        ));
        let closed = Accounts::open(
            &dir.path().join("other.txt"),
            FAST,
            &Limits::default(),
            false,
        )
        .unwrap();
        assert!(matches!(
            closed.login("a", "x", ip()),
            Err(LoginError::RegistrationClosed)
        ));
    }

    // See: issue 9, "Names people can mistake".
    #[test]
    fn look_alikes_are_refused_and_the_refusal_costs_no_account() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = open(dir.path());
        accounts.login("alice", "pw", ip()).unwrap();
        for name in ["\u{0430}lice", "ａｌｉｃｅ", "aIice"] {
            let error = accounts.login(name, "pw", ip()).unwrap_err();
            assert!(matches!(error, LoginError::LooksLikeExisting), "{name}");
            assert_eq!(
                error.to_string(),
                "Invalid user name: too similar to an existing user"
            );
            assert_eq!(accounts.registered_name(name), None);
        }
        // The name comes before the password.
        assert!(matches!(
            accounts.login("\u{0430}lice", "", ip()),
            Err(LoginError::LooksLikeExisting)
        ));
        let reopened = open(dir.path());
        assert!(matches!(
            reopened.login("al\u{0456}ce", "pw", ip()),
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
                            accounts.login(name, "pw", ip())
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
        assert_eq!(accounts.login("alice", "1234", ip()).unwrap(), "alice");
        assert_eq!(
            accounts.login("\u{0430}lice", "1234", ip()).unwrap(),
            "\u{0430}lice"
        );
        // A damaged line's name is taken, look-alikes of it too.
        assert!(matches!(
            accounts.login("vinh", "x", ip()),
            Err(LoginError::Damaged)
        ));
        assert!(matches!(
            accounts.login("v\u{0456}nh", "x", ip()),
            Err(LoginError::LooksLikeExisting)
        ));
    }

    #[test]
    fn repeated_failures_are_throttled() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = open(dir.path());
        accounts.login("minh", "right", ip()).unwrap();
        for _ in 0..Limits::default().login_failures_per_account {
            assert!(matches!(
                accounts.login("minh", "wrong", ip()),
                Err(LoginError::WrongPassword)
            ));
        }
        let error = accounts.login("minh", "right", ip()).unwrap_err();
        assert!(matches!(error, LoginError::Throttled(_)));
        assert!(
            error
                .to_string()
                .starts_with("Too many attempts, try again in ")
        );
    }
}
