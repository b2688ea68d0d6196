//! Uploads and downloads through the client library against a real server:
//! a 5 MB round trip with progress, refusals made locally before any byte
//! is sent, clearing the download cache (also in the background),
//! cancelling a download, and deleting a shared file as the quota follows.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use media_chat_client::{Body, Cleared, Direction, Event, Sha256Digest, TransferError, TransferId};
use media_chat_e2e::{TestServer, dir_entries, file_bytes, sha256_hex};

use crate::PW;
use crate::client::{
    TestClient, WAIT, connect, connect_with, is_text, join, wait_collect, wait_for, write_file,
};

/// Whether `event` ends transfer `id`.
fn ends(event: &Event, id: TransferId) -> bool {
    matches!(event,
        Event::Uploaded { id: i, .. }
        | Event::Downloaded { id: i, .. }
        | Event::TransferFailed { id: i, .. }
        | Event::TransferCancelled { id: i, .. } if *i == id)
}

/// Waits for transfer `id` to end; returns its progress `(done, total)`
/// pairs and the final event.
fn finish(client: &TestClient, id: TransferId, direction: Direction) -> (Vec<(u64, u64)>, Event) {
    let (seen, last) = wait_collect(client, WAIT, |e| ends(e, id));
    let progress = seen
        .iter()
        .filter_map(|e| match e {
            Event::Progress {
                id: i,
                direction: d,
                done,
                total,
                ..
            } if *i == id => {
                assert_eq!(*d, direction, "{e:?}");
                Some((*done, *total))
            }
            _ => None,
        })
        .collect();
    (progress, last)
}

/// Asserts progress went strictly up and ended at `total`.
fn assert_progress(progress: &[(u64, u64)], total: u64) {
    assert!(!progress.is_empty(), "no Progress events");
    assert!(
        progress.windows(2).all(|w| w[0].0 < w[1].0),
        "progress did not increase: {progress:?}"
    );
    assert!(
        progress
            .iter()
            .all(|&(done, t)| t == total && done <= total),
        "{progress:?}"
    );
    assert_eq!(progress.last(), Some(&(total, total)));
}

fn digest(bytes: &[u8]) -> Sha256Digest {
    Sha256Digest::from_hex(&sha256_hex(bytes)).expect("a valid digest")
}

#[test]
fn a_five_megabyte_file_uploads_and_downloads_byte_identical() {
    let server = TestServer::start();
    let alice = join(&server, "alice");
    let bob = join(&server, "bob");
    let body = file_bytes("pdf", 5 * 1024 * 1024, 101);
    let size = body.len() as u64;
    let source = tempfile::tempdir().unwrap();
    let path = write_file(source.path(), "big.pdf", &body);

    let up = alice.send_file(&path).expect("the upload starts");
    let (progress, done) = finish(&alice, up, Direction::Upload);
    assert_eq!(
        done,
        Event::Uploaded {
            id: up,
            name: "big.pdf".into(),
            size
        }
    );
    assert_progress(&progress, size);
    let shared = Body::File {
        name: "big.pdf".into(),
        size,
        sha256: digest(&body),
        preview: None,
    };
    wait_for(&bob, WAIT, |e| {
        matches!(e, Event::Message { message, .. }
            if message.author == "alice" && message.body == shared && message.id().is_some())
    });
    assert!(fs::read(server.files_dir().join("big.pdf")).unwrap() == body);

    let down = bob.get_file("big.pdf").expect("the download starts");
    let (progress, done) = finish(&bob, down, Direction::Download);
    let Event::Downloaded { id, name, path } = done else {
        panic!("expected Downloaded, got {done:?}");
    };
    assert_eq!((id, name.as_str()), (down, "big.pdf"));
    assert_progress(&progress, size);
    assert_eq!(path.parent(), Some(bob.cache_dir()), "{}", path.display());
    assert!(fs::read(&path).unwrap() == body, "the download differs");
    assert_eq!(
        dir_entries(bob.cache_dir()),
        BTreeSet::from(["big.pdf".into()])
    );
    assert_eq!(bob.active_transfers(), 0);
}

#[test]
fn refused_uploads_are_refused_before_any_byte_is_sent() {
    let server = TestServer::start_with(|config| config.max_file_size = 1000);
    let alice = connect(&server, "alice");
    wait_for(&alice, WAIT, |e| {
        matches!(
            e,
            Event::Limits {
                max_file_size: 1000,
                ..
            }
        )
    });
    wait_for(&alice, WAIT, |e| *e == Event::Synced);
    let source = tempfile::tempdir().unwrap();
    let dir = source.path();

    let result = alice.send_file(write_file(dir, "big.png", &[7; 1001]));
    assert!(
        matches!(
            result,
            Err(TransferError::TooLarge {
                size: 1001,
                max: 1000
            })
        ),
        "{result:?}"
    );
    let result = alice.send_file(write_file(dir, "tool.exe", b"MZ"));
    assert!(
        matches!(&result, Err(TransferError::TypeNotAllowed { extension, allowed })
            if extension == ".exe" && allowed.contains("png")),
        "{result:?}"
    );
    let result = alice.send_file(write_file(dir, "README", b"hi"));
    assert!(
        matches!(&result, Err(TransferError::TypeNotAllowed { extension, .. })
            if extension == "no extension"),
        "{result:?}"
    );
    let result = alice.send_file(write_file(dir, ".hidden.png", b"hi"));
    assert!(
        matches!(result, Err(TransferError::BadName(_))),
        "{result:?}"
    );
    fs::create_dir(dir.join("folder.png")).unwrap();
    let result = alice.send_file(dir.join("folder.png"));
    assert!(
        matches!(result, Err(TransferError::NotAFile(_))),
        "{result:?}"
    );
    let result = alice.send_file(dir.join("missing.png"));
    assert!(
        matches!(result, Err(TransferError::Io { .. })),
        "{result:?}"
    );

    assert_eq!(alice.active_transfers(), 0);
    // The chat connection is in order, so the answer to LIST_FILES comes
    // after anything an upload could have caused.
    alice.list_files().unwrap();
    let (skipped, list) = wait_collect(&alice, WAIT, |e| matches!(e, Event::FileList { .. }));
    assert_eq!(
        list,
        Event::FileList {
            conversation: media_chat_client::Conversation::general(),
            files: vec![]
        }
    );
    assert!(skipped.is_empty(), "{skipped:#?}");
    assert!(dir_entries(&server.files_dir()).is_empty());
    assert!(dir_entries(&server.incoming_dir()).is_empty());
}

#[test]
fn a_file_that_is_not_what_its_name_says_fails_before_it_is_sent() {
    let server = TestServer::start();
    let alice = join(&server, "alice");
    let source = tempfile::tempdir().unwrap();
    let id = alice
        .send_file(write_file(
            source.path(),
            "ảnh.png",
            b"\x7fELF\x02\x01\x01\0 not a picture",
        ))
        .unwrap();
    let done = wait_for(&alice, WAIT, |e| ends(e, id));
    assert!(
        matches!(&done, Event::TransferFailed { name, reason, .. }
            if name == "ảnh.png" && reason.contains("not a .png file")),
        "{done:?}"
    );
    assert!(dir_entries(&server.files_dir()).is_empty());
    assert!(dir_entries(&server.incoming_dir()).is_empty());
}

#[test]
fn clear_cache_removes_downloads_and_counts_them() {
    let body = file_bytes("txt", 1234, 102);
    let server = TestServer::start_seeded(&[("server_files/note.txt", &body)], |_| {});
    let alice = join(&server, "alice");
    let id = alice.get_file("note.txt").unwrap();
    let done = wait_for(&alice, WAIT, |e| ends(e, id));
    assert!(matches!(done, Event::Downloaded { .. }), "{done:?}");
    assert_eq!(
        dir_entries(alice.cache_dir()),
        BTreeSet::from(["note.txt".into()])
    );

    assert_eq!(
        alice.clear_cache().unwrap(),
        Cleared {
            files: 1,
            bytes: 1234
        }
    );
    assert!(dir_entries(alice.cache_dir()).is_empty());
    assert_eq!(alice.clear_cache().unwrap(), Cleared::default());
}

/// The same, for a caller that must not wait on the disk (the window): the
/// outcome arrives as an event.
#[test]
fn clearing_the_cache_in_the_background_reports_what_it_freed() {
    let body = file_bytes("txt", 4321, 103);
    let server = TestServer::start_seeded(&[("server_files/note.txt", &body)], |_| {});
    let alice = join(&server, "alice");
    let id = alice.get_file("note.txt").unwrap();
    let done = wait_for(&alice, WAIT, |e| ends(e, id));
    assert!(matches!(done, Event::Downloaded { .. }), "{done:?}");

    alice.clear_cache_in_background();
    let cleared = wait_for(&alice, WAIT, |e| {
        matches!(
            e,
            Event::CacheCleared { .. } | Event::CacheNotCleared { .. }
        )
    });
    assert_eq!(
        cleared,
        Event::CacheCleared {
            cleared: Cleared {
                files: 1,
                bytes: 4321
            }
        }
    );
    assert!(dir_entries(alice.cache_dir()).is_empty());
}

#[test]
fn a_cancelled_download_leaves_nothing_and_chat_goes_on() {
    let body = file_bytes("pdf", 1024 * 1024, 103);
    let server = TestServer::start_seeded(&[("server_files/big.pdf", &body)], |_| {});
    // Alice reaches the server through a proxy that holds the download
    // after 256 KiB until the test has cancelled: so the cancel always
    // lands mid-transfer, however fast the machine.
    let proxy = GatedProxy::start(server.addr(), 256 * 1024);
    let alice = connect_with(proxy.addr(), "alice", |_| {});
    wait_for(&alice, WAIT, |e| *e == Event::Synced);
    let bob = join(&server, "bob");

    let id = alice.get_file("big.pdf").unwrap();
    wait_for(
        &alice,
        WAIT,
        |e| matches!(e, Event::Progress { id: i, .. } if *i == id),
    );
    alice.cancel(id);
    proxy.open();
    let done = wait_for(&alice, WAIT, |e| ends(e, id));
    assert_eq!(
        done,
        Event::TransferCancelled {
            id,
            direction: Direction::Download,
            name: "big.pdf".into()
        }
    );
    assert_eq!(alice.active_transfers(), 0);
    assert!(
        dir_entries(alice.cache_dir()).is_empty(),
        "{:?}",
        dir_entries(alice.cache_dir())
    );
    assert!(alice.leftovers().is_empty(), "{:?}", alice.leftovers());

    alice.send_text("still here").unwrap();
    wait_for(&bob, WAIT, |e| is_text(e, "alice", "still here"));
    let again = alice.get_file("big.pdf").unwrap();
    let done = wait_for(&alice, WAIT, |e| ends(e, again));
    let Event::Downloaded { path, .. } = done else {
        panic!("expected Downloaded, got {done:?}");
    };
    assert!(fs::read(path).unwrap() == body);
}

/// A TCP proxy to `upstream` that forwards everything, except that each
/// connection's server-to-client direction stops after `limit` bytes until
/// [`GatedProxy::open`] is called.
struct GatedProxy {
    addr: SocketAddr,
    gate: Arc<(Mutex<bool>, Condvar)>,
    /// The first bytes each connection sent, in the order they connected.
    sent: Recorder,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl GatedProxy {
    fn start(upstream: SocketAddr, limit: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let gate = Arc::new((Mutex::new(false), Condvar::new()));
        let shared = gate.clone();
        let sent: Recorder = Arc::default();
        let recorder = sent.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        // Each connection's threads end when either side closes.
        let accept = thread::spawn(move || {
            for client in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(client) = client else { return };
                let Ok(server) = TcpStream::connect(upstream) else {
                    return;
                };
                let gate = shared.clone();
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let record = {
                    let mut sent = recorder.lock().unwrap();
                    sent.push(Vec::new());
                    (recorder.clone(), sent.len() - 1)
                };
                thread::spawn(move || pipe(c2, s2, None, Some(record)));
                thread::spawn(move || pipe(server, client, Some((gate, limit)), None));
            }
        });
        GatedProxy {
            addr,
            gate,
            sent,
            stop,
            accept: Some(accept),
        }
    }

    fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn open(&self) {
        let (open, signal) = &*self.gate;
        *open.lock().unwrap() = true;
        signal.notify_all();
    }

    /// What each connection sent first (up to [`RECORDED`] bytes), as text.
    fn sent(&self) -> Vec<String> {
        let sent = self.sent.lock().unwrap();
        sent.iter()
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
            .collect()
    }
}

/// The first bytes of each connection through a proxy.
type Recorder = Arc<Mutex<Vec<Vec<u8>>>>;

/// How much of each connection a proxy records.
const RECORDED: usize = 4096;

impl Drop for GatedProxy {
    fn drop(&mut self) {
        self.open();
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the blocking accept so the thread sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

type Gate = (Arc<(Mutex<bool>, Condvar)>, u64);

/// Copies `from` to `to` until either side closes, holding after the
/// gate's limit until it opens (or 10 s pass, so a failed test ends), and
/// recording the first bytes if asked.
fn pipe(
    mut from: TcpStream,
    mut to: TcpStream,
    gate: Option<Gate>,
    record: Option<(Recorder, usize)>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut forwarded = 0u64;
    let copied = (|| -> io::Result<()> {
        loop {
            let mut want = buf.len();
            if let Some((gate, limit)) = &gate {
                let (open, signal) = &**gate;
                let mut is_open = open.lock().unwrap();
                if !*is_open {
                    if forwarded >= *limit {
                        let deadline = Instant::now() + Duration::from_secs(10);
                        while !*is_open && Instant::now() < deadline {
                            is_open = signal
                                .wait_timeout(is_open, Duration::from_millis(100))
                                .unwrap()
                                .0;
                        }
                    } else {
                        want = want.min((*limit - forwarded) as usize);
                    }
                }
            }
            let n = from.read(&mut buf[..want])?;
            if n == 0 {
                return Ok(());
            }
            if let Some((recorder, index)) = &record {
                let mut sent = recorder.lock().unwrap();
                let kept = &mut sent[*index];
                let room = RECORDED.saturating_sub(kept.len()).min(n);
                kept.extend_from_slice(&buf[..room]);
            }
            to.write_all(&buf[..n])?;
            forwarded += n as u64;
        }
    })();
    // Either side closing ends both directions; how it ended is no matter.
    drop(copied);
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

/// Every upload and download used to log in again on a connection of its
/// own: a full password check, a welcome thrown away, and a session that
/// joined the room (others saw the user join and leave). Now a transfer
/// logs in with a single-use token from the chat session and stays out of
/// the room.
/// See: issue 10, "A durable message store".
#[test]
fn transfers_log_in_with_a_token_and_stay_out_of_the_room() {
    let server = TestServer::start();
    let mut watcher = server.client_v2("watcher", PW);
    let proxy = GatedProxy::start(server.addr(), u64::MAX);
    let alice = connect_with(proxy.addr(), "alice", |_| {});
    wait_for(&alice, WAIT, |e| *e == Event::Synced);
    watcher.skip_until("JOINED|alice");
    let body = file_bytes("png", 300_000, 105);
    let source = tempfile::tempdir().unwrap();
    let path = write_file(source.path(), "ảnh.png", &body);

    let up = alice.send_file(&path).unwrap();
    let (_, done) = finish(&alice, up, Direction::Upload);
    assert!(matches!(done, Event::Uploaded { .. }), "{done:?}");
    let down = alice.get_file("ảnh.png").unwrap();
    let (_, done) = finish(&alice, down, Direction::Download);
    let Event::Downloaded { path, .. } = done else {
        panic!("expected Downloaded, got {done:?}");
    };
    assert!(fs::read(path).unwrap() == body, "verified by SHA-256");

    // The watcher saw the share and nothing of the transfer connections.
    let seen = watcher.collect_pending();
    assert_eq!(
        seen,
        [format!(
            "FILE_SHARED|alice|ảnh.png|{}|{}",
            body.len(),
            sha256_hex(&body)
        )],
        "no JOINED or LEFT for a transfer"
    );
    // One password login (the chat); the transfers came with tokens.
    let sent = proxy.sent();
    assert_eq!(sent.len(), 3, "{sent:#?}");
    assert!(sent[0].contains("LOGIN|alice|"), "{sent:#?}");
    for transfer in &sent[1..] {
        assert!(
            transfer.starts_with("HELLO|3\nTRANSFER|") && !transfer.contains("LOGIN|"),
            "{sent:#?}"
        );
    }
    // Nor did alice's own chat see presence of its transfers.
    alice.send_text("barrier").unwrap();
    let (between, _) = wait_collect(
        &alice,
        WAIT,
        |e| matches!(e, Event::Delivery { message, .. } if !message.is_pending()),
    );
    assert!(
        !between
            .iter()
            .any(|e| matches!(e, Event::Joined { .. } | Event::Left { .. })),
        "{between:#?}"
    );
}

// See: issue 13, "Delete and quotas".
#[test]
fn a_shared_file_is_deleted_through_the_library_and_the_quota_follows() {
    let server = TestServer::start_with(|config| {
        config.file_space.per_user = Some(1_000_000);
        config.file_space.min_free_disk = 0;
    });
    let alice = join(&server, "alice");
    let bob = join(&server, "bob");
    assert_eq!(
        alice.quota(),
        Some(media_chat_client::Quota {
            used: 0,
            limit: Some(1_000_000),
            left: 1_000_000
        }),
        "announced at login"
    );
    let body = file_bytes("png", 4000, 13);
    let path = write_file(alice.dir.path(), "ảnh.png", &body);
    let id = alice.send_file(&path).unwrap();
    let expected = media_chat_client::Quota {
        used: 4000,
        limit: Some(1_000_000),
        left: 996_000,
    };
    // The new quota comes on the chat connection, the upload's end on its
    // own: in either order.
    let (seen, last) = wait_collect(&alice, WAIT, |e| ends(e, id));
    assert!(matches!(last, Event::Uploaded { .. }), "{last:?}");
    if !seen.contains(&Event::Quota(expected)) {
        wait_for(&alice, WAIT, |e| *e == Event::Quota(expected));
    }
    assert_eq!(alice.quota(), Some(expected));
    let share = wait_for(
        &bob,
        WAIT,
        |e| matches!(e, Event::Message { message, .. } if matches!(message.body, Body::File { .. })),
    );
    let Event::Message { mut message, .. } = share else {
        unreachable!()
    };

    let general = media_chat_client::Conversation::general();
    bob.delete_file(general.clone(), "ảnh.png").unwrap();
    wait_for(
        &bob,
        WAIT,
        |e| matches!(e, Event::ServerError { reason } if reason.starts_with("Only its uploader")),
    );
    alice.delete_file(general.clone(), "ảnh.png").unwrap();
    let deleted = wait_for(&bob, WAIT, |e| matches!(e, Event::FileDeleted { .. }));
    let Event::FileDeleted { id, name, by, .. } = deleted else {
        unreachable!()
    };
    assert_eq!((name.as_str(), by.as_str()), ("ảnh.png", "alice"));
    assert!(message.id().is_some_and(|share| share < id));
    assert!(message.file_deleted(&name));
    assert_eq!(
        message.body,
        Body::FileDeleted {
            name: "ảnh.png".into()
        }
    );
    assert_eq!(
        wait_for(&alice, WAIT, |e| matches!(e, Event::Quota(_))),
        Event::Quota(media_chat_client::Quota {
            used: 0,
            limit: Some(1_000_000),
            left: 1_000_000
        })
    );

    // A page shows the share as deleted.
    bob.load_before(general, 0, 50).unwrap();
    let paged = wait_for(
        &bob,
        WAIT,
        |e| matches!(e, Event::Message { message, .. } if matches!(message.body, Body::FileDeleted { .. })),
    );
    assert!(matches!(paged, Event::Message { message, .. } if message.author == "alice"));
}
