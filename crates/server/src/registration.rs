//! Who may create an account: anyone (the seed's way), no one, or whoever
//! holds a single-use invitation code an administrator made (a class
//! teacher hands them out). The codes live in `invites.txt` in the data
//! dir, one per line, `code|made by|unix time|used by` (the last field
//! empty until used), rewritten atomically whenever one is made or used.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use parking_lot::Mutex;

use crate::storage::write_atomically;

/// How unknown names are treated at login.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RegistrationMode {
    /// An unknown name is registered, as in the seed.
    #[default]
    Open,
    /// Unknown names are refused.
    Closed,
    /// An unknown name is registered only with an invitation code.
    Invite,
}

impl RegistrationMode {
    /// The word flags and the protocol use.
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationMode::Open => "open",
            RegistrationMode::Closed => "closed",
            RegistrationMode::Invite => "invite",
        }
    }
}

impl fmt::Display for RegistrationMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RegistrationMode {
    type Err = String;

    fn from_str(word: &str) -> Result<Self, String> {
        match word {
            "open" => Ok(RegistrationMode::Open),
            "closed" => Ok(RegistrationMode::Closed),
            "invite" => Ok(RegistrationMode::Invite),
            other => Err(format!("{other:?} is not open, closed or invite")),
        }
    }
}

/// One invitation code.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Code {
    made_by: String,
    made_at: u64,
    used_by: Option<String>,
    /// Held by a registration in progress.
    reserved: bool,
}

/// The invitation codes, and the current mode (administrators can change
/// it while the server runs).
pub(crate) struct Registration {
    path: PathBuf,
    state: Mutex<State>,
}

struct State {
    mode: RegistrationMode,
    codes: BTreeMap<String, Code>,
}

/// What a login may do about an unknown name.
pub(crate) enum MayRegister<'a> {
    /// Register it.
    Open,
    /// Refuse it (registration closed, or a code was needed).
    Refused(&'static str),
    /// Register it with this code, which is used up if it succeeds.
    Code(Held<'a>),
}

/// A code held for one registration; released unless [`Held::use_up`].
pub(crate) struct Held<'a> {
    registration: &'a Registration,
    code: String,
    used: bool,
}

impl Registration {
    /// Loads `invites.txt` from `dir` (missing: no codes).
    pub(crate) fn open(dir: &Path, mode: RegistrationMode) -> io::Result<Registration> {
        let path = dir.join("invites.txt");
        let mut codes = BTreeMap::new();
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                for line in text.lines() {
                    let mut fields = line.split('|');
                    let (Some(code), Some(made_by), Some(made_at)) =
                        (fields.next(), fields.next(), fields.next())
                    else {
                        continue;
                    };
                    let used_by = fields.next().filter(|u| !u.is_empty()).map(str::to_owned);
                    codes.insert(
                        code.to_owned(),
                        Code {
                            made_by: made_by.to_owned(),
                            made_at: made_at.parse().unwrap_or(0),
                            used_by,
                            reserved: false,
                        },
                    );
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        Ok(Registration {
            path,
            state: Mutex::new(State { mode, codes }),
        })
    }

    /// Changes the mode (until the server restarts with its flags).
    pub(crate) fn set_mode(&self, mode: RegistrationMode) {
        self.state.lock().mode = mode;
    }

    /// What a login may do about an unknown name, given the code the
    /// client sent (if any).
    pub(crate) fn permit(&self, code: Option<&str>) -> MayRegister<'_> {
        let mut state = self.state.lock();
        match state.mode {
            RegistrationMode::Open => MayRegister::Open,
            RegistrationMode::Closed => {
                MayRegister::Refused("Unknown user and registration is closed")
            }
            RegistrationMode::Invite => {
                let Some(code) = code else {
                    return MayRegister::Refused(
                        "Unknown user: registering needs an invitation code (ask an administrator)",
                    );
                };
                match state.codes.get_mut(code) {
                    Some(found) if found.used_by.is_none() && !found.reserved => {
                        found.reserved = true;
                        MayRegister::Code(Held {
                            registration: self,
                            code: code.to_owned(),
                            used: false,
                        })
                    }
                    _ => MayRegister::Refused("Invalid or used invitation code"),
                }
            }
        }
    }

    /// Makes a new code, saved before it is returned.
    pub(crate) fn make_code(&self, made_by: &str, now: u64) -> io::Result<String> {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).map_err(|e| io::Error::other(e.to_string()))?;
        // Easy to read out and type: groups of four lower-case hex digits.
        let hex = hex::encode(bytes);
        let code = format!(
            "{}-{}-{}-{}",
            &hex[..4],
            &hex[4..8],
            &hex[8..12],
            &hex[12..]
        );
        let mut state = self.state.lock();
        state.codes.insert(
            code.clone(),
            Code {
                made_by: made_by.to_owned(),
                made_at: now,
                used_by: None,
                reserved: false,
            },
        );
        self.save(&state)?;
        Ok(code)
    }

    fn save(&self, state: &State) -> io::Result<()> {
        let mut text = String::new();
        for (code, found) in &state.codes {
            text.push_str(&format!(
                "{code}|{}|{}|{}\n",
                found.made_by,
                found.made_at,
                found.used_by.as_deref().unwrap_or("")
            ));
        }
        write_atomically(&self.path, text.as_bytes())
    }
}

impl Held<'_> {
    /// The registration of `user` succeeded: the code is used up (and
    /// saved so).
    pub(crate) fn use_up(mut self, user: &str) -> io::Result<()> {
        self.used = true;
        let mut state = self.registration.state.lock();
        if let Some(found) = state.codes.get_mut(&self.code) {
            found.used_by = Some(user.to_owned());
            found.reserved = false;
        }
        self.registration.save(&state)
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if !self.used
            && let Some(found) = self.registration.state.lock().codes.get_mut(&self.code)
        {
            found.reserved = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_registers_once_and_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let registration = Registration::open(dir.path(), RegistrationMode::Invite).unwrap();
        assert!(matches!(registration.permit(None), MayRegister::Refused(_)));
        let code = registration.make_code("cô Lan", 1).unwrap();
        let MayRegister::Code(held) = registration.permit(Some(&code)) else {
            panic!("the code should work");
        };
        // Held by one registration: not for another at the same time.
        assert!(matches!(
            registration.permit(Some(&code)),
            MayRegister::Refused(_)
        ));
        drop(held);
        let MayRegister::Code(held) = registration.permit(Some(&code)) else {
            panic!("a released code works again");
        };
        held.use_up("minh").unwrap();
        assert!(matches!(
            registration.permit(Some(&code)),
            MayRegister::Refused("Invalid or used invitation code")
        ));
        let reopened = Registration::open(dir.path(), RegistrationMode::Invite).unwrap();
        assert!(matches!(
            reopened.permit(Some(&code)),
            MayRegister::Refused(_)
        ));
        assert!(matches!(
            Registration::open(dir.path(), RegistrationMode::Open)
                .unwrap()
                .permit(None),
            MayRegister::Open
        ));
    }
}
