//! Checking a [`Config`] once, at start-up, so that no setting can break
//! the server later: a welcome that cannot fit the send queue, a flood
//! rate that overflows a `Duration`, a time-out that is zero or so long
//! that the instants computed from it overflow, a limit of zero.

use std::time::Duration;

use media_chat_protocol::MAX_LINE_LEN;
use media_chat_protocol::rules::MAX_USER_NAME_CHARS;
use thiserror::Error;

use crate::config::Config;

/// The slowest flood-control rate: one command every 100 s. Slower rates
/// are typos, and a rate close to zero overflows the wait it computes.
pub const MIN_FLOOD_RATE: f64 = 0.01;

/// The longest any time-out may be: a year. Longer ones overflow the
/// instants computed from them.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 3600);

/// Bytes of a welcome besides its history and user list (`LOGIN_OK`,
/// `LIMITS`, `HISTORY_END`, each at most a line).
const WELCOME_FIXED: usize = 3 * MAX_LINE_LEN;

/// A setting the server refuses to start with. `Display` says which flag to
/// change and why.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ConfigError {
    /// A version 2 welcome can be larger than the send queue, which would
    /// disconnect the client at login.
    #[error(
        "--send-queue ({queue} bytes) cannot hold a login's welcome: up to {welcome} bytes \
         with --history-len {history_len} and --max-connections {connections}; \
         raise --send-queue or lower --history-len"
    )]
    WelcomeTooLarge {
        /// The configured send queue, in bytes.
        queue: usize,
        /// The largest welcome these settings allow, in bytes.
        welcome: usize,
        /// The configured history length.
        history_len: usize,
        /// The configured connection limit.
        connections: usize,
    },
    /// The flood rate is negative, not a number, or so small that its
    /// waits overflow.
    #[error(
        "--flood-rate must be 0 (off) or between {MIN_FLOOD_RATE} and 1e9 commands per second, not {0}"
    )]
    FloodRate(f64),
    /// A time-out is zero.
    #[error("--{0} must be longer than zero")]
    ZeroTimeout(&'static str),
    /// A time-out is longer than [`MAX_TIMEOUT`].
    #[error("--{0} must be at most a year")]
    TimeoutTooLong(&'static str),
    /// A count that must be at least one is zero.
    #[error("--{0} must be at least 1")]
    Zero(&'static str),
}

impl Config {
    /// Checks every setting; the first problem found is returned.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let limits = &self.limits;
        for (flag, timeout) in [
            ("login-timeout", limits.login_timeout),
            ("ping-interval", limits.ping_interval),
            ("ping-timeout", limits.ping_timeout),
            ("line-timeout", limits.line_timeout),
            ("body-timeout", limits.body_read_timeout),
            ("body-grace", limits.body_grace),
            ("login-failure-window", limits.login_failure_window),
        ] {
            if timeout.is_zero() {
                return Err(ConfigError::ZeroTimeout(flag));
            }
            if timeout > MAX_TIMEOUT {
                return Err(ConfigError::TimeoutTooLong(flag));
            }
        }
        let rate = limits.flood_rate;
        if !(rate == 0.0 || (MIN_FLOOD_RATE..=1e9).contains(&rate)) {
            return Err(ConfigError::FloodRate(rate));
        }
        for (flag, count) in [
            ("max-connections", limits.max_connections),
            ("max-connections-per-ip", limits.max_connections_per_ip),
            ("max-queued-downloads", limits.max_queued_downloads),
        ] {
            if count == 0 {
                return Err(ConfigError::Zero(flag));
            }
        }
        if limits.body_min_rate == 0 {
            return Err(ConfigError::Zero("body-min-rate"));
        }
        let welcome = self.largest_welcome();
        if welcome > limits.send_queue_bytes {
            return Err(ConfigError::WelcomeTooLarge {
                queue: limits.send_queue_bytes,
                welcome,
                history_len: self.history_len,
                connections: limits.max_connections,
            });
        }
        Ok(())
    }

    /// The most bytes a version 2 welcome can take with these settings:
    /// every history line as long as a line can be, and every connection
    /// a different user with a name of the longest UTF-8 form.
    fn largest_welcome(&self) -> usize {
        let history = self.history_len.saturating_mul(MAX_LINE_LEN);
        let name = MAX_USER_NAME_CHARS * 4 + 1;
        let users = self.limits.max_connections.saturating_mul(name);
        WELCOME_FIXED.saturating_add(history).saturating_add(users)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid() {
        assert_eq!(Config::new("/tmp/x").validate(), Ok(()));
    }

    /// A change to the default settings, and the flag its error must name.
    type Case = (fn(&mut Config), &'static str);

    #[test]
    fn nonsense_is_refused_with_the_flag_to_change() {
        let cases: Vec<Case> = vec![
            (|c| c.history_len = 500, "--history-len 500"),
            (
                |c| c.limits.send_queue_bytes = 64 * 1024,
                "raise --send-queue",
            ),
            (|c| c.limits.flood_rate = 1e-300, "--flood-rate"),
            (|c| c.limits.flood_rate = -1.0, "--flood-rate"),
            (|c| c.limits.flood_rate = f64::NAN, "--flood-rate"),
            (
                |c| c.limits.login_timeout = Duration::ZERO,
                "--login-timeout",
            ),
            (|c| c.limits.ping_timeout = Duration::ZERO, "--ping-timeout"),
            (|c| c.limits.line_timeout = Duration::MAX, "--line-timeout"),
            (|c| c.limits.body_min_rate = 0, "--body-min-rate"),
            (|c| c.limits.max_connections = 0, "--max-connections"),
            (
                |c| c.limits.max_connections_per_ip = 0,
                "--max-connections-per-ip",
            ),
        ];
        for (change, flag) in cases {
            let mut config = Config::new("/tmp/x");
            change(&mut config);
            let error = config.validate().expect_err(flag).to_string();
            assert!(error.contains(flag), "{error:?} should name {flag:?}");
        }
    }

    #[test]
    fn a_small_queue_fits_a_small_welcome() {
        let mut config = Config::new("/tmp/x");
        config.limits.send_queue_bytes = 64 * 1024;
        config.history_len = 2;
        config.limits.max_connections = 16;
        config.limits.max_connections_per_ip = 16;
        assert_eq!(config.validate(), Ok(()));
    }
}
