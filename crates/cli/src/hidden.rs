//! Typing a password in the middle of a session (`/password`,
//! `/reset-password`): the answers are the next lines of input, read by the
//! same stdin thread as everything else, with the terminal's echo turned
//! off meanwhile so they do not show. Piped input is read as it comes.

/// The terminal's echo, off while this lives (nothing on piped input).
pub struct Hidden {
    #[cfg(unix)]
    saved: Option<libc::termios>,
}

impl Hidden {
    /// Turns the echo off if stdin is a terminal.
    pub fn new() -> Hidden {
        Hidden {
            #[cfg(unix)]
            saved: echo_off(),
        }
    }

    /// Whether stdin is a terminal (whose echo is off).
    pub fn is_terminal(&self) -> bool {
        #[cfg(unix)]
        return self.saved.is_some();
        #[cfg(not(unix))]
        return false;
    }
}

#[cfg(unix)]
fn echo_off() -> Option<libc::termios> {
    // SAFETY: `termios` is plain data, filled by `tcgetattr` before use;
    // both calls only read or set the terminal of fd 0, whatever it is.
    unsafe {
        if libc::isatty(libc::STDIN_FILENO) != 1 {
            return None;
        }
        let mut saved: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(libc::STDIN_FILENO, &mut saved) != 0 {
            return None;
        }
        let mut quiet = saved;
        // Still line by line, and the Enter key still shows.
        quiet.c_lflag &= !libc::ECHO;
        quiet.c_lflag |= libc::ECHONL;
        if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &quiet) != 0 {
            return None;
        }
        Some(saved)
    }
}

impl Drop for Hidden {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(saved) = &self.saved {
            // SAFETY: restores the settings `tcgetattr` read from fd 0.
            unsafe {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, saved);
            }
        }
    }
}
