//! The client library across a server restart on the same address: by
//! itself with `auto_reconnect`, or when asked with `Client::reconnect`.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use media_chat_client::{Event, SendError};
use media_chat_e2e::TestServer;

use crate::PW;
use crate::client::{TestClient, WAIT, connect_with, join, text, wait_collect, wait_for};

#[test]
fn auto_reconnect_logs_in_again_after_a_restart() {
    let mut server = TestServer::start();
    let alice = connect_with(server.addr(), "alice", |config| {
        config.auto_reconnect = true
    });
    wait_for(&alice, WAIT, |e| *e == Event::HistoryEnd);
    let bob = connect_with(server.addr(), "bob", |config| config.auto_reconnect = true);
    wait_for(&bob, WAIT, |e| *e == Event::HistoryEnd);

    server.restart_same_addr();
    for client in [&alice, &bob] {
        wait_for(client, WAIT, |e| matches!(e, Event::Disconnected { .. }));
        let (between, _) = wait_collect(client, WAIT, |e| matches!(e, Event::LoggedIn { .. }));
        assert!(
            matches!(
                between.first(),
                Some(Event::Reconnecting { attempt: 1, .. })
            ),
            "{}: {between:#?}",
            client.user()
        );
        assert!(client.is_connected());
    }
    alice.send_text("after the restart").unwrap();
    wait_for(&bob, WAIT, |e| *e == text("alice", "after the restart"));
}

#[test]
fn reconnect_on_request_when_auto_reconnect_is_off() {
    let mut server = TestServer::start();
    let alice = connect_with(server.addr(), "alice", |_| {});
    wait_for(&alice, WAIT, |e| *e == Event::HistoryEnd);

    server.restart_same_addr();
    wait_for(&alice, WAIT, |e| matches!(e, Event::Disconnected { .. }));
    assert!(!alice.is_connected());
    assert!(matches!(
        alice.send_text("into the void"),
        Err(SendError::NotConnected)
    ));
    // Whatever is queued now came without being asked for.
    let unasked: Vec<Event> = alice.events().try_iter().collect();
    assert!(
        !unasked
            .iter()
            .any(|e| matches!(e, Event::Reconnecting { .. } | Event::LoggedIn { .. })),
        "reconnected by itself: {unasked:#?}"
    );

    alice.reconnect();
    let (between, _) = wait_collect(&alice, WAIT, |e| {
        *e == Event::LoggedIn {
            user: "alice".into(),
        }
    });
    assert!(
        matches!(between.as_slice(), [Event::Reconnecting { attempt: 1, .. }]),
        "{between:#?}"
    );
    wait_for(&alice, WAIT, |e| *e == Event::HistoryEnd);
    let bob = join(&server, "bob");
    alice.send_text("back again").unwrap();
    wait_for(&bob, WAIT, |e| *e == text("alice", "back again"));
}

/// A TCP proxy in front of a real server: it can cut every connection
/// through it at once (the network dropping), and reports each login that
/// succeeds through it (a `LOGIN_OK` line passing towards the client).
struct CuttingProxy {
    addr: SocketAddr,
    live: Arc<Mutex<Vec<TcpStream>>>,
    logins: mpsc::Receiver<()>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl CuttingProxy {
    fn start(upstream: SocketAddr) -> CuttingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("cannot bind the proxy");
        let addr = listener.local_addr().expect("the proxy's address");
        let live = Arc::new(Mutex::new(Vec::new()));
        let (logged_in, logins) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let (tracked, stopping) = (live.clone(), stop.clone());
        let accept = thread::spawn(move || {
            for client in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(upstream) else {
                    continue;
                };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                let mut sockets = tracked.lock().unwrap_or_else(|e| e.into_inner());
                for socket in [&client, &server] {
                    if let Ok(clone) = socket.try_clone() {
                        sockets.push(clone);
                    }
                }
                drop(sockets);
                let (Ok(client_in), Ok(server_in)) = (client.try_clone(), server.try_clone())
                else {
                    continue;
                };
                thread::spawn(move || pump(client_in, server, None));
                let logged_in = logged_in.clone();
                thread::spawn(move || pump(server_in, client, Some(logged_in)));
            }
        });
        CuttingProxy {
            addr,
            live,
            logins,
            stop,
            accept: Some(accept),
        }
    }

    /// Closes every connection through the proxy, both ways.
    fn cut(&self) {
        let sockets = std::mem::take(&mut *self.live.lock().unwrap_or_else(|e| e.into_inner()));
        for socket in sockets {
            let _ = socket.shutdown(Shutdown::Both);
        }
    }

    /// Waits for the next login through the proxy.
    fn wait_for_login(&self) {
        if let Err(e) = self.logins.recv_timeout(WAIT) {
            panic!("no login through the proxy within {WAIT:?}: {e}");
        }
    }
}

impl Drop for CuttingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.cut();
        // Wakes the blocking accept so the thread sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// Copies `from` to `to` until either side closes; with `logins`, reports
/// the first `LOGIN_OK` once the bytes holding it have been passed on.
fn pump(mut from: TcpStream, mut to: TcpStream, logins: Option<mpsc::Sender<()>>) {
    const MARK: &[u8] = b"LOGIN_OK|";
    let mut seen: Vec<u8> = Vec::new();
    let mut reported = logins.is_none();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        if !reported {
            seen.extend_from_slice(&buf[..n]);
            if seen.windows(MARK.len()).any(|w| w == MARK) {
                reported = true;
                if let Some(logins) = &logins {
                    let _ = logins.send(());
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

/// Busy-waits `micros` microseconds: a sleep is far too coarse to place
/// `quit` at different points of the few dozen microseconds in which a
/// reconnect installs its connection.
fn spin(micros: u64) {
    let until = Instant::now() + Duration::from_micros(micros);
    while Instant::now() < until {
        std::hint::spin_loop();
    }
}

/// `quit` while an automatic reconnect is logging in must leave nothing
/// behind: no session of the user on the server, no thread of the client.
/// Each round connects through a proxy, cuts the connection so the client
/// reconnects by itself, and calls `quit` at a different moment just after
/// the reconnect's login went through. Once, the reconnect installed its
/// connection after `quit` had looked for one, and that logged-in
/// connection and its threads outlived `quit`.
#[test]
fn quit_during_a_reconnect_leaves_no_session_and_no_thread() {
    let server = TestServer::start();
    let proxy = CuttingProxy::start(server.addr());
    let mut observer = server.client_v2("observer", PW);
    observer.set_timeout(WAIT * 4);
    for round in 0..24u64 {
        let alice = connect_with(proxy.addr, "alice", |config| config.auto_reconnect = true);
        proxy.wait_for_login();
        let events = alice.events().clone();
        wait_for(&alice, WAIT, |e| *e == Event::HistoryEnd);
        observer.skip_until("JOINED|alice");

        proxy.cut();
        wait_for(&alice, WAIT, |e| matches!(e, Event::Disconnected { .. }));
        observer.skip_until("LEFT|alice");
        proxy.wait_for_login();
        spin(round % 12 * 10);
        let TestClient { client, dir } = alice;
        client.quit();

        // Every thread of the client holds the event channel's sender: it
        // disconnects once the last one has ended.
        loop {
            match events.recv_timeout(WAIT * 4) {
                Ok(_) => continue,
                Err(e) if e.is_disconnected() => break,
                Err(_) => panic!("round {round}: a thread of the client outlived quit"),
            }
        }
        // The reconnect's session joined; it must leave.
        observer.skip_until("JOINED|alice");
        observer.skip_until("LEFT|alice");
        drop(dir);
    }
    observer.expect_quiet();
}

/// A client whose caller does not take its events stops reading (its
/// event queue is bounded), so the server sees a slow client and drops
/// it; once the events are taken, every message it received comes, in
/// order and without a gap, then the disconnect, then it logs in again.
/// With an unbounded queue it read everything into memory and was never
/// dropped.
#[test]
fn a_client_holding_back_its_events_is_dropped_as_slow_and_loses_nothing() {
    let server = TestServer::start_with(|config| {
        config.limits.send_queue_bytes = 64 * 1024;
        // A small queue holds only a small welcome (see Config::validate).
        config.history_len = 2;
        config.limits.max_connections = 8;
        config.limits.max_connections_per_ip = 8;
    });
    let alice = connect_with(server.addr(), "alice", |config| {
        config.auto_reconnect = true
    });
    let mut bob = server.client_v2("bob", PW);
    bob.set_timeout(WAIT * 4);
    let filler = "x".repeat(7000);
    let said = |i: usize| format!("{i:05} {filler}");
    // Enough to fill the event queue, the kernel's socket buffers (up to
    // 32 MiB here) and then the server's 64 KiB queue.
    let mut dropped = false;
    for i in 0..12_000 {
        bob.send_line(&format!("TEXT|{}", said(i)));
        if i % 100 == 99 && bob.collect_pending().iter().any(|l| l == "LEFT|alice") {
            dropped = true;
            break;
        }
    }
    assert!(
        dropped,
        "the client that held back its events was never dropped"
    );

    let (welcome, _) = wait_collect(&alice, WAIT, |e| *e == Event::HistoryEnd);
    assert_eq!(
        welcome.first(),
        Some(&Event::LoggedIn {
            user: "alice".into()
        })
    );
    wait_for(&alice, WAIT, |e| *e == Event::Joined { user: "bob".into() });
    let mut received = 0;
    let reason = loop {
        match wait_for(&alice, WAIT, |_| true) {
            Event::Text { from, text } => {
                assert_eq!(from, "bob");
                assert!(
                    text == said(received),
                    "message {received} is missing: got {:?}",
                    &text[..5]
                );
                received += 1;
            }
            Event::Disconnected { reason } => break reason,
            other => panic!("after {received} messages: {other:?}"),
        }
    };
    assert!(received > 1024, "only {received} messages before the drop");
    let (between, _) = wait_collect(&alice, WAIT, |e| matches!(e, Event::LoggedIn { .. }));
    assert!(
        matches!(between.as_slice(), [Event::Reconnecting { attempt: 1, .. }]),
        "dropped ({reason}), then {between:#?}"
    );
    bob.skip_until("JOINED|alice");
}
