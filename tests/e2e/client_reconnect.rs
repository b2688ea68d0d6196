//! The client library across a server restart on the same address: by
//! itself with `auto_reconnect`, or when asked with `Client::reconnect`.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use media_chat_client::{Client, Conversation, Delivery, Event, Message, Origin};
use media_chat_e2e::{RawClient, TestServer};

use crate::PW;
use crate::client::{
    TestClient, WAIT, connect_with, is_text, join, page_back, said, wait_collect, wait_for,
};

#[test]
fn auto_reconnect_logs_in_again_after_a_restart() {
    let mut server = TestServer::start();
    let alice = connect_with(server.addr(), "alice", |config| {
        config.auto_reconnect = true
    });
    wait_for(&alice, WAIT, |e| *e == Event::Synced);
    let bob = connect_with(server.addr(), "bob", |config| config.auto_reconnect = true);
    wait_for(&bob, WAIT, |e| *e == Event::Synced);

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
    wait_for(&bob, WAIT, |e| is_text(e, "alice", "after the restart"));
}

#[test]
fn reconnect_on_request_when_auto_reconnect_is_off() {
    let mut server = TestServer::start();
    let alice = connect_with(server.addr(), "alice", |_| {});
    wait_for(&alice, WAIT, |e| *e == Event::Synced);

    server.restart_same_addr();
    wait_for(&alice, WAIT, |e| matches!(e, Event::Disconnected { .. }));
    assert!(!alice.is_connected());
    // Written while down: pending, and sent once reconnected.
    let pending = alice.send_text("while down").unwrap();
    assert!(pending.is_pending(), "{pending:?}");
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
    let (welcome, _) = wait_collect(&alice, WAIT, |e| matches!(e, Event::Delivery { .. }));
    assert!(
        welcome.contains(&Event::Synced),
        "acknowledged after the welcome: {welcome:#?}"
    );
    let bob = join(&server, "bob");
    alice.send_text("back again").unwrap();
    let (before, _) = wait_collect(&bob, WAIT, |e| is_text(e, "alice", "back again"));
    assert!(
        !before.iter().any(|e| said(e).is_some()),
        "bob joined after the pending message was stored: {before:#?}"
    );
}

#[test]
fn reconnect_now_while_a_retry_waits_makes_it_due_at_once() {
    let mut server = TestServer::start();
    let alice = connect_with(server.addr(), "alice", |config| {
        config.auto_reconnect = true
    });
    wait_for(&alice, WAIT, |e| *e == Event::Synced);
    server.stop();
    wait_for(
        &alice,
        WAIT,
        |e| matches!(e, Event::Reconnecting { attempt, .. } if *attempt >= 3),
    );
    alice.reconnect();
    let asked = wait_for(
        &alice,
        WAIT,
        |e| matches!(e, Event::Reconnecting { delay, .. } if delay.is_zero()),
    );
    let Event::Reconnecting { attempt, .. } = asked else {
        unreachable!()
    };
    // Tried, failed, and the next wait follows the backoff again.
    let next = wait_for(&alice, WAIT, |e| matches!(e, Event::Reconnecting { .. }));
    assert!(
        matches!(next, Event::Reconnecting { attempt: a, delay } if a == attempt + 1 && !delay.is_zero()),
        "{next:?}"
    );
}

/// A TCP proxy in front of a real server: it can cut every connection
/// through it at once (the network dropping), and reports each login that
/// succeeds through it (a `LOGIN_OK` line passing towards the client).
struct CuttingProxy {
    addr: SocketAddr,
    live: Arc<Mutex<Vec<TcpStream>>>,
    logins: mpsc::Receiver<()>,
    /// Drop what clients send (index 0) or what the server answers (1).
    swallow: [Arc<AtomicBool>; 2],
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
        let swallow = [
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicBool::new(false)),
        ];
        let swallowing = swallow.clone();
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
                let [requests, replies] = swallowing.clone();
                thread::spawn(move || pump(client_in, server, None, requests));
                let logged_in = logged_in.clone();
                thread::spawn(move || pump(server_in, client, Some(logged_in), replies));
            }
        });
        CuttingProxy {
            addr,
            live,
            logins,
            swallow,
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

    /// From now on (or no longer), bytes from clients are read and thrown
    /// away: a network that is dropping the connection, which the client
    /// cannot tell yet.
    fn swallow_requests(&self, on: bool) {
        self.swallow[0].store(on, Ordering::SeqCst);
    }

    /// The same for bytes from the server: what the client sends arrives,
    /// the answers are lost.
    fn swallow_replies(&self, on: bool) {
        self.swallow[1].store(on, Ordering::SeqCst);
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

/// Copies `from` to `to` until either side closes, dropping what comes
/// while `swallow` is set; with `logins`, reports the first `LOGIN_OK`
/// once the bytes holding it have been passed on.
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    logins: Option<mpsc::Sender<()>>,
    swallow: Arc<AtomicBool>,
) {
    const MARK: &[u8] = b"LOGIN_OK|";
    let mut seen: Vec<u8> = Vec::new();
    let mut reported = logins.is_none();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if swallow.load(Ordering::SeqCst) {
            continue;
        }
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
        wait_for(&alice, WAIT, |e| *e == Event::Synced);
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
/// order and without a gap, then the disconnect, then it logs in again
/// and resumes: the rest comes in the backlog and the pages before it,
/// each message exactly once. With an unbounded queue it read everything
/// into memory and was never dropped.
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
    let mut dropped = None;
    for i in 0..12_000 {
        bob.send_line(&format!("TEXT|{}", said(i)));
        if i % 100 == 99 && bob.collect_pending().iter().any(|l| l == "LEFT|alice") {
            dropped = Some(i + 1);
            break;
        }
    }
    let i_sent = |_: &mut RawClient| {
        dropped.expect("the client that held back its events was never dropped")
    };

    let sent = i_sent(&mut bob);
    let (welcome, _) = wait_collect(&alice, WAIT, |e| *e == Event::Synced);
    assert_eq!(
        welcome.first(),
        Some(&Event::LoggedIn {
            user: "alice".into()
        })
    );
    let index = |text: &str| text[..5].parse::<usize>().expect("a numbered message");
    let mut received = Vec::new();
    let reason = loop {
        match wait_for(&alice, WAIT, |_| true) {
            Event::Message { message, .. } => {
                let text = message.text().expect("a text");
                assert_eq!(message.author, "bob");
                assert_eq!(
                    text,
                    said(received.len()),
                    "message {} is missing",
                    received.len()
                );
                received.push(message.id().expect("an id"));
            }
            Event::Disconnected { reason } => break reason,
            Event::Joined { .. } | Event::Unread { .. } => {}
            other => panic!("after {} messages: {other:?}", received.len()),
        }
    };
    assert!(!received.is_empty(), "nothing before the drop");
    let (between, _) = wait_collect(&alice, WAIT, |e| matches!(e, Event::LoggedIn { .. }));
    assert!(
        matches!(between.as_slice(), [Event::Reconnecting { attempt: 1, .. }]),
        "dropped ({reason}), then {between:#?}"
    );
    // Resumed: the backlog (the newest of what was missed) and, before
    // it, a gap that paging back fills; nothing twice, nothing missing.
    let (backlog, _) = wait_collect(&alice, WAIT, |e| *e == Event::Synced);
    let mut got: Vec<usize> = received.iter().enumerate().map(|(n, _)| n).collect();
    let mut newest = received.last().copied().unwrap_or(0);
    let mut gap = None;
    for event in &backlog {
        match event {
            Event::Message {
                message,
                origin: Origin::Backlog,
            } => {
                got.push(index(message.text().expect("a text")));
                newest = newest.max(message.id().expect("an id"));
            }
            Event::Gap { after, before, .. } => gap = Some((*after, *before)),
            Event::Users { .. }
            | Event::Limits { .. }
            | Event::ReadUpTo { .. }
            | Event::Conversation { .. } => {}
            other => panic!("in the backlog: {other:?}"),
        }
    }
    if let Some((after, before)) = gap {
        assert_eq!(after, *received.last().unwrap());
        for message in page_back(&alice, Conversation::general(), before, after) {
            got.push(index(message.text().expect("a text")));
        }
    }
    // The client may have resumed before bob's last lines were stored:
    // those came live after the backlog. Every line is stored by now
    // (bob's barrier), so the newest pages hold them.
    for message in page_back(&alice, Conversation::general(), 0, newest) {
        got.push(index(message.text().expect("a text")));
    }
    got.sort_unstable();
    assert_eq!(
        got,
        (0..sent).collect::<Vec<_>>(),
        "each message exactly once"
    );
    bob.skip_until("JOINED|alice");
}

/// Reads until an `EVENT` line (presence may come first).
fn next_event_line(client: &mut RawClient) -> String {
    loop {
        let line = client.read_line();
        if line.starts_with("EVENT|") {
            return line;
        }
    }
}

/// The texts of the text messages among `events`, in order.
fn texts(events: &[Event]) -> Vec<&str> {
    events.iter().filter_map(said).map(|(_, _, t)| t).collect()
}

/// The token of a message `send_*` returned, and its acknowledgement:
/// waits for its `Delivery` as sent; returns the event id.
fn acknowledged(client: &Client, token: &str) -> u64 {
    let event = wait_for(
        client,
        WAIT,
        |e| matches!(e, Event::Delivery { token: t, message } if t == token && !message.is_pending()),
    );
    match event {
        Event::Delivery {
            message:
                Message {
                    state: Delivery::Sent { id: Some(id) },
                    ..
                },
            ..
        } => id,
        other => panic!("not acknowledged: {other:?}"),
    }
}

/// Every reconnect showed up to 100 history lines again: each message
/// the client had already shown came a second time. Resuming from the
/// last id, a reconnect brings exactly what was missed.
/// See: issue 10, "A durable message store".
#[test]
fn a_reconnect_after_a_restart_shows_no_duplicate_and_no_gap() {
    let mut server = TestServer::start();
    let alice = connect_with(server.addr(), "alice", |_| {});
    wait_for(&alice, WAIT, |e| *e == Event::Synced);
    let mut bob = server.client_v2("bob", PW);
    for i in 0..3 {
        bob.send_line(&format!("TEXT|before {i}"));
    }
    let (seen, _) = wait_collect(&alice, WAIT, |e| is_text(e, "bob", "before 2"));
    assert_eq!(texts(&seen), ["before 0", "before 1"]);
    server.restart_same_addr();
    wait_for(&alice, WAIT, |e| matches!(e, Event::Disconnected { .. }));
    // Posted while alice is away (she reconnects only when asked).
    let mut bob = server.client_v2("bob", PW);
    for i in 0..2 {
        bob.send_line(&format!("TEXT|away {i}"));
    }
    bob.expect_quiet();
    alice.reconnect();
    let (mut seen, _) = wait_collect(&alice, WAIT, |e| *e == Event::Synced);
    bob.send_line("TEXT|after");
    seen.extend(wait_collect(&alice, WAIT, |e| is_text(e, "bob", "after")).0);
    assert_eq!(texts(&seen), ["away 0", "away 1"], "{seen:#?}");
}

/// A line typed while the connection was dropping was shown as `[Me] …`
/// and lost: written to a connection that never delivered it. Now it is
/// pending until acknowledged, sent again after the reconnect, and
/// stored once.
/// See: issue 10, "A durable message store".
#[test]
fn a_line_typed_while_the_connection_drops_is_delivered_once() {
    let server = TestServer::start();
    let proxy = CuttingProxy::start(server.addr());
    let mut bob = server.client_v2("bob", PW);
    let alice = connect_with(proxy.addr, "alice", |config| config.auto_reconnect = true);
    proxy.wait_for_login();
    wait_for(&alice, WAIT, |e| *e == Event::Synced);
    bob.skip_until("JOINED|alice");
    proxy.swallow_requests(true);
    let first = alice.send_text("into the gap").unwrap();
    let second = alice.send_text("and this").unwrap();
    assert!(first.is_pending() && second.is_pending());
    // The lines reached the proxy, which dropped them: the network lost
    // them, and the client could not know.
    proxy.cut();
    proxy.swallow_requests(false);
    wait_for(&alice, WAIT, |e| matches!(e, Event::Disconnected { .. }));
    let ids = [first, second].map(|m| acknowledged(&alice, m.token().unwrap()));
    assert!(ids[0] < ids[1], "{ids:?}");
    alice.send_text("barrier").unwrap();
    let mut heard = Vec::new();
    loop {
        let line = bob.read_line();
        if line == "TEXT|alice|barrier" {
            break;
        }
        if line.starts_with("TEXT|") {
            heard.push(line);
        }
    }
    assert_eq!(heard, ["TEXT|alice|into the gap", "TEXT|alice|and this"]);
}

#[test]
fn a_message_written_while_disconnected_is_pending_then_stored_once() {
    let mut server = TestServer::start();
    let alice = connect_with(server.addr(), "alice", |config| {
        config.auto_reconnect = true
    });
    wait_for(&alice, WAIT, |e| *e == Event::Synced);
    server.stop();
    wait_for(&alice, WAIT, |e| matches!(e, Event::Disconnected { .. }));
    let offline = alice.send_text("written offline").unwrap();
    assert!(offline.is_pending(), "{offline:?}");
    assert_eq!(offline.author, "alice");
    server.restart_same_addr();
    let mut watcher = server.connect();
    watcher.login_v3("watcher", PW, None);
    let id = acknowledged(&alice, offline.token().unwrap());
    let stored = next_event_line(&mut watcher);
    assert_eq!(media_chat_e2e::event_id(&stored), id);
    assert_eq!(
        media_chat_e2e::event_body(&stored),
        "#general|TEXT|alice|written offline"
    );
    watcher.expect_quiet();
}

#[test]
fn a_message_the_server_refuses_shows_failed_and_can_be_retried_or_dropped() {
    let server = TestServer::start();
    let alice = join(&server, "alice");
    let refused = alice.send_input("@nobody hi").unwrap();
    let token = refused.token().unwrap().to_owned();
    let failed = wait_for(&alice, WAIT, |e| matches!(e, Event::Delivery { .. }));
    assert!(
        matches!(&failed, Event::Delivery { token: t, message: Message { state: Delivery::Failed { reason, .. }, .. } }
            if *t == token && reason == "No such user: nobody"),
        "{failed:?}"
    );
    // Retried: pending again, then refused again.
    alice.retry(&token).unwrap();
    let again: Vec<Event> = (0..2)
        .map(|_| wait_for(&alice, WAIT, |e| matches!(e, Event::Delivery { .. })))
        .collect();
    assert!(
        matches!(&again[..], [Event::Delivery { message: m1, .. }, Event::Delivery { message: m2, .. }]
            if m1.is_pending() && m2.is_failed()),
        "{again:#?}"
    );
    alice.discard(&token).unwrap();
    // Discarded: a retry does nothing (the next Delivery is the barrier's).
    alice.retry(&token).unwrap();
    let barrier = alice.send_text("barrier").unwrap();
    let next = wait_for(&alice, WAIT, |e| matches!(e, Event::Delivery { .. }));
    assert!(
        matches!(&next, Event::Delivery { token, .. } if Some(token.as_str()) == barrier.token()),
        "{next:?}"
    );
}

#[test]
fn a_restarted_client_resumes_where_it_left_off() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let keep = |config: &mut media_chat_client::ClientConfig| {
        config.data_dir = Some(data.path().to_path_buf())
    };
    let alice = connect_with(server.addr(), "alice", keep);
    wait_for(&alice, WAIT, |e| *e == Event::Synced);
    let mut bob = server.connect();
    bob.login_v3("bob", PW, None);
    for i in 0..3 {
        bob.send_line(&format!("TEXT|seen {i}"));
    }
    wait_for(&alice, WAIT, |e| is_text(e, "bob", "seen 2"));
    alice.client.quit();
    for i in 0..2 {
        bob.send_line(&format!("TEXT|missed {i}"));
    }
    bob.collect_pending();
    let again = connect_with(server.addr(), "alice", keep);
    let (welcome, _) = wait_collect(&again, WAIT, |e| *e == Event::Synced);
    assert_eq!(texts(&welcome), ["missed 0", "missed 1"], "{welcome:#?}");
    assert!(
        welcome
            .iter()
            .filter(|e| said(e).is_some())
            .all(|e| matches!(
                e,
                Event::Message {
                    origin: Origin::Backlog,
                    ..
                }
            )),
        "{welcome:#?}"
    );
}

/// A message still pending when the client quits comes back failed at the
/// next start, and a retry stores it once, even when the first try did
/// reach the server (its acknowledgement lost): the token makes the
/// server answer with the event it already has.
#[test]
fn pending_at_exit_comes_back_failed_and_retry_stores_it_once() {
    let server = TestServer::start();
    let proxy = CuttingProxy::start(server.addr());
    let data = tempfile::tempdir().unwrap();
    let keep = |config: &mut media_chat_client::ClientConfig| {
        config.data_dir = Some(data.path().to_path_buf())
    };
    let mut watcher = server.connect();
    watcher.login_v3("watcher", PW, None);
    let alice = connect_with(proxy.addr, "alice", keep);
    proxy.wait_for_login();
    wait_for(&alice, WAIT, |e| *e == Event::Synced);
    watcher.skip_until("JOINED|alice");
    // Stored, but the ACK never arrives; then the network drops.
    proxy.swallow_replies(true);
    let lost_ack = alice.send_text("stored, ack lost").unwrap();
    let stored = next_event_line(&mut watcher);
    proxy.cut();
    wait_for(&alice, WAIT, |e| matches!(e, Event::Disconnected { .. }));
    // Written while down: never reaches the server.
    let never_sent = alice.send_text("never sent").unwrap();
    let events = alice.events().clone();
    alice.client.quit();
    let at_quit: Vec<Event> = events.try_iter().collect();
    for pending in [&lost_ack, &never_sent] {
        assert!(
            at_quit
                .iter()
                .any(|e| matches!(e, Event::Delivery { token, message }
                if Some(token.as_str()) == pending.token() && message.is_failed())),
            "{pending:?} not reported failed at quit: {at_quit:#?}"
        );
    }

    // The same server through the same address: the same resume point.
    proxy.swallow_replies(false);
    let again = connect_with(proxy.addr, "alice", keep);
    let (welcome, _) = wait_collect(&again, WAIT, |e| *e == Event::Synced);
    let failed: Vec<&Message> = welcome
        .iter()
        .filter_map(|e| match e {
            Event::Delivery { message, .. } if message.is_failed() => Some(message),
            _ => None,
        })
        .collect();
    assert_eq!(
        failed.iter().map(|m| m.text()).collect::<Vec<_>>(),
        [Some("stored, ack lost"), Some("never sent")],
        "{welcome:#?}"
    );
    // The stored one is in the backlog: the server had it.
    assert_eq!(texts(&welcome), ["stored, ack lost"]);
    for message in &failed {
        again.retry(message.token().unwrap()).unwrap();
    }
    let first = acknowledged(&again, lost_ack.token().unwrap());
    assert_eq!(first, media_chat_e2e::event_id(&stored), "stored once");
    acknowledged(&again, never_sent.token().unwrap());
    watcher.skip_until("JOINED|alice");
    let next = next_event_line(&mut watcher);
    assert_eq!(
        media_chat_e2e::event_body(&next),
        "#general|TEXT|alice|never sent"
    );
    watcher.expect_quiet();
}

/// A server whose certificate changed while the client was away: the
/// reconnect stops at once with both fingerprints, instead of retrying
/// for ever, and what waited to be sent fails.
/// See: issue 14.
#[test]
fn a_certificate_changed_while_reconnecting_stops_the_retries_and_says_why() {
    let mut server = TestServer::start();
    let before = server.fingerprint();
    let alice = connect_with(server.addr(), "alice", |config| {
        config.auto_reconnect = true;
        config.transport = media_chat_client::Transport::Tls {
            known_servers: None,
            trust: Some(before),
        };
    });
    wait_for(&alice, WAIT, |e| *e == Event::Synced);
    server.stop();
    for file in ["tls-cert.pem", "tls-key.pem"] {
        std::fs::remove_file(server.data_dir().join(file)).unwrap();
    }
    server.restart_same_addr();
    let after = server.fingerprint();
    assert_ne!(before, after);
    wait_for(&alice, WAIT, |e| matches!(e, Event::Disconnected { .. }));
    let waiting = alice.send_text("while away").unwrap();
    let (between, changed) = wait_collect(&alice, WAIT, |e| {
        matches!(e, Event::CertificateChanged { .. })
    });
    assert!(
        matches!(&changed, Event::CertificateChanged { pinned, presented, reason }
            if *pinned == before && *presented == after
                && reason.contains(&before.to_string()) && reason.contains(&after.to_string())),
        "{changed:?}"
    );
    assert!(
        between
            .iter()
            .any(|e| matches!(e, Event::Delivery { token, message }
            if Some(token.as_str()) == waiting.token() && message.is_failed())),
        "{between:#?}"
    );
    assert!(!alice.is_connected());
}
