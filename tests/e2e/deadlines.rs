//! Deadlines that hold however a client trickles its bytes: the login
//! deadline is absolute from connecting, a started line must end in time,
//! an upload body must keep a minimum rate, and a TLS handshake is bounded
//! by the login deadline. Meanwhile everybody else is served.
//!
//! The tricklers pace their bytes with sleeps: that is the load being
//! tested, not synchronisation. Every assertion waits for an event (a line,
//! the end of the stream) with a generous time-out and asserts no upper
//! bound on time.
//!
//! See: issue 9, "Deadlines that hold".

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use media_chat_e2e::{RawClient, TestServer, file_bytes, file_header};
use media_chat_tls::TrustOnFirstUse;
use media_chat_tls::rustls::ClientConnection;
use media_chat_tls::rustls::pki_types::ServerName;

use crate::{PW, room_v1};

/// Far longer than any deadline here: only a server that never closes the
/// connection makes a test wait this long, and then fail.
const GENEROUS: Duration = Duration::from_secs(60);

/// Sends `bytes` one at a time, `every` apart, on a clone of `stream`,
/// until they run out, a write fails (the server closed) or `stop` is set.
/// Returns whether every byte was written.
fn trickle(
    stream: &TcpStream,
    bytes: Vec<u8>,
    every: Duration,
    stop: Arc<AtomicBool>,
) -> JoinHandle<bool> {
    let mut stream = stream.try_clone().expect("cannot clone the socket");
    stream.set_nodelay(true).expect("nodelay");
    thread::spawn(move || {
        for byte in bytes {
            if stop.load(Ordering::Relaxed) || stream.write_all(&[byte]).is_err() {
                return false;
            }
            thread::sleep(every);
        }
        true
    })
}

#[test]
fn trickling_logins_are_closed_at_the_login_deadline_while_others_are_served() {
    let server = TestServer::start_with(|config| {
        config.limits.login_timeout = Duration::from_secs(3);
    });
    let stop = Arc::new(AtomicBool::new(false));
    // One byte every 50 ms, far faster than any per-read time-out, a login
    // line that would take minutes.
    let line = format!("LOGIN|trickler|{}\n", "p".repeat(250)).into_bytes();
    let mut tricklers: Vec<(RawClient, JoinHandle<bool>)> = (0..4)
        .map(|_| {
            let mut client = server.connect();
            client.set_timeout(GENEROUS);
            let pacer = trickle(
                client.stream(),
                line.clone(),
                Duration::from_millis(50),
                stop.clone(),
            );
            (client, pacer)
        })
        .collect();

    // Served meanwhile: two users log in and talk.
    let [mut a, mut b] = room_v1(&server, ["a", "b"]);
    a.send_line("TEXT|still served");
    b.expect_line("TEXT|a|still served");

    for (client, _) in &mut tricklers {
        client.expect_line("ERROR|Login timed out");
        client.expect_eof();
    }
    stop.store(true, Ordering::Relaxed);
    for (_, pacer) in tricklers {
        assert!(
            !pacer.join().expect("pacer panicked"),
            "the whole login line went out before the connection was closed"
        );
    }
    b.send_line("TEXT|and after");
    a.expect_line("TEXT|b|and after");
}

#[test]
fn a_line_trickled_after_login_is_closed_when_it_takes_too_long() {
    let server = TestServer::start_with(|config| {
        config.limits.line_timeout = Duration::from_secs(1);
    });
    let [mut watcher, mut a] = room_v1(&server, ["watcher", "a"]);
    a.set_timeout(GENEROUS);
    let stop = Arc::new(AtomicBool::new(false));
    let pacer = trickle(
        a.stream(),
        format!("TEXT|{}\n", "x".repeat(2000)).into_bytes(),
        Duration::from_millis(20),
        stop.clone(),
    );
    a.expect_line("ERROR|Line not finished in time");
    a.expect_eof();
    stop.store(true, Ordering::Relaxed);
    assert!(!pacer.join().expect("pacer panicked"));
    watcher.expect_line("NOTIFY|a left the chat");
    watcher.expect_quiet();
}

#[test]
fn an_idle_version_1_client_is_never_closed_between_lines() {
    let server = TestServer::start_with(|config| {
        config.limits.line_timeout = Duration::from_millis(200);
        config.limits.login_timeout = Duration::from_secs(1);
    });
    let [mut watcher, mut a] = room_v1(&server, ["watcher", "a"]);
    // Five line time-outs of silence: as long as it takes the server to
    // close a connection that never logs in.
    let mut silent = server.connect();
    silent.expect_line("ERROR|Login timed out");
    silent.expect_eof();
    a.send_line("TEXT|still here");
    watcher.expect_line("TEXT|a|still here");
    a.expect_quiet();
}

#[test]
fn a_trickled_upload_body_is_closed_when_it_falls_below_the_minimum_rate() {
    let server = TestServer::start_with(|config| {
        config.limits.body_min_rate = 1000;
        config.limits.body_grace = Duration::from_secs(1);
    });
    let [mut watcher, mut a] = room_v1(&server, ["watcher", "a"]);
    a.set_timeout(GENEROUS);
    // 2000 bytes: the deadline is 1 s + 2 s; at 50 bytes a second the body
    // would take 40 s, and every byte comes well within the 30 s stall limit.
    let body = file_bytes("txt", 2000, 9);
    a.send_line(&file_header("slow.txt", &body));
    let stop = Arc::new(AtomicBool::new(false));
    let pacer = trickle(a.stream(), body, Duration::from_millis(20), stop.clone());
    a.expect_line("ERROR|File body did not arrive in time");
    a.expect_eof();
    stop.store(true, Ordering::Relaxed);
    assert!(!pacer.join().expect("pacer panicked"));
    watcher.expect_line("NOTIFY|a left the chat");
    watcher.expect_quiet();
    assert!(media_chat_e2e::dir_entries(&server.files_dir()).is_empty());
}

#[test]
fn a_trickled_tls_handshake_is_closed_at_the_login_deadline() {
    let server = TestServer::start_with(|config| {
        config.limits.login_timeout = Duration::from_secs(2);
    });
    // A real ClientHello, sent a byte every 100 ms: it would take half a
    // minute, and every byte renews a per-read time-out.
    let verifier = TrustOnFirstUse::new(None);
    let name = ServerName::try_from("localhost").expect("a server name");
    let mut hello = Vec::new();
    ClientConnection::new(verifier.client_config(), name)
        .expect("a client connection")
        .write_tls(&mut hello)
        .expect("a ClientHello");
    assert!(hello.len() > 100, "ClientHello of {} bytes", hello.len());

    let mut stream = TcpStream::connect(server.addr()).expect("connect");
    stream.set_read_timeout(Some(GENEROUS)).expect("time-out");
    let stop = Arc::new(AtomicBool::new(false));
    let pacer = trickle(&stream, hello, Duration::from_millis(100), stop.clone());
    let mut member = server.client_v1("member", PW);

    // The server sends nothing (no ServerHello: the hello never finished)
    // and closes.
    let mut buf = [0u8; 512];
    let outcome = stream.read(&mut buf);
    stop.store(true, Ordering::Relaxed);
    match outcome {
        Ok(0) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Ok(n) => panic!("the server answered {n} bytes to an unfinished ClientHello"),
        Err(e) => panic!("expected the server to close the connection, got {e}"),
    }
    assert!(!pacer.join().expect("pacer panicked"));
    member.expect_quiet();
}
