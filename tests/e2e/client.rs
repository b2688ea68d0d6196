//! The client library (`media-chat-client`) against a real server: login
//! events, public and private messages, `/dm`, `quit` delivering what was
//! sent before it, and the waker. Also the helpers the other `client_*`
//! modules share: [`TestClient`], [`join`], [`wait_for`], [`wait_collect`],
//! [`chat_events`].
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
    Client, ClientConfig, Conversation, Delivery, Event, InputError, Message, Origin, SendError,
    Transport,
};
use media_chat_e2e::{TestServer, wait_until};
use tempfile::TempDir;

use crate::PW;

/// How long a test waits for one event.
pub const WAIT: Duration = Duration::from_secs(5);

/// A library client with its own temporary dir; its download cache is
/// `<dir>/a/cache`, so a test can check that nothing appeared beside it,
/// and its data dir `<dir>/data`.
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
    /// cache dir itself and its parent, and the data dir: what a download
    /// left behind.
    pub fn leftovers(&self) -> BTreeSet<PathBuf> {
        let mut paths = media_chat_e2e::tree(self.root());
        paths.remove(Path::new("a"));
        paths.remove(Path::new("a/cache"));
        paths.retain(|path| !path.starts_with("data"));
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
    config.data_dir = Some(dir.path().join("data"));
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

/// Connects `user` and consumes the welcome up to [`Event::Synced`].
pub fn join(server: &TestServer, user: &str) -> TestClient {
    let client = connect(server, user);
    wait_for(&client, WAIT, |e| *e == Event::Synced);
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

/// Pages back through `conversation` from `before` until reaching `after`
/// (exclusive), with [`Client::load_before`]; returns the messages with
/// ids in between, oldest first.
pub fn page_back(
    client: &Client,
    conversation: Conversation,
    before: u64,
    after: u64,
) -> Vec<Message> {
    let mut older: Vec<Message> = Vec::new();
    let mut cursor = before;
    loop {
        client
            .load_before(conversation.clone(), cursor, 50)
            .expect("paging");
        let (events, end) = wait_collect(client, WAIT, |e| matches!(e, Event::PageEnd { .. }));
        let page: Vec<Message> = events
            .into_iter()
            .filter_map(|e| match e {
                Event::Message {
                    message,
                    origin: Origin::Page,
                } => Some(message),
                _ => None,
            })
            .collect();
        let reached = page
            .first()
            .is_none_or(|m| m.id().is_some_and(|id| id <= after));
        let first = page.first().and_then(Message::id);
        older.splice(
            0..0,
            page.into_iter()
                .filter(|m| m.id().is_some_and(|id| id > after)),
        );
        match (end, first) {
            (Event::PageEnd { more: true, .. }, Some(first)) if !reached => cursor = first,
            _ => return older,
        }
    }
}

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    path
}

/// The author and text of a text message event (any origin).
pub fn said(event: &Event) -> Option<(&Conversation, &str, &str)> {
    match event {
        Event::Message { message, .. } => message
            .text()
            .map(|text| (&message.conversation, message.author.as_str(), text)),
        _ => None,
    }
}

/// Whether `event` is a public message from `from` saying `text`.
pub fn is_text(event: &Event, from: &str, text: &str) -> bool {
    said(event).is_some_and(|(c, a, t)| c.is_general() && a == from && t == text)
}

/// Whether `event` is a private message from `from` saying `text`.
pub fn is_dm(event: &Event, from: &str, text: &str) -> bool {
    said(event)
        .is_some_and(|(c, a, t)| matches!(c, Conversation::Direct(_)) && a == from && t == text)
}

/// Whether `event` is the engine's bookkeeping of conversations (the list,
/// counts, the current one), which comes alongside the chat's own events.
pub fn is_conversation_event(event: &Event) -> bool {
    matches!(
        event,
        Event::Conversation { .. }
            | Event::Unread { .. }
            | Event::ConversationGone { .. }
            | Event::CurrentChanged { .. }
    )
}

/// `events` without [`is_conversation_event`]s.
pub fn chat_events(events: Vec<Event>) -> Vec<Event> {
    events
        .into_iter()
        .filter(|e| !is_conversation_event(e))
        .collect()
}

/// Whether `event` is a live or backlog text message (not a page).
pub fn is_message(event: &Event) -> bool {
    matches!(event, Event::Message { origin, .. } if *origin != Origin::Page)
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
    let (mut welcome, synced) = wait_collect(&alice, WAIT, |e| *e == Event::Synced);
    // #general, the one conversation of a new user, comes before Synced.
    assert!(
        matches!(welcome.last(), Some(Event::Conversation { info }) if info.conversation.is_general()),
        "welcome: {welcome:#?}"
    );
    let mut welcome = chat_events(std::mem::take(&mut welcome));
    welcome.push(synced);
    assert_eq!(welcome.len(), 5, "welcome: {welcome:#?}");
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
    assert!(
        matches!(welcome[3], Event::Quota(quota) if quota.used == 0),
        "welcome: {welcome:#?}"
    );
    assert_eq!(welcome[4], Event::Synced, "welcome: {welcome:#?}");

    let bob = connect(&server, "bob");
    let (before, _) = wait_collect(&bob, WAIT, |e| *e == Event::Synced);
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

    let hello = alice.send_input("  hello  ").unwrap();
    assert_eq!(
        (&hello.conversation, hello.text(), hello.author.as_str()),
        (&Conversation::general(), Some("hello"), "alice")
    );
    let token = hello.token().expect("pending, with a token").to_owned();
    let acked = wait_for(&alice, WAIT, |e| matches!(e, Event::Delivery { .. }));
    let Event::Delivery {
        token: acked_token,
        message,
    } = acked
    else {
        unreachable!()
    };
    assert_eq!(acked_token, token);
    let Delivery::Sent { id: Some(id) } = message.state else {
        panic!("not acknowledged with an id: {message:?}");
    };
    assert_eq!(message.text(), Some("hello"));
    let heard = wait_for(&bob, WAIT, |e| is_text(e, "alice", "hello"));
    assert!(
        matches!(&heard, Event::Message { message, origin: Origin::Live } if message.id() == Some(id)),
        "bob got the acknowledged id: {heard:?}"
    );

    // A late comer gets the public message as history, then the DM below
    // must not reach it.
    let carol = connect(&server, "carol");
    let (before, _) = wait_collect(&carol, WAIT, |e| *e == Event::Synced);
    let history: Vec<(&Origin, Option<u64>, u64)> = before
        .iter()
        .filter_map(|e| match e {
            Event::Message { message, origin } if is_text(e, "alice", "hello") => {
                Some((origin, message.id(), message.ts))
            }
            Event::Message { .. } => panic!("carol's backlog: {e:?}"),
            _ => None,
        })
        .collect();
    assert!(
        matches!(history.as_slice(), [(Origin::Backlog, Some(i), ts)] if *i == id && *ts > 0),
        "{before:#?}"
    );

    let hi = alice.send_input("@bob hi").unwrap();
    assert_eq!(hi.conversation, Conversation::Direct("bob".into()));
    let heard = wait_for(&bob, WAIT, |e| is_dm(e, "alice", "hi"));
    assert!(
        matches!(&heard, Event::Message { message, .. } if message.conversation == Conversation::Direct("alice".into())),
        "named from bob's side: {heard:?}"
    );

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
        let (skipped, _) = wait_collect(client, WAIT, |e| is_text(e, "alice", "barrier"));
        assert!(
            !skipped.iter().any(is_message),
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
    let sent = alice.send_input("/dm bob psst, over here").unwrap();
    assert_eq!(sent.conversation, Conversation::Direct("bob".into()));
    assert_eq!(sent.text(), Some("psst, over here"));
    wait_for(&bob, WAIT, |e| is_dm(e, "alice", "psst, over here"));
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
    let heard: Vec<&str> = skipped.iter().filter_map(said).map(|(_, _, t)| t).collect();
    assert_eq!(heard, last_words, "all of it, in order, before alice left");
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
    let (welcome, _) = wait_collect(&alice, WAIT, |e| *e == Event::Synced);
    let bob = join(&server, "bob");
    bob.send_text("wake up").unwrap();
    let (between, _) = wait_collect(&alice, WAIT, |e| is_text(e, "bob", "wake up"));
    let received = welcome.len() + 1 + between.len() + 1;
    // The waker runs right after each event is queued, so it may trail the
    // receiver by a moment: it is a counter, not an event, so poll it.
    assert!(
        wait_until(WAIT, || wakes.load(Ordering::SeqCst) >= received),
        "{} wakes for {received} events",
        wakes.load(Ordering::SeqCst)
    );
}

/// In version 3 the server echoes a message to the sender's other
/// sessions; a private one used to reach only its recipient, so the
/// sender's desktop never showed what they wrote from the terminal.
#[test]
fn an_own_message_from_another_session_is_shown_private_ones_too() {
    let server = TestServer::start();
    let desk = join(&server, "alice");
    let phone = join(&server, "alice");
    let bob = join(&server, "bob");
    phone.send_input("@bob từ điện thoại").unwrap();
    phone.send_text("public too").unwrap();
    let echo = wait_for(&desk, WAIT, |e| said(e).is_some());
    let Event::Message { message, origin } = echo else {
        unreachable!()
    };
    assert_eq!(origin, Origin::Live);
    assert_eq!(message.author, "alice");
    assert_eq!(message.conversation, Conversation::Direct("bob".into()));
    assert_eq!(message.text(), Some("từ điện thoại"));
    assert!(message.id().is_some());
    wait_for(&desk, WAIT, |e| is_text(e, "alice", "public too"));
    wait_for(&bob, WAIT, |e| is_dm(e, "alice", "từ điện thoại"));
}

#[test]
fn read_positions_reach_the_users_other_sessions_at_most_once_a_second() {
    let server = TestServer::start();
    let desk = join(&server, "alice");
    let phone = join(&server, "alice");
    let bob = join(&server, "bob");
    let ids: Vec<u64> = (0..3)
        .map(|i| {
            bob.send_text(&format!("read me {i}")).unwrap();
            match wait_for(&desk, WAIT, |e| said(e).is_some()) {
                Event::Message { message, .. } => message.id().expect("an id"),
                _ => unreachable!(),
            }
        })
        .collect();
    for &id in &ids {
        desk.mark_read(Conversation::general(), id);
    }
    // Backwards or repeated: nothing to say.
    desk.mark_read(Conversation::general(), ids[0]);
    let mut positions = Vec::new();
    while positions.last() != Some(&ids[2]) {
        match wait_for(&phone, WAIT, |e| matches!(e, Event::ReadUpTo { .. })) {
            Event::ReadUpTo { conversation, id } => {
                assert!(conversation.is_general());
                positions.push(id);
            }
            _ => unreachable!(),
        }
    }
    assert!(positions.len() <= 2, "debounced: {positions:?}");
    // A later session learns it at login.
    let later = connect(&server, "alice");
    let (welcome, _) = wait_collect(&later, WAIT, |e| *e == Event::Synced);
    assert!(
        welcome.contains(&Event::ReadUpTo {
            conversation: Conversation::general(),
            id: ids[2]
        }),
        "{welcome:#?}"
    );
}

#[test]
fn older_messages_come_a_page_at_a_time() {
    let server = TestServer::start();
    let mut poster = server.connect();
    poster.login_v3("bình", PW, None);
    for n in 0..130 {
        poster.send_line(&format!("SEND|p{n}|#general|old {n}"));
        while !poster.read_line().starts_with(&format!("ACK|p{n}|")) {}
    }
    let alice = connect(&server, "alice");
    let (welcome, _) = wait_collect(&alice, WAIT, |e| *e == Event::Synced);
    let backlog: Vec<&Message> = welcome
        .iter()
        .filter_map(|e| match e {
            Event::Message { message, .. } => Some(message),
            _ => None,
        })
        .collect();
    assert_eq!(backlog.len(), 100, "the newest 100");
    assert_eq!(backlog[0].text(), Some("old 30"));
    let oldest = backlog[0].id().unwrap();
    let older = page_back(&alice, Conversation::general(), oldest, 0);
    let texts: Vec<String> = older
        .iter()
        .filter_map(|m| m.text().map(str::to_owned))
        .collect();
    let expected: Vec<String> = (0..30).map(|n| format!("old {n}")).collect();
    assert_eq!(texts, expected);
    alice
        .load_before(Conversation::general(), older[0].id().unwrap(), 10)
        .unwrap();
    let end = wait_for(&alice, WAIT, |e| matches!(e, Event::PageEnd { .. }));
    assert_eq!(
        end,
        Event::PageEnd {
            conversation: Conversation::general(),
            more: false
        }
    );
}

/// With `#general`'s member list (every account) loaded, a private
/// message to a name no account has is refused before it is shown as
/// sent; a known name, or an account made since, still goes out.
/// See: issue 14.
#[test]
fn a_private_message_to_an_unknown_user_is_refused_locally_once_everyone_is_known() {
    let server = TestServer::start();
    let alice = join(&server, "alice");
    let bob = join(&server, "bob");
    alice.load_members(Conversation::general()).unwrap();
    wait_for(&alice, WAIT, |e| matches!(e, Event::Members { .. }));
    match alice.send_dm("khongtontai", "xin chào") {
        Err(SendError::Input(InputError::NoSuchUser(name))) => assert_eq!(name, "khongtontai"),
        other => panic!("{other:?}"),
    }
    alice.send_dm("Bob", "chào").unwrap();
    wait_for(&bob, WAIT, |e| is_dm(e, "alice", "chào"));
    let carol = join(&server, "carol");
    wait_for(
        &alice,
        WAIT,
        |e| matches!(e, Event::Joined { user } if user == "carol"),
    );
    alice.send_dm("carol", "chào bạn mới").unwrap();
    wait_for(&carol, WAIT, |e| is_dm(e, "alice", "chào bạn mới"));
}
