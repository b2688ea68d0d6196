//! Connection limits (in total and per IP address) and the list of open
//! connections, so shutdown can say goodbye to each and close them all.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::outbox::Outbox;

/// Every open connection, counted per address.
pub(crate) struct Connections {
    state: Mutex<State>,
    all_closed: Condvar,
    max_total: usize,
    max_per_ip: usize,
}

#[derive(Default)]
struct State {
    next_id: u64,
    /// Open connections; the outbox is set once the session is set up.
    open: HashMap<u64, Option<Outbox>>,
    per_ip: HashMap<IpAddr, usize>,
}

/// Why a connection was turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The server holds its maximum number of connections.
    ServerFull,
    /// This address holds its maximum number of connections.
    TooManyFromAddress,
}

impl Refusal {
    /// The `ERROR` text sent before closing.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Refusal::ServerFull => "Server is full",
            Refusal::TooManyFromAddress => "Too many connections from your address",
        }
    }
}

/// A connection's place in [`Connections`]; dropping it frees the place.
pub(crate) struct Admission {
    connections: Arc<Connections>,
    id: u64,
    ip: IpAddr,
}

impl Connections {
    /// An empty list with the given limits.
    pub(crate) fn new(max_total: usize, max_per_ip: usize) -> Arc<Self> {
        Arc::new(Connections {
            state: Mutex::new(State::default()),
            all_closed: Condvar::new(),
            max_total,
            max_per_ip,
        })
    }

    /// Takes a place for a connection from `ip`, or says why there is none.
    pub(crate) fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Admission, Refusal> {
        let mut state = self.state.lock();
        if state.open.len() >= self.max_total {
            return Err(Refusal::ServerFull);
        }
        let from_ip = state.per_ip.entry(ip).or_insert(0);
        if *from_ip >= self.max_per_ip {
            return Err(Refusal::TooManyFromAddress);
        }
        *from_ip += 1;
        let id = state.next_id;
        state.next_id += 1;
        state.open.insert(id, None);
        Ok(Admission {
            connections: self.clone(),
            id,
            ip,
        })
    }

    /// Queues `line` for every connection, then closes each once its queue
    /// is written out.
    pub(crate) fn say_goodbye(&self, line: &Arc<[u8]>) {
        for outbox in self.state.lock().open.values().flatten() {
            outbox.send(line.clone());
            outbox.close();
        }
    }

    /// Closes every open connection at once; their sessions then end.
    pub(crate) fn close_all(&self) {
        for outbox in self.state.lock().open.values().flatten() {
            outbox.abort();
        }
    }

    /// Waits until every connection is closed, or `timeout` passes.
    /// Returns whether all are closed.
    pub(crate) fn wait_until_all_closed(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.state.lock();
        while !state.open.is_empty() {
            if self.all_closed.wait_until(&mut state, deadline).timed_out() {
                return state.open.is_empty();
            }
        }
        true
    }
}

impl Admission {
    /// Records the session's queue, so shutdown can reach it.
    pub(crate) fn attach(&self, outbox: &Outbox) {
        if let Some(slot) = self.connections.state.lock().open.get_mut(&self.id) {
            *slot = Some(outbox.clone());
        }
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut state = self.connections.state.lock();
        state.open.remove(&self.id);
        if let Some(count) = state.per_ip.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                state.per_ip.remove(&self.ip);
            }
        }
        if state.open.is_empty() {
            self.connections.all_closed.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_ip_and_in_total() {
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let connections = Connections::new(3, 2);
        let first = connections.admit(a).unwrap();
        let _second = connections.admit(a).unwrap();
        assert_eq!(
            connections.admit(a).err(),
            Some(Refusal::TooManyFromAddress)
        );
        let _third = connections.admit(b).unwrap();
        assert_eq!(connections.admit(b).err(), Some(Refusal::ServerFull));
        drop(first);
        assert!(connections.admit(a).is_ok());
    }

    #[test]
    fn waiting_ends_when_the_last_connection_closes() {
        let connections = Connections::new(10, 10);
        let admission = connections.admit("10.0.0.1".parse().unwrap()).unwrap();
        assert!(!connections.wait_until_all_closed(Duration::from_millis(10)));
        let closer = std::thread::spawn(move || drop(admission));
        assert!(connections.wait_until_all_closed(Duration::from_secs(10)));
        closer.join().unwrap();
    }
}
