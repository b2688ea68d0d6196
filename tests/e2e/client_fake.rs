//! The client library against fake servers that do what the real one never
//! does (or seldom does): a user list split over several lines, a download
//! whose bytes do not match its SHA-256, a file name that tries to leave
//! the cache, a download that stalls while the user cancels it, a transfer
//! whose handshake is never answered, and floods that must not make the
//! client's queues grow without limit.

use std::io::{BufRead, BufReader, Lines, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use media_chat_client::{Direction, Event, SendError};
use media_chat_e2e::{dir_entries, sha256_hex, test_bytes, wait_until};

use crate::client::{
    TestClient, WAIT, chat_events, connect_with, is_conversation_event, is_text, wait_collect,
    wait_for,
};

/// How long a fake connection waits for the client's next line before it
/// gives up and closes: bounds a test whose client never closes.
const FAKE_IDLE: Duration = Duration::from_secs(6);

/// What the fake server answers to `GET_FILE|name`: the bytes to write.
type OnGetFile = Arc<dyn Fn(&str) -> Vec<u8> + Send + Sync>;

/// What a fake does with its `n`th connection (0 for the first).
type OnConnection = Arc<dyn Fn(TcpStream, usize) + Send + Sync>;

/// The welcome after `LOGIN_OK|u` unless a test gives its own.
const WELCOME: &str = "LIMITS|10485760|txt,png\nUSERS|u\nHISTORY_END\n";

/// A minimal version 2 server on `127.0.0.1:0`, one thread per connection:
/// `HELLO|2`, any login succeeds with a welcome (by default [`WELCOME`]),
/// `PING` is answered, `QUIT` closes, and `GET_FILE` is answered by
/// `on_get_file`.
struct FakeServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl FakeServer {
    fn start(on_get_file: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static) -> Self {
        Self::start_with_welcome(WELCOME, on_get_file)
    }

    fn start_with_welcome(
        welcome: &'static str,
        on_get_file: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static,
    ) -> Self {
        let on_get_file: OnGetFile = Arc::new(on_get_file);
        Self::start_custom(move |stream, _| serve(stream, welcome, &on_get_file))
    }

    /// A fake whose connections are all served by `on_connection`.
    fn start_custom(on_connection: impl Fn(TcpStream, usize) + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let on_connection: OnConnection = Arc::new(on_connection);
        let accept = thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                if stopping.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let on_connection = on_connection.clone();
                thread::spawn(move || on_connection(stream, n));
            }
        });
        FakeServer {
            addr,
            stop,
            accept: Some(accept),
        }
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the blocking accept so the thread sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn serve(stream: TcpStream, welcome: &str, on_get_file: &OnGetFile) {
    let _ = stream.set_read_timeout(Some(FAKE_IDLE));
    let mut writer = stream.try_clone().unwrap();
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else { break };
        let (verb, rest) = line.split_once('|').unwrap_or((&line, ""));
        let answer = match verb {
            "HELLO" => b"HELLO|2\n".to_vec(),
            "LOGIN" => {
                let user = rest.split('|').next().unwrap_or_default();
                format!("LOGIN_OK|{user}\n{welcome}").into_bytes()
            }
            "PING" => format!("PONG|{rest}\n").into_bytes(),
            "GET_FILE" => on_get_file(rest),
            "QUIT" => break,
            _ => continue,
        };
        if writer.write_all(&answer).is_err() {
            break;
        }
    }
    let _ = writer.shutdown(Shutdown::Both);
}

/// `FILE_TRANSFER|name|size|sha256` + `body` + `\n`.
fn file_transfer(name: &str, body: &[u8], sha256: &str) -> Vec<u8> {
    let mut bytes = format!("FILE_TRANSFER|{name}|{}|{sha256}\n", body.len()).into_bytes();
    bytes.extend_from_slice(body);
    bytes.push(b'\n');
    bytes
}

fn connect_fake(fake: &FakeServer) -> TestClient {
    let client = connect_with(fake.addr, "u", |_| {});
    wait_for(&client, WAIT, |e| *e == Event::Synced);
    client
}

/// A long user list comes on several `USERS` lines, after `LIMITS`: the
/// client reports it once, whole.
#[test]
fn users_split_over_several_lines_arrive_as_one_event() {
    let fake = FakeServer::start_with_welcome(
        "LIMITS|1000|txt\nUSERS|u,an\nUSERS|bình\nHISTORY_END\n",
        |_| Vec::new(),
    );
    let client = connect_with(fake.addr, "u", |_| {});
    let (welcome, _) = wait_collect(&client, WAIT, |e| *e == Event::Synced);
    assert_eq!(
        chat_events(welcome),
        [
            Event::LoggedIn { user: "u".into() },
            Event::Limits {
                max_file_size: 1000,
                allowed_extensions: vec!["txt".into()]
            },
            Event::Users {
                users: vec!["u".into(), "an".into(), "bình".into()]
            },
        ]
    );
}

#[test]
fn a_download_that_fails_its_sha256_is_discarded() {
    let fake = FakeServer::start(|name| file_transfer(name, b"hello", &sha256_hex(b"other bytes")));
    let client = connect_fake(&fake);
    let id = client.get_file("x.txt").unwrap();
    let done = wait_for(&client, WAIT, |e| {
        matches!(e, Event::Downloaded { .. } | Event::TransferFailed { .. })
    });
    match &done {
        Event::TransferFailed {
            id: i,
            direction: Direction::Download,
            name,
            reason,
        } if *i == id && name == "x.txt" => {
            assert!(reason.contains("SHA-256"), "{reason}");
        }
        other => panic!("expected TransferFailed, got {other:?}"),
    }
    assert!(
        dir_entries(client.cache_dir()).is_empty(),
        "{:?}",
        dir_entries(client.cache_dir())
    );
    assert!(client.leftovers().is_empty(), "{:?}", client.leftovers());
}

#[test]
fn a_file_name_that_leaves_the_cache_is_refused() {
    let fake = FakeServer::start(|_| file_transfer("../evil.txt", b"hello", &sha256_hex(b"hello")));
    let client = connect_fake(&fake);
    let id = client.get_file("evil.txt").unwrap();
    let done = wait_for(&client, WAIT, |e| {
        matches!(e, Event::Downloaded { .. } | Event::TransferFailed { .. })
    });
    assert!(
        matches!(&done, Event::TransferFailed { id: i, .. } if *i == id),
        "{done:?}"
    );
    // `<root>/a/cache/../evil.txt` would be `<root>/a/evil.txt`.
    assert!(client.leftovers().is_empty(), "{:?}", client.leftovers());
    assert!(dir_entries(client.cache_dir()).is_empty());
}

/// Cancelling must end a transfer even when the server has stopped
/// sending in the middle of the body.
#[test]
fn cancelling_a_stalled_download_ends_it_promptly() {
    let fake = FakeServer::start(|name| {
        let body = test_bytes(1024 * 1024, 104);
        let mut bytes = file_transfer(name, &body, &sha256_hex(&body));
        // The header and the first KiB, then nothing: the client has read
        // it all and waits for more by the time the test cancels.
        bytes.truncate(bytes.len() - body.len() - 1 + 1024);
        bytes
    });
    let client = connect_fake(&fake);
    let id = client.get_file("stall.txt").unwrap();
    wait_for(
        &client,
        WAIT,
        |e| matches!(e, Event::Progress { id: i, .. } if *i == id),
    );
    client.cancel(id);
    let done = wait_for(&client, WAIT, |e| {
        matches!(e,
            Event::Downloaded { id: i, .. }
            | Event::TransferFailed { id: i, .. }
            | Event::TransferCancelled { id: i, .. } if *i == id)
    });
    assert_eq!(
        done,
        Event::TransferCancelled {
            id,
            direction: Direction::Download,
            name: "stall.txt".into()
        }
    );
    assert!(dir_entries(client.cache_dir()).is_empty());
}

/// Answers `HELLO` and `LOGIN` on `stream` with `welcome` after
/// `LOGIN_OK`; returns the lines that follow and the writing side.
fn fake_login(stream: TcpStream, welcome: &str) -> (Lines<BufReader<TcpStream>>, TcpStream) {
    let mut writer = stream.try_clone().unwrap();
    let mut lines = BufReader::new(stream).lines();
    let hello = lines.next().unwrap().unwrap();
    assert_eq!(hello, "HELLO|3");
    writer.write_all(b"HELLO|2\n").unwrap();
    let login = lines.next().unwrap().unwrap();
    let user = login
        .strip_prefix("LOGIN|")
        .and_then(|rest| rest.split('|').next())
        .unwrap_or_else(|| panic!("expected LOGIN, got {login:?}"))
        .to_owned();
    writer
        .write_all(format!("LOGIN_OK|{user}\n{welcome}").as_bytes())
        .unwrap();
    (lines, writer)
}

/// Cancelling a transfer whose server never answers its handshake ends it
/// at once (quit cancels transfers the same way). The fake trickles a byte
/// now and then without ever finishing a line, so no read time-out can
/// end the handshake instead: only closing its socket can, and the socket
/// used to be known to the cancel only after the handshake.
#[test]
fn cancelling_a_transfer_whose_handshake_is_never_answered_ends_it() {
    let (in_handshake, handshakes) = mpsc::channel();
    let (closed, closes) = mpsc::channel();
    let fake = FakeServer::start_custom(move |stream, n| {
        if n == 0 {
            return serve(
                stream,
                WELCOME,
                &(Arc::new(|_: &str| Vec::new()) as OnGetFile),
            );
        }
        let mut writer = stream.try_clone().unwrap();
        let mut lines = BufReader::new(stream).lines();
        if let Some(Ok(hello)) = lines.next() {
            let _ = in_handshake.send(hello);
        }
        // The client closing the connection ends the trickle.
        while writer.write_all(b" ").is_ok() {
            thread::sleep(Duration::from_millis(100));
        }
        let _ = closed.send(());
    });
    let client = connect_fake(&fake);
    let id = client.get_file("never.txt").unwrap();
    let hello = handshakes
        .recv_timeout(WAIT)
        .expect("the transfer connected");
    assert_eq!(hello, "HELLO|3");
    client.cancel(id);
    let done = wait_for(&client, WAIT, |e| {
        matches!(e,
            Event::Downloaded { id: i, .. }
            | Event::TransferFailed { id: i, .. }
            | Event::TransferCancelled { id: i, .. } if *i == id)
    });
    assert_eq!(
        done,
        Event::TransferCancelled {
            id,
            direction: Direction::Download,
            name: "never.txt".into()
        }
    );
    closes
        .recv_timeout(WAIT)
        .expect("the fake saw the transfer's connection closed");
    assert_eq!(client.active_transfers(), 0);
    assert!(dir_entries(client.cache_dir()).is_empty());
}

/// How many lines the flood sends, each with this much text: 64 MiB in
/// all, more than the kernel's socket buffers on both ends can hold (up to
/// 32 MiB and 4 MiB here), so the fake cannot finish while the client holds
/// back.
const FLOOD_LINES: usize = 64 * 1024;
const FLOOD_TEXT: usize = 1000;

fn flood_text(i: usize) -> String {
    format!("{i:06}{}", "x".repeat(FLOOD_TEXT - 6))
}

/// A server that floods a client that does not take its events: the event
/// queue fills to its bound and stays there, the client stops reading (the
/// fake cannot finish sending), and once the events are taken every one
/// arrives, in order.
#[test]
fn a_flood_fills_the_event_queue_to_its_bound_and_loses_nothing() {
    let finished = Arc::new(AtomicBool::new(false));
    let done = finished.clone();
    let fake = FakeServer::start_custom(move |stream, _| {
        let (_lines, mut writer) = fake_login(stream, WELCOME);
        for i in 0..FLOOD_LINES {
            let line = format!("TEXT|flood|{}\n", flood_text(i));
            if writer.write_all(line.as_bytes()).is_err() {
                return;
            }
        }
        let _ = writer.write_all(b"NOTIFY|the end\n");
        done.store(true, Ordering::SeqCst);
    });
    let client = connect_with(fake.addr, "u", |_| {});
    let bound = client
        .events()
        .capacity()
        .expect("the event queue is bounded");
    assert!(
        wait_until(WAIT, || client.events().len() == bound),
        "the queue never filled: {} of {bound} events queued",
        client.events().len()
    );
    // Held back, the client reads nothing more: the flood cannot be over.
    assert!(
        !finished.load(Ordering::SeqCst),
        "the client took the whole flood while holding {bound} events"
    );
    assert_eq!(client.events().len(), bound);

    let (welcome, synced) = wait_collect(&client, WAIT, |e| *e == Event::Synced);
    let mut welcome = chat_events(welcome);
    welcome.push(synced);
    assert_eq!(
        welcome,
        [
            Event::LoggedIn { user: "u".into() },
            Event::Limits {
                max_file_size: 10485760,
                allowed_extensions: vec!["txt".into(), "png".into()]
            },
            Event::Users {
                users: vec!["u".into()]
            },
            Event::Synced,
        ]
    );
    for i in 0..FLOOD_LINES {
        let event = wait_for(&client, WAIT, |e| !is_conversation_event(e));
        assert!(client.events().len() <= bound);
        if !is_text(&event, "flood", &flood_text(i)) {
            panic!("event {i} of the flood is {event:?}");
        }
    }
    assert_eq!(
        wait_for(&client, WAIT, |e| !is_conversation_event(e)),
        Event::Notify {
            text: "the end".into()
        }
    );
    assert!(finished.load(Ordering::SeqCst));
}

/// How many `PING`s the second flood sends, each with a token this long
/// (the longest the protocol allows is 64 bytes): 14 MB of `PONG`s, more
/// than the socket buffers between a client and a server that does not
/// read (up to 4 MiB to send, little to receive when nothing reads).
const PINGS: usize = 200 * 1000;
const TOKEN: usize = 64;

fn token(i: usize) -> String {
    format!("{i:06}{}", "t".repeat(TOKEN - 6))
}

/// A server that pings and pings but stops reading: the client's queue of
/// lines to send fills to its bound (a line the user sends then is refused
/// as congested, never queued without limit), and once the server reads
/// again every `PONG` and every accepted line arrives, in order.
#[test]
fn a_server_that_stops_reading_congests_the_bounded_send_queue_and_loses_nothing() {
    let (start_reading, reading) = mpsc::channel::<()>();
    let (answers_tx, answers) = mpsc::channel::<Vec<String>>();
    let reading = Arc::new(Mutex::new(Some(reading)));
    let answers_tx = Arc::new(Mutex::new(Some(answers_tx)));
    let fake = FakeServer::start_custom(move |stream, _| {
        let (lines, mut writer) = fake_login(stream, WELCOME);
        let pinger = thread::spawn(move || {
            for i in 0..PINGS {
                let ping = format!("PING|{}\n", token(i));
                if writer.write_all(ping.as_bytes()).is_err() {
                    return;
                }
            }
        });
        let reading = reading.lock().unwrap().take().unwrap();
        let answers_tx = answers_tx.lock().unwrap().take().unwrap();
        // Reads nothing until the test says so.
        reading.recv().unwrap();
        let mut answered = Vec::new();
        let (mut pongs, mut last) = (0, false);
        for line in lines {
            let Ok(line) = line else { break };
            pongs += usize::from(line.starts_with("PONG|"));
            last |= line == "TEXT|last";
            answered.push(line);
            if pongs == PINGS && last {
                break;
            }
        }
        let _ = answers_tx.send(answered);
        pinger.join().unwrap();
    });
    let client = connect_fake(&fake);
    let mut accepted = 0;
    let congested = wait_until(WAIT * 4, || {
        match client.send_text(&format!("line {accepted}")) {
            Ok(_) => {
                accepted += 1;
                false
            }
            Err(SendError::Congested) => true,
            Err(e) => panic!("sending failed: {e}"),
        }
    });
    assert!(congested, "{accepted} lines queued and still not congested");
    start_reading.send(()).unwrap();
    // Once the server reads again, the queue drains and lines are taken.
    let taken = wait_until(WAIT * 4, || match client.send_text("last") {
        Ok(_) => true,
        Err(SendError::Congested) => false,
        Err(e) => panic!("sending failed: {e}"),
    });
    assert!(taken, "still congested after the server read again");
    let answered = answers
        .recv_timeout(WAIT * 4)
        .expect("the fake read every answer");
    let pongs: Vec<&String> = answered.iter().filter(|l| l.starts_with("PONG|")).collect();
    assert_eq!(pongs.len(), PINGS);
    for (i, pong) in pongs.iter().enumerate() {
        assert_eq!(**pong, format!("PONG|{}", token(i)), "answer {i}");
    }
    let texts: Vec<&String> = answered.iter().filter(|l| l.starts_with("TEXT|")).collect();
    let expected: Vec<String> = (0..accepted)
        .map(|i| format!("TEXT|line {i}"))
        .chain(["TEXT|last".to_owned()])
        .collect();
    assert_eq!(texts, expected.iter().collect::<Vec<_>>());
}

/// Against a server that answers `HELLO|2`: no `RESUME` (the fake would
/// refuse it), a send counts as sent once written (there is no `ACK`),
/// and paging is refused locally.
#[test]
fn a_version_2_server_gets_version_2_and_sends_count_once_written() {
    let (lines_tx, lines) = mpsc::channel();
    let lines_tx = Arc::new(Mutex::new(lines_tx));
    let fake = FakeServer::start_custom(move |stream, _| {
        let (lines, _writer) = fake_login(stream, WELCOME);
        for line in lines {
            let Ok(line) = line else { break };
            let quit = line == "QUIT";
            let _ = lines_tx.lock().unwrap().send(line);
            if quit {
                break;
            }
        }
    });
    let data = tempfile::tempdir().unwrap();
    let keep = |config: &mut media_chat_client::ClientConfig| {
        config.data_dir = Some(data.path().to_path_buf())
    };
    let client = connect_with(fake.addr, "u", keep);
    wait_for(&client, WAIT, |e| *e == Event::Synced);
    assert_eq!(client.protocol_version(), 2);
    let sent = client.send_input("@an hi").unwrap();
    let written = wait_for(&client, WAIT, |e| matches!(e, Event::Delivery { .. }));
    assert!(
        matches!(&written, Event::Delivery { token, message }
            if Some(token.as_str()) == sent.token()
                && message.state == media_chat_client::Delivery::Sent { id: None }),
        "{written:?}"
    );
    assert_eq!(lines.recv_timeout(WAIT).unwrap(), "DM|an|hi");
    assert!(matches!(
        client.load_before(media_chat_client::Conversation::general(), 0, 10),
        Err(SendError::OldServer)
    ));
    client.client.quit();
    assert_eq!(lines.recv_timeout(WAIT).unwrap(), "QUIT");
    // A second run: still no RESUME (fake_login would see it instead of
    // LOGIN and fail).
    let again = connect_with(fake.addr, "u", keep);
    wait_for(&again, WAIT, |e| *e == Event::Synced);
}

/// A version 3 server from before previews answers `PREVIEWS|1` and
/// `PREVIEW` as unknown commands: a client with previews on says nothing
/// of it to the user, and asks no more previews of that server (fetches
/// for the welcome's shares had crossed the refusal, seen under Xvfb as
/// three `[!] Bad command` lines).
#[test]
fn a_server_without_previews_is_not_asked_again_and_its_refusals_are_not_shown() {
    let previews_asked = Arc::new(Mutex::new(0usize));
    let counted = previews_asked.clone();
    let fake = FakeServer::start_custom(move |stream, _| {
        let _ = stream.set_read_timeout(Some(FAKE_IDLE));
        let mut writer = stream.try_clone().unwrap();
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let (verb, rest) = line.split_once('|').unwrap_or((&line, ""));
            let answer = match verb {
                "HELLO" => "HELLO|3\n".to_owned(),
                "LOGIN" => "LOGIN_OK|u\nLIMITS|10485760|png\nUSERS|u\nSYNCED|0\n".to_owned(),
                "PREVIEWS" | "PREVIEW" => {
                    if verb == "PREVIEW" {
                        *counted.lock().unwrap() += 1;
                    }
                    format!("ERROR|Bad command: unknown command \"{verb}\"\n")
                }
                "PING" => format!("PONG|{rest}\n"),
                "QUIT" => break,
                // Anything else (the test's list of rooms) marks the end.
                _ => "NOTIFY|done\n".to_owned(),
            };
            if writer.write_all(answer.as_bytes()).is_err() {
                break;
            }
        }
        let _ = writer.shutdown(Shutdown::Both);
    });
    let client = connect_with(fake.addr, "u", |config| config.previews = true);
    wait_for(&client, WAIT, |e| *e == Event::Synced);
    let general = media_chat_client::Conversation::general();
    client.fetch_preview(general.clone(), "ảnh.png").unwrap();
    client.fetch_preview(general, "ảnh (1).png").unwrap();
    client.list_rooms().unwrap();
    let (seen, _) = wait_collect(
        &client,
        WAIT,
        |e| matches!(e, Event::Notify { text } if text == "done"),
    );
    assert!(
        !seen.iter().any(|e| matches!(e, Event::ServerError { .. })),
        "{seen:?}"
    );
    // The refusal came before "done" (the fake answers in order): from
    // then on nothing more is asked.
    let asked = *previews_asked.lock().unwrap();
    client
        .fetch_preview(media_chat_client::Conversation::general(), "ảnh (2).png")
        .unwrap();
    client.list_rooms().unwrap();
    let (seen, _) = wait_collect(
        &client,
        WAIT,
        |e| matches!(e, Event::Notify { text } if text == "done"),
    );
    assert!(
        !seen.iter().any(|e| matches!(e, Event::ServerError { .. })),
        "{seen:?}"
    );
    assert_eq!(
        *previews_asked.lock().unwrap(),
        asked,
        "asked again after the refusal"
    );
}
