//! Read deadlines that hold however the peer trickles its bytes.
//!
//! A socket's read time-out bounds each `read` call, so a peer sending one
//! byte every 59 s keeps a 60 s time-out from ever firing. A
//! [`ReadDeadline`] bounds the total: every raw read on the socket is armed
//! with the time left until an absolute instant (and, optionally, with a
//! shorter per-read stall limit), and once the instant has passed a read
//! fails with [`io::ErrorKind::TimedOut`] before touching the socket.
//!
//! The time-out is re-armed (one `setsockopt`) only when it would be off by
//! more than [`SLACK`], so a busy connection whose deadline keeps moving
//! does not pay a system call per read. A read that times out before the
//! deadline (because it moved later) is simply retried: a deadline never
//! fires early, and at most [`SLACK`] late.

use std::io;
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// How far the armed socket time-out may differ from the wanted one before
/// it is armed again; also how late a deadline may fire (never early).
pub const SLACK: Duration = Duration::from_millis(50);

/// An absolute deadline and a per-read stall limit for one socket's reads.
///
/// Until [`ReadDeadline::set`] or [`ReadDeadline::set_stall`] is called it
/// does nothing, so a caller that sets the socket's time-out itself keeps
/// it.
#[derive(Debug, Default)]
pub struct ReadDeadline {
    at: Option<Instant>,
    stall: Option<Duration>,
    /// Whether this deadline manages the socket's time-out at all.
    managed: bool,
    /// The time-out last armed on the socket (`None`: none, block).
    armed: Option<Duration>,
}

impl ReadDeadline {
    /// Reads must give up at `at` (`None`: no absolute deadline).
    pub fn set(&mut self, at: Option<Instant>) {
        self.managed = true;
        self.at = at;
    }

    /// The absolute deadline now in force.
    pub fn get(&self) -> Option<Instant> {
        self.at
    }

    /// One read may wait at most `stall` for bytes (`None`: no limit),
    /// besides the absolute deadline.
    pub fn set_stall(&mut self, stall: Option<Duration>) {
        self.managed = true;
        self.stall = stall;
    }

    /// Runs `read` (a `read` or `peek` on `socket`) within the deadline:
    /// `TimedOut` once it has passed, `WouldBlock`/`TimedOut` when one read
    /// stalls longer than the stall limit.
    pub fn read(
        &mut self,
        socket: &TcpStream,
        mut read: impl FnMut(&TcpStream) -> io::Result<usize>,
    ) -> io::Result<usize> {
        if !self.managed {
            return read(socket);
        }
        loop {
            let wanted = self.wanted(Instant::now())?;
            self.arm(socket, wanted)?;
            match read(socket) {
                Err(e) if is_timeout(&e) && self.moved_later(wanted) => continue,
                result => return result,
            }
        }
    }

    /// The time-out the next read should have, or `TimedOut` if the
    /// deadline has passed.
    fn wanted(&self, now: Instant) -> io::Result<Option<Duration>> {
        let until_deadline = match self.at {
            Some(at) => match at.checked_duration_since(now) {
                Some(left) if !left.is_zero() => Some(left),
                _ => return Err(io::ErrorKind::TimedOut.into()),
            },
            None => None,
        };
        Ok(match (until_deadline, self.stall) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }

    /// Whether a read armed with `armed_for` timed out only because the
    /// deadline has since moved later (so the read should be retried).
    fn moved_later(&self, armed_for: Option<Duration>) -> bool {
        let Some(armed_for) = armed_for else {
            return false;
        };
        let stalled = self.stall.is_some_and(|stall| armed_for + SLACK >= stall);
        let due = self.at.is_some_and(|at| Instant::now() >= at);
        !stalled && !due
    }

    fn arm(&mut self, socket: &TcpStream, wanted: Option<Duration>) -> io::Result<()> {
        let close_enough = match (self.armed, wanted) {
            (None, None) => true,
            (Some(armed), Some(wanted)) => armed.abs_diff(wanted) <= SLACK,
            _ => false,
        };
        if !close_enough {
            // A zero time-out means "block" to the OS: never arm one.
            let wanted = wanted.map(|d| d.max(Duration::from_millis(1)));
            socket.set_read_timeout(wanted)?;
            self.armed = wanted;
        }
        Ok(())
    }
}

/// Whether `error` is a read time-out (Unix says `WouldBlock`).
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::thread;

    use super::*;

    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    #[test]
    fn a_trickling_peer_cannot_renew_the_deadline() {
        let (mut client, server) = pair();
        let mut deadline = ReadDeadline::default();
        deadline.set(Some(Instant::now() + Duration::from_millis(300)));
        // The peer sends a byte whenever it sees the last one taken, far more
        // often than the deadline; reads succeed until the deadline passes.
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let trickler = thread::spawn(move || {
            while rx.recv().is_ok() {
                if client.write_all(b"x").is_err() {
                    break;
                }
            }
        });
        let mut got = 0usize;
        let outcome = loop {
            tx.send(()).unwrap();
            let mut byte = [0u8; 1];
            match deadline.read(&server, |mut s| s.read(&mut byte)) {
                Ok(0) => break Ok(()),
                Ok(_) => got += 1,
                Err(e) => break Err(e),
            }
        };
        drop(tx);
        let error = outcome.expect_err("the deadline must end the reads");
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert!(got > 0, "bytes were read before the deadline");
        trickler.join().unwrap();
    }

    #[test]
    fn a_deadline_moved_later_is_waited_for() {
        let (mut client, server) = pair();
        let mut deadline = ReadDeadline::default();
        deadline.set(Some(Instant::now() + Duration::from_millis(100)));
        // Arms a 100 ms time-out...
        let mut byte = [0u8; 1];
        client.write_all(b"a").unwrap();
        assert_eq!(
            deadline.read(&server, |mut s| s.read(&mut byte)).unwrap(),
            1
        );
        // ...then the deadline moves far out: a byte sent later still arrives.
        deadline.set(Some(Instant::now() + Duration::from_secs(60)));
        let sender = thread::spawn(move || {
            thread::sleep(Duration::from_millis(300));
            client.write_all(b"b").unwrap();
            client
        });
        assert_eq!(
            deadline.read(&server, |mut s| s.read(&mut byte)).unwrap(),
            1
        );
        assert_eq!(&byte, b"b");
        drop(sender.join().unwrap());
    }

    #[test]
    fn the_stall_limit_bounds_one_read() {
        let (_client, server) = pair();
        let mut deadline = ReadDeadline::default();
        deadline.set_stall(Some(Duration::from_millis(100)));
        let mut byte = [0u8; 1];
        let error = deadline
            .read(&server, |mut s| s.read(&mut byte))
            .unwrap_err();
        assert!(is_timeout(&error));
    }

    #[test]
    fn an_unmanaged_deadline_leaves_the_socket_alone() {
        let (_client, server) = pair();
        server
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let mut deadline = ReadDeadline::default();
        let mut byte = [0u8; 1];
        assert!(deadline.read(&server, |mut s| s.read(&mut byte)).is_err());
        assert_eq!(
            server.read_timeout().unwrap(),
            Some(Duration::from_millis(100))
        );
    }
}
