//! Rate limits: a token bucket for flood control and a sliding-window
//! failure counter for logins.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Flood control for one session: `burst` commands at once, then `rate` per
/// second. A command over the limit is not refused; the caller waits the
/// returned delay first, as IRC servers' "fakelag" does.
pub(crate) struct TokenBucket {
    burst: f64,
    rate: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket. A `rate` of zero (or less) turns the limit off.
    pub(crate) fn new(burst: u32, rate: f64, now: Instant) -> Self {
        TokenBucket {
            burst: f64::from(burst.max(1)),
            rate,
            tokens: f64::from(burst.max(1)),
            last: now,
        }
    }

    /// Takes a token for one command and returns how long to wait before
    /// handling it (zero when within the limit).
    pub(crate) fn take(&mut self, now: Instant) -> Duration {
        if self.rate <= 0.0 {
            return Duration::ZERO;
        }
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst) - 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.rate)
        }
    }
}

/// Per-user limits on actions that create things others see (rooms,
/// invitations, invitation codes): `burst` at once, then `per_hour`. Unlike
/// flood control, an action over the limit is refused, with how long to
/// wait.
pub(crate) struct ActionLimits {
    /// By user key and kind of action: the tokens left, and when.
    buckets: Mutex<HashMap<(String, &'static str), Tokens>>,
}

/// Tokens left in a bucket, as of an instant.
type Tokens = (f64, Instant);

impl ActionLimits {
    /// No actions taken yet.
    pub(crate) fn new() -> Self {
        ActionLimits {
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one `kind` action for the user with `key`, or says how long
    /// until one is allowed.
    pub(crate) fn take(
        &self,
        key: &str,
        kind: &'static str,
        burst: u32,
        per_hour: u32,
        now: Instant,
    ) -> Result<(), Duration> {
        let rate = f64::from(per_hour.max(1)) / 3600.0;
        let burst = f64::from(burst.max(1));
        let mut buckets = self.buckets.lock();
        if buckets.len() >= PRUNE_AT {
            buckets.retain(|_, (tokens, last)| {
                *tokens + now.saturating_duration_since(*last).as_secs_f64() * rate < burst
            });
        }
        let (tokens, last) = buckets
            .entry((key.to_owned(), kind))
            .or_insert((burst, now));
        *tokens = (*tokens + now.saturating_duration_since(*last).as_secs_f64() * rate).min(burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / rate))
        }
    }
}

/// Counts failed logins per account and per address within a sliding window.
pub(crate) struct FailureLimiter {
    window: Duration,
    per_account: u32,
    per_ip: u32,
    failures: Mutex<HashMap<FailureKey, VecDeque<Instant>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FailureKey {
    Account(String),
    Ip(IpAddr),
}

/// Forget idle keys once the table holds this many.
const PRUNE_AT: usize = 4096;

impl FailureLimiter {
    /// A limiter allowing `per_account` and `per_ip` failures per `window`.
    pub(crate) fn new(window: Duration, per_account: u32, per_ip: u32) -> Self {
        FailureLimiter {
            window,
            per_account,
            per_ip,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(wait)` when the account or the address has used up its
    /// failures; `wait` is how long until one expires.
    pub(crate) fn check(&self, account: &str, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut failures = self.failures.lock();
        let keys = [
            (FailureKey::Account(account.to_owned()), self.per_account),
            (FailureKey::Ip(ip), self.per_ip),
        ];
        let mut wait = Duration::ZERO;
        for (key, limit) in keys {
            if let Some(times) = failures.get_mut(&key) {
                expire(times, now, self.window);
                if times.len() >= limit as usize
                    && let Some(&oldest) = times.front()
                {
                    wait = wait.max((oldest + self.window).saturating_duration_since(now));
                }
            }
        }
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    /// Records one failed login.
    pub(crate) fn record_failure(&self, account: &str, ip: IpAddr, now: Instant) {
        let mut failures = self.failures.lock();
        if failures.len() >= PRUNE_AT {
            failures.retain(|_, times| {
                expire(times, now, self.window);
                !times.is_empty()
            });
        }
        for key in [FailureKey::Account(account.to_owned()), FailureKey::Ip(ip)] {
            let times = failures.entry(key).or_default();
            expire(times, now, self.window);
            times.push_back(now);
        }
    }
}

fn expire(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times
        .front()
        .is_some_and(|&t| now.saturating_duration_since(t) >= window)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_a_burst_then_the_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(3, 2.0, start);
        for _ in 0..3 {
            assert_eq!(bucket.take(start), Duration::ZERO);
        }
        assert_eq!(bucket.take(start), Duration::from_millis(500));
        assert_eq!(bucket.take(start), Duration::from_millis(1000));
        // After a quiet second, two more tokens have come back (minus debt).
        let later = start + Duration::from_secs(5);
        assert_eq!(bucket.take(later), Duration::ZERO);
    }

    #[test]
    fn zero_rate_means_no_limit() {
        let now = Instant::now();
        let mut bucket = TokenBucket::new(1, 0.0, now);
        for _ in 0..1000 {
            assert_eq!(bucket.take(now), Duration::ZERO);
        }
    }

    #[test]
    fn failures_lock_the_account_then_expire() {
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let other_ip: IpAddr = "10.0.0.2".parse().unwrap();
        let limiter = FailureLimiter::new(Duration::from_secs(60), 3, 100);
        let now = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check("minh", ip, now).is_ok());
            limiter.record_failure("minh", ip, now);
        }
        assert_eq!(
            limiter.check("minh", other_ip, now),
            Err(Duration::from_secs(60))
        );
        assert!(limiter.check("ton", ip, now).is_ok());
        assert!(
            limiter
                .check("minh", ip, now + Duration::from_secs(60))
                .is_ok()
        );
    }

    #[test]
    fn failures_lock_the_address_across_accounts() {
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let limiter = FailureLimiter::new(Duration::from_secs(60), 100, 2);
        let now = Instant::now();
        limiter.record_failure("a", ip, now);
        limiter.record_failure("b", ip, now);
        assert!(limiter.check("c", ip, now).is_err());
        assert!(limiter.check("c", "10.0.0.9".parse().unwrap(), now).is_ok());
    }

    #[test]
    fn action_limits_refuse_past_the_burst_then_refill() {
        let limits = ActionLimits::new();
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limits.take("an", "create", 3, 60, start).is_ok());
        }
        let wait = limits.take("an", "create", 3, 60, start).unwrap_err();
        assert!(
            wait > Duration::from_secs(50) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        // Another user, or another kind, has its own bucket.
        assert!(limits.take("bình", "create", 3, 60, start).is_ok());
        assert!(limits.take("an", "invite", 3, 60, start).is_ok());
        assert!(
            limits
                .take("an", "create", 3, 60, start + Duration::from_secs(61))
                .is_ok()
        );
    }
}
