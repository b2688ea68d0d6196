//! What the window remembers between runs, in the config directory: the
//! login screen's host, port and user name (never the password), and the
//! look: the theme and the text size; the emoji used lately.

use std::io;
use std::path::{Path, PathBuf};

use directories::ProjectDirs;
use serde::{Deserialize, Serialize};

/// The theme the user chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Whatever the system uses (the first start's choice).
    #[default]
    System,
    /// Dark text on a light background.
    Light,
    /// Light text on a dark background.
    Dark,
}

impl Theme {
    /// As egui takes it.
    pub fn preference(self) -> egui::ThemePreference {
        match self {
            Theme::System => egui::ThemePreference::System,
            Theme::Light => egui::ThemePreference::Light,
            Theme::Dark => egui::ThemePreference::Dark,
        }
    }

    /// The choice egui holds.
    pub fn of(preference: egui::ThemePreference) -> Self {
        match preference {
            egui::ThemePreference::System => Theme::System,
            egui::ThemePreference::Light => Theme::Light,
            egui::ThemePreference::Dark => Theme::Dark,
        }
    }
}

/// The normal text size, in percent.
pub const NORMAL_TEXT_SIZE: u16 = 100;

/// The look of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Appearance {
    /// Light, dark or the system's.
    pub theme: Theme,
    /// Text size in percent of the normal (Ctrl + and Ctrl − step it).
    pub text_size: u16,
}

impl Default for Appearance {
    fn default() -> Self {
        Appearance {
            theme: Theme::System,
            text_size: NORMAL_TEXT_SIZE,
        }
    }
}

impl Appearance {
    /// The text size as egui's zoom factor.
    pub fn zoom(self) -> f32 {
        f32::from(self.text_size.clamp(20, 500)) / 100.0
    }
}

/// What is remembered.
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
    /// The look.
    pub appearance: Appearance,
    /// The emoji picked lately, the latest first.
    pub recent_emoji: Vec<String>,
}

impl Default for Remembered {
    fn default() -> Self {
        Remembered {
            host: "127.0.0.1".to_owned(),
            port: 5000,
            user: String::new(),
            tls: true,
            appearance: Appearance::default(),
            recent_emoji: Vec::new(),
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
            appearance: Appearance {
                theme: Theme::Dark,
                text_size: 120,
            },
            recent_emoji: vec!["🎉".into(), "👍".into()],
        };
        save(&path, &remembered).unwrap();
        assert_eq!(load(&path), remembered);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("password"));
        assert!(text.contains("theme = \"dark\""), "{text}");
    }
}
