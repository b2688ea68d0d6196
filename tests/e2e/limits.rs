//! Limits that keep one client from hurting the others: a client that stops
//! reading, the login deadline, keepalive pings, connection limits, flood
//! control, and 200 clients talking at once.

use std::collections::BTreeSet;
use std::panic;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use media_chat_e2e::{RawClient, TestServer};

use crate::{PW, room_v1};

/// How long a client waits for a line in the tests that load the machine:
/// long enough for a busy CI runner, and only a failure waits this long.
const GENEROUS: Duration = Duration::from_secs(60);

#[test]
fn a_client_that_stops_reading_is_dropped_and_the_others_keep_up() {
    // See: issue 9, "Tests that depend on the machine's speed". Nothing here
    // is timed: the reader must get every message, in order, and the client
    // that never reads must be dropped exactly once.
    let server = TestServer::start_with(|config| {
        config.limits.send_queue_bytes = 64 * 1024;
        // A small queue holds only a small welcome (see Config::validate).
        config.history_len = 2;
        config.limits.max_connections = 8;
        config.limits.max_connections_per_ip = 8;
    });
    let [mut sender, mut reader, mut stalled] = room_v1(&server, ["sender", "reader", "stalled"]);
    reader.set_timeout(GENEROUS);
    sender.set_timeout(GENEROUS);
    let filler = "x".repeat(7000);
    let mut dropped_at = None;
    // Enough to fill the kernel's socket buffers (a few MB on loopback) and
    // then the 64 KiB queue many times over.
    for i in 0..6000 {
        let text = format!("{i:05} {filler}");
        sender.send_line(&format!("TEXT|{text}"));
        let expected = format!("TEXT|sender|{text}");
        loop {
            let line = reader.read_line();
            if line == expected {
                break;
            }
            assert_eq!(
                line, "NOTIFY|stalled left the chat",
                "unexpected line at message {i}"
            );
            assert_eq!(dropped_at, None, "a second departure notice at message {i}");
            dropped_at = Some(i);
        }
        if dropped_at.is_some_and(|at| i >= at + 50) {
            break;
        }
    }
    let dropped_at = dropped_at.expect("the client that never reads was never dropped");
    eprintln!("the stalled client was dropped after {dropped_at} messages");
    sender.expect_line("NOTIFY|stalled left the chat");
    sender.expect_quiet();
    reader.expect_quiet();
    // What was already in its socket buffer, then the end.
    stalled.set_timeout(GENEROUS);
    stalled.drain_to_eof();
}

#[test]
fn a_silent_connection_is_closed_at_the_login_deadline() {
    let server = TestServer::start_with(|config| {
        config.limits.login_timeout = Duration::from_millis(500);
    });
    let started = Instant::now();
    let mut silent = server.connect();
    let mut greeted = server.connect();
    greeted.hello(2, 2);
    let mut member = server.client_v1("member", PW);

    silent.expect_line("ERROR|Login timed out");
    assert!(
        started.elapsed() >= Duration::from_millis(450),
        "closed after {:?}, before the deadline",
        started.elapsed()
    );
    silent.expect_eof();
    greeted.expect_line("ERROR|Login timed out");
    greeted.expect_eof();
    // Logged in in time: the deadline has passed and it is still served.
    member.expect_quiet();
}

#[test]
fn v2_clients_are_pinged_and_dropped_when_they_do_not_answer() {
    let server = TestServer::start_with(|config| {
        config.limits.ping_interval = Duration::from_millis(200);
        config.limits.ping_timeout = Duration::from_millis(400);
    });
    let mut v1 = server.client_v1("old", PW);
    let mut v2 = server.client_v2("new", PW);
    v1.expect_line("NOTIFY|new joined the chat");

    // Answering keeps the connection open, ping after ping.
    for _ in 0..3 {
        let ping = v2.read_line();
        let token = ping
            .strip_prefix("PING|")
            .unwrap_or_else(|| panic!("expected PING|<token>, got {ping:?}"))
            .to_owned();
        v2.send_line(&format!("PONG|{token}"));
    }
    let ping = v2.read_line();
    assert!(ping.starts_with("PING|"), "expected a PING, got {ping:?}");
    let unanswered = Instant::now();
    v2.expect_line("ERROR|Ping timeout");
    assert!(
        unanswered.elapsed() >= Duration::from_millis(200),
        "dropped {:?} after the PING, before ping_timeout",
        unanswered.elapsed()
    );
    v2.expect_eof();

    // The v1 client was just as silent all along but is never pinged.
    v1.expect_line("NOTIFY|new left the chat");
    v1.expect_quiet();
}

/// Connects until the server accepts a login again (a freed slot may be
/// counted a moment after the old connection is closed). Returns the
/// logged-in client.
fn login_when_a_slot_is_free(server: &TestServer, user: &str) -> RawClient {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut client = server.connect();
        client.send_line(&format!("LOGIN|{user}|{PW}"));
        match client.try_read_line() {
            Ok(Some(line)) if line.starts_with("LOGIN_OK|") => return client,
            other => {
                assert!(
                    Instant::now() < deadline,
                    "no free slot after 5 s; last answer {other:?}"
                );
                thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

#[test]
fn connections_per_address_are_limited() {
    refuses_a_third_connection(
        |config| config.limits.max_connections_per_ip = 2,
        "ERROR|Too many connections from your address",
    );
}

#[test]
fn total_connections_are_limited() {
    refuses_a_third_connection(
        |config| config.limits.max_connections = 2,
        "ERROR|Server is full",
    );
}

/// With room for two connections, a third gets `refusal` and is closed,
/// the two in the room notice nothing, and a freed place can be taken.
fn refuses_a_third_connection(limit: impl FnOnce(&mut media_chat_server::Config), refusal: &str) {
    let server = TestServer::start_with(limit);
    let [mut a, b] = room_v1(&server, ["a", "b"]);
    let mut third = server.connect();
    third.expect_line(refusal);
    third.expect_eof();
    a.expect_quiet();

    b.quit();
    a.expect_line("NOTIFY|b left the chat");
    login_when_a_slot_is_free(&server, "c");
}

#[test]
fn flood_control_delays_commands_but_never_drops_them() {
    let server = TestServer::start_with(|config| {
        config.limits.flood_burst = 3;
        config.limits.flood_rate = 20.0;
    });
    let [mut a, mut b] = room_v1(&server, ["a", "b"]);
    let started = Instant::now();
    let mut burst = Vec::new();
    for i in 0..10 {
        burst.extend_from_slice(format!("TEXT|m{i}\nPING|p{i}\n").as_bytes());
    }
    a.send_bytes(&burst);
    for i in 0..10 {
        a.expect_line(&format!("PONG|p{i}"));
        b.expect_line(&format!("TEXT|a|m{i}"));
    }
    // 20 commands, at most 3 at once and 20/s after: about 0.85 s (0.35 s
    // if only TEXT counted). Unthrottled they take a few milliseconds.
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "20 commands went through in {:?}: no flood control",
        started.elapsed()
    );
}

#[test]
fn two_hundred_clients_each_receive_every_other_message() {
    const CLIENTS: usize = 200;
    let server = TestServer::start();
    let addr = server.addr();
    let (ready_tx, ready_rx) = mpsc::channel::<()>();
    let mut go_senders = Vec::new();
    let mut threads = Vec::new();
    for i in 0..CLIENTS {
        let (go_tx, go_rx) = mpsc::channel::<()>();
        go_senders.push(go_tx);
        let ready_tx = ready_tx.clone();
        let thread = thread::Builder::new()
            .name(format!("client-{i}"))
            .spawn(move || {
                let mut client = RawClient::connect(addr);
                client.set_timeout(Duration::from_secs(30));
                client.login_v1(&format!("user{i}"), PW);
                ready_tx.send(()).expect("main thread gone");
                go_rx
                    .recv_timeout(Duration::from_secs(60))
                    .expect("no start signal");
                client.send_line(&format!("TEXT|hello from {i}"));
                let mut texts = BTreeSet::new();
                while texts.len() < CLIENTS - 1 {
                    let line = client.read_line();
                    if let Some(text) = line.strip_prefix("TEXT|") {
                        assert!(texts.insert(text.to_owned()), "{text:?} came twice");
                    } else {
                        assert!(line.starts_with("NOTIFY|"), "unexpected {line:?}");
                    }
                }
                texts
            })
            .expect("cannot spawn a client thread");
        threads.push(thread);
    }
    for _ in 0..CLIENTS {
        ready_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("a client did not log in");
    }
    // Everyone is logged in before anyone speaks.
    for go in &go_senders {
        go.send(()).expect("a client thread died");
    }
    for (i, thread) in threads.into_iter().enumerate() {
        let texts = thread.join().unwrap_or_else(|e| panic::resume_unwind(e));
        let expected: BTreeSet<String> = (0..CLIENTS)
            .filter(|&j| j != i)
            .map(|j| format!("user{j}|hello from {j}"))
            .collect();
        assert_eq!(texts, expected, "what user{i} received");
    }
}
