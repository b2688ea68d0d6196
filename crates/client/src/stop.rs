//! Stopping work that may be blocked on a socket, from another thread: a
//! flag the work checks between steps, and the socket, shut down so that a
//! blocked read or write ends at once.
//!
//! Each transfer has one (cancel), and so does the client (quit): a
//! connection is watched from the moment its TCP connection is up, so even
//! a server that never answers the handshake cannot hold either up.

use std::io;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::{Receiver, Sender};
use parking_lot::Mutex;

/// A stop request, the socket it closes, and a channel that disconnects
/// when it is made (for work that waits on a channel rather than a socket).
pub(crate) struct Stop {
    requested: AtomicBool,
    socket: Mutex<Option<TcpStream>>,
    wake: Mutex<Option<Sender<()>>>,
    woken: Receiver<()>,
}

impl Default for Stop {
    fn default() -> Self {
        let (wake, woken) = crossbeam_channel::bounded(0);
        Stop {
            requested: AtomicBool::new(false),
            socket: Mutex::new(None),
            wake: Mutex::new(Some(wake)),
            woken,
        }
    }
}

impl Stop {
    /// Asks the work to stop and closes its socket; `false` if a stop was
    /// already asked for.
    pub(crate) fn request(&self) -> bool {
        let first = !self.requested.swap(true, Ordering::SeqCst);
        if let Some(socket) = self.socket.lock().as_ref() {
            let _ = socket.shutdown(Shutdown::Both);
        }
        drop(self.wake.lock().take());
        first
    }

    /// Disconnects (so a `select!` on it wakes) once a stop is requested.
    pub(crate) fn woken(&self) -> &Receiver<()> {
        &self.woken
    }

    /// Whether a stop was asked for.
    pub(crate) fn is_requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// Remembers the socket the work is blocked on from now; closes it at
    /// once if a stop was already asked for.
    pub(crate) fn watch(&self, socket: &TcpStream) -> io::Result<()> {
        let mut slot = self.socket.lock();
        *slot = Some(socket.try_clone()?);
        if self.is_requested() {
            let _ = socket.shutdown(Shutdown::Both);
        }
        Ok(())
    }

    /// Forgets the socket: it has been handed to something that closes it
    /// its own way (the chat connection, which says `QUIT` first).
    pub(crate) fn unwatch(&self) {
        self.socket.lock().take();
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::net::TcpListener;

    use super::*;

    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let near = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (far, _) = listener.accept().unwrap();
        (near, far)
    }

    #[test]
    fn a_request_closes_the_watched_socket_so_a_blocked_read_ends() {
        let (mut near, _far) = pair();
        let stop = Stop::default();
        stop.watch(&near).unwrap();
        std::thread::scope(|scope| {
            let reader = scope.spawn(move || near.read(&mut [0u8; 16]));
            assert!(stop.request());
            assert!(matches!(reader.join().unwrap(), Ok(0) | Err(_)));
        });
        assert!(stop.is_requested());
        assert!(stop.woken().recv().is_err(), "the channel disconnected");
        assert!(!stop.request(), "only the first request counts");
    }

    #[test]
    fn a_socket_watched_after_the_request_is_closed_at_once() {
        let (mut near, _far) = pair();
        let stop = Stop::default();
        stop.request();
        stop.watch(&near).unwrap();
        assert!(matches!(near.read(&mut [0u8; 16]), Ok(0) | Err(_)));
    }

    #[test]
    fn an_unwatched_socket_stays_open() {
        let (near, mut far) = pair();
        let stop = Stop::default();
        stop.watch(&near).unwrap();
        stop.unwatch();
        stop.request();
        std::io::Write::write_all(&mut &near, b"x").unwrap();
        let mut byte = [0u8; 1];
        far.read_exact(&mut byte).unwrap();
        assert_eq!(&byte, b"x");
    }
}
