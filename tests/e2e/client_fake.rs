//! The client library against fake servers that do what the real one never
//! does (or seldom does): a user list split over several lines, a download
//! whose bytes do not match its SHA-256, a file name that tries to leave
//! the cache, and a download that stalls while the user cancels it.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use media_chat_client::{Direction, Event};
use media_chat_e2e::{dir_entries, sha256_hex, test_bytes};

use crate::client::{TestClient, WAIT, connect_with, wait_collect, wait_for};

/// How long a fake connection waits for the client's next line before it
/// gives up and closes: bounds a test whose client never closes.
const FAKE_IDLE: Duration = Duration::from_secs(6);

/// What the fake server answers to `GET_FILE|name`: the bytes to write.
type OnGetFile = Arc<dyn Fn(&str) -> Vec<u8> + Send + Sync>;

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
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let on_get_file: OnGetFile = Arc::new(on_get_file);
        let accept = thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let on_get_file = on_get_file.clone();
                thread::spawn(move || serve(stream, welcome, &on_get_file));
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
    wait_for(&client, WAIT, |e| *e == Event::HistoryEnd);
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
    let (welcome, _) = wait_collect(&client, WAIT, |e| *e == Event::HistoryEnd);
    assert_eq!(
        welcome,
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
