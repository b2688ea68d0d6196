//! Where the password comes from: a file, the environment, or a prompt
//! that does not echo.

use std::path::Path;

use anyhow::{Context, bail};

/// The environment variable the password may come from.
pub const PASSWORD_ENV: &str = "MEDIA_CHAT_PASSWORD";

/// Reads the password from `file` (its first line), else from
/// `MEDIA_CHAT_PASSWORD`, else asks on the terminal without echo.
pub fn read_password(file: Option<&Path>) -> anyhow::Result<String> {
    if let Some(file) = file {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read the password file {}", file.display()))?;
        return Ok(text.lines().next().unwrap_or_default().to_owned());
    }
    if let Ok(password) = std::env::var(PASSWORD_ENV) {
        return Ok(password);
    }
    match rpassword::prompt_password("Password: ") {
        Ok(password) => Ok(password),
        Err(e) => {
            bail!("no password: use --password-file or {PASSWORD_ENV}, or run in a terminal ({e})")
        }
    }
}
