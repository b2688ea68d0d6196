//! The client library (`media-chat-client`) against a real server: login
//! events, public and private messages, `/dm`, `quit` delivering what was
//! sent before it, and the waker. Also the helpers the other `client_*`
//! modules share: [`TestClient`], [`join`], [`wait_for`], [`wait_collect`].
//!
//! Nothing sleeps to synchronise: a test waits for the event it expects with
//! a time-out and panics with every event it saw instead. To prove an event
//! did *not* arrive, a later public message is used as a barrier: the server
//! keeps the order, so anything sent before the barrier would come first.

use std::collections::BTreeSet;
use std::fs;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use media_chat_client::{
    Client, ClientConfig, Event, HistoryEntry, Input, InputError, SendError, Transport,
};
use media_chat_e2e::{TestServer, wait_until};
use tempfile::TempDir;

use crate::PW;

/// How long a test waits for one event.
pub const WAIT: Duration = Duration::from_secs(5);

/// A library client with its own temporary dir; its download cache is
/// `<dir>/a/cache`, so a test can check that nothing appeared beside it.
/// Dropping it shuts the client down before the dir is removed.
pub struct TestClient {
    /// The client.
    pub client: Client,
    /// The temporary root holding the cache (and nothing else).
    pub dir: TempDir,
}

impl Deref for TestClient {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl TestClient {
    /// The temporary root holding the cache dir.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Every path under the temporary root except the (possibly empty)
    /// cache dir itself and its parent: what a download left behind.
    pub fn leftovers(&self) -> BTreeSet<PathBuf> {
        let mut paths = media_chat_e2e::tree(self.root());
        paths.remove(Path::new("a"));
        paths.remove(Path::new("a/cache"));
        paths
    }
}

/// Connects `user` (password [`PW`]) to `address` with the plaintext
/// protocol (fake servers and proxies speak it), with the cache in a fresh
/// temporary dir and `configure` applied to the settings. Returns as soon
/// as the login succeeded: the welcome events are still queued.
pub fn connect_with(
    address: impl ToString,
    user: &str,
    configure: impl FnOnce(&mut ClientConfig),
) -> TestClient {
    let dir = tempfile::Builder::new()
        .prefix("media-chat-client-")
        .tempdir()
        .expect("cannot create a temporary dir");
    let mut config = ClientConfig::new(address.to_string(), user, PW);
    config.cache_dir = Some(dir.path().join("a").join("cache"));
    config.transport = Transport::Plaintext;
    configure(&mut config);
    let client = Client::connect(config)
        .unwrap_or_else(|e| panic!("{user} cannot connect to {}: {e}", address.to_string()));
    TestClient { client, dir }
}

/// Connects `user` to `server` over TLS, trusting the server's
/// certificate: most library tests thus run over TLS.
pub fn connect(server: &TestServer, user: &str) -> TestClient {
    let trust = server.fingerprint();
    connect_with(server.addr(), user, |config| {
        config.transport = Transport::Tls {
            known_servers: None,
            trust: Some(trust),
        }
    })
}

/// Connects `user` and consumes the welcome up to [`Event::HistoryEnd`].
pub fn join(server: &TestServer, user: &str) -> TestClient {
    let client = connect(server, user);
    wait_for(&client, WAIT, |e| *e == Event::HistoryEnd);
    client
}

/// Waits up to `timeout` for an event `wanted` accepts, skipping others;
/// panics with every event seen if none comes.
pub fn wait_for(client: &Client, timeout: Duration, wanted: impl FnMut(&Event) -> bool) -> Event {
    wait_collect(client, timeout, wanted).1
}

/// Like [`wait_for`], but also returns the events skipped on the way.
pub fn wait_collect(
    client: &Client,
    timeout: Duration,
    mut wanted: impl FnMut(&Event) -> bool,
) -> (Vec<Event>, Event) {
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match client.events().recv_timeout(left) {
            Ok(event) if wanted(&event) => return (seen, event),
            Ok(event) => seen.push(event),
            Err(e) if e.is_timeout() => panic!(
                "{}: the awaited event did not come within {timeout:?}; saw {seen:#?}",
                client.user()
            ),
            Err(e) => panic!(
                "{}: the event channel failed: {e}; saw {seen:#?}",
                client.user()
            ),
        }
    }
}

/// The next `n` events, whatever they are.
pub fn next_events(client: &Client, n: usize) -> Vec<Event> {
    (0..n).map(|_| wait_for(client, WAIT, |_| true)).collect()
}

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    path
}

/// `Event::Text` from `from`.
pub fn text(from: &str, text: &str) -> Event {
    Event::Text {
        from: from.into(),
        text: text.into(),
    }
}

/// `Event::Dm` from `from`.
pub fn dm(from: &str, text: &str) -> Event {
    Event::Dm {
        from: from.into(),
        text: text.into(),
    }
}

fn users(event: &Event) -> BTreeSet<String> {
    match event {
        Event::Users { users } => users.iter().cloned().collect(),
        other => panic!("expected Event::Users, got {other:?}"),
    }
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|name| (*name).to_owned()).collect()
}

#[test]
fn two_clients_exchange_public_and_private_messages() {
    let server = TestServer::start();
    let alice = connect(&server, "alice");
    let welcome = next_events(&alice, 4);
    assert_eq!(
        welcome[0],
        Event::LoggedIn {
            user: "alice".into()
        },
        "LoggedIn comes first; welcome: {welcome:#?}"
    );
    assert!(
        matches!(&welcome[1], Event::Limits { max_file_size, allowed_extensions }
            if *max_file_size == server.config().max_file_size
                && allowed_extensions.contains(&"pdf".to_owned())),
        "welcome: {welcome:#?}"
    );
    assert_eq!(
        users(&welcome[2]),
        names(&["alice"]),
        "welcome: {welcome:#?}"
    );
    assert_eq!(welcome[3], Event::HistoryEnd, "welcome: {welcome:#?}");

    let bob = connect(&server, "bob");
    let (before, _) = wait_collect(&bob, WAIT, |e| *e == Event::HistoryEnd);
    assert_eq!(
        before.first(),
        Some(&Event::LoggedIn { user: "bob".into() })
    );
    let listed: Vec<&Event> = before
        .iter()
        .filter(|e| matches!(e, Event::Users { .. }))
        .collect();
    assert_eq!(listed.len(), 1, "one Users event: {before:#?}");
    assert_eq!(users(listed[0]), names(&["alice", "bob"]));
    wait_for(&alice, WAIT, |e| *e == Event::Joined { user: "bob".into() });

    assert_eq!(
        alice.send_input("  hello  ").unwrap(),
        Input::Public("hello".into())
    );
    wait_for(&bob, WAIT, |e| *e == text("alice", "hello"));

    // A late comer gets the public message as history, then the DM below
    // must not reach it.
    let carol = connect(&server, "carol");
    let (before, _) = wait_collect(&carol, WAIT, |e| *e == Event::HistoryEnd);
    let history: Vec<&HistoryEntry> = before
        .iter()
        .filter_map(|e| match e {
            Event::History { ts, entry } => {
                assert!(*ts > 0, "{e:?}");
                Some(entry)
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        history,
        [&HistoryEntry::Text {
            from: "alice".into(),
            text: "hello".into()
        }]
    );

    assert_eq!(
        alice.send_input("@bob hi").unwrap(),
        Input::Direct {
            to: "bob".into(),
            text: "hi".into()
        }
    );
    wait_for(&bob, WAIT, |e| *e == dm("alice", "hi"));

    // `@bob` alone is refused locally and sends nothing.
    assert!(
        matches!(
            alice.send_input("@bob"),
            Err(SendError::Input(InputError::MissingMessage))
        ),
        "@bob without a message"
    );
    alice.send_text("barrier").unwrap();
    for client in [&bob, &carol] {
        let (skipped, _) = wait_collect(client, WAIT, |e| *e == text("alice", "barrier"));
        assert!(
            !skipped
                .iter()
                .any(|e| matches!(e, Event::Dm { .. } | Event::Text { .. })),
            "{} got a message it should not have: {skipped:#?}",
            client.user()
        );
    }
}

#[test]
fn slash_dm_works_like_at() {
    let server = TestServer::start();
    let alice = join(&server, "alice");
    let bob = join(&server, "bob");
    assert_eq!(
        alice.send_input("/dm bob psst, over here").unwrap(),
        Input::Direct {
            to: "bob".into(),
            text: "psst, over here".into()
        }
    );
    wait_for(&bob, WAIT, |e| *e == dm("alice", "psst, over here"));
}

/// `quit` sends `QUIT` after everything queued and waits for the server
/// to close: every line sent before it arrives, in order, before the user
/// leaves, and once it returns every thread of the client has ended.
#[test]
fn quit_delivers_what_was_sent_before_it() {
    let server = TestServer::start();
    let alice = join(&server, "alice");
    let bob = join(&server, "bob");
    let last_words: Vec<String> = (1..=20).map(|i| format!("last words {i}")).collect();
    for line in &last_words {
        alice.send_text(line).unwrap();
    }
    let events = alice.events().clone();
    let TestClient { client, dir } = alice;
    client.quit();
    // Every thread of the client holds the channel's sender.
    loop {
        match events.recv_timeout(WAIT) {
            Ok(_) => continue,
            Err(e) if e.is_disconnected() => break,
            Err(_) => panic!("a thread of the client outlived quit"),
        }
    }
    drop(dir);
    let (skipped, _) = wait_collect(&bob, WAIT, |e| {
        *e == Event::Left {
            user: "alice".into(),
        }
    });
    let heard: Vec<Event> = skipped
        .into_iter()
        .filter(|e| matches!(e, Event::Text { .. }))
        .collect();
    let said: Vec<Event> = last_words.iter().map(|line| text("alice", line)).collect();
    assert_eq!(heard, said, "all of it, in order, before alice left");
}

#[test]
fn the_waker_is_called_for_every_event() {
    let server = TestServer::start();
    let wakes = Arc::new(AtomicUsize::new(0));
    let counter = wakes.clone();
    let alice = connect_with(server.addr(), "alice", |config| {
        config.waker = Some(Arc::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }));
    });
    let (welcome, _) = wait_collect(&alice, WAIT, |e| *e == Event::HistoryEnd);
    let bob = join(&server, "bob");
    bob.send_text("wake up").unwrap();
    let (between, _) = wait_collect(&alice, WAIT, |e| *e == text("bob", "wake up"));
    let received = welcome.len() + 1 + between.len() + 1;
    // The waker runs right after each event is queued, so it may trail the
    // receiver by a moment: it is a counter, not an event, so poll it.
    assert!(
        wait_until(WAIT, || wakes.load(Ordering::SeqCst) >= received),
        "{} wakes for {received} events",
        wakes.load(Ordering::SeqCst)
    );
}
