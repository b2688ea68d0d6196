//! What the login screen remembers between runs: host, port and user name,
//! in the config directory. Never the password.

use std::io;
use std::path::{Path, PathBuf};

use directories::ProjectDirs;
use serde::{Deserialize, Serialize};

/// The remembered login fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Remembered {
    /// Server host.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// User name.
    pub user: String,
    /// Whether to use TLS.
    pub tls: bool,
}

impl Default for Remembered {
    fn default() -> Self {
        Remembered {
            host: "127.0.0.1".to_owned(),
            port: 5000,
            user: String::new(),
            tls: true,
        }
    }
}

/// `<config dir>/media-chat/login.toml`, if the system has a home.
pub fn default_path() -> Option<PathBuf> {
    ProjectDirs::from("", "", "media-chat").map(|dirs| dirs.config_dir().join("login.toml"))
}

/// Reads the remembered fields; anything missing or unreadable gives the
/// defaults.
pub fn load(path: &Path) -> Remembered {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| toml::from_str(&text).ok())
        .unwrap_or_default()
}

/// Writes the remembered fields.
pub fn save(path: &Path, remembered: &Remembered) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let text = toml::to_string(remembered).map_err(io::Error::other)?;
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_without_a_password() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/login.toml");
        assert_eq!(load(&path), Remembered::default());
        let remembered = Remembered {
            host: "chat.lan".into(),
            port: 5050,
            user: "Đặng".into(),
            tls: false,
        };
        save(&path, &remembered).unwrap();
        assert_eq!(load(&path), remembered);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("password"));
    }
}
