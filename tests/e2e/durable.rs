//! The message store seen from the wire: an offline user's DMs survive any
//! amount of traffic, history and ids survive a restart, a data dir from
//! before the store opens with everything in it, and a backup taken during
//! a flood holds every event acknowledged before it began.
//!
//! See: issue 10, "A durable message store".

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use media_chat_e2e::{RawClient, TestServer, dir_entries, event_body, event_id, sha256_hex};

use crate::PW;

#[test]
fn a_dm_to_an_offline_v2_user_arrives_after_a_thousand_public_messages() {
    let server = TestServer::start();
    server.client_v1("bob", PW).quit();
    let mut a = server.client_v1("a", PW);
    a.send_line("DM|bob|psst, before the flood");
    a.expect_line("NOTIFY|bob is offline; they will get your message when they log in");
    let mut flood = Vec::new();
    for n in 0..1000 {
        flood.extend_from_slice(format!("TEXT|public {n}\n").as_bytes());
    }
    a.send_bytes(&flood);
    a.expect_quiet();
    let mut bob = server.connect();
    let history = bob.login_v2("bob", PW).history();
    assert!(
        history.contains(&"DM|a|bob|psst, before the flood".to_owned()),
        "the DM is missing from {} history lines",
        history.len()
    );
    assert_eq!(
        history.last().map(String::as_str),
        Some("TEXT|a|public 999")
    );
    // Only once: the next login has it among the newest 100 no more.
    drop(bob);
    let mut again = server.connect();
    let history = again.login_v2("bob", PW).history();
    assert_eq!(history.len(), 100, "the newest 100, nothing missed");
}

/// The notice that a DM waits for its reader comes from the hub once the DM
/// is stored, while the session reads on: it still comes before the
/// answers to the commands after the DM.
#[test]
fn the_offline_notice_comes_before_the_answers_to_later_commands() {
    let server = TestServer::start();
    server.client_v1("bob", PW).quit();
    let mut a = server.client_v1("a", PW);
    a.send_bytes(b"DM|bob|psst\nDM|ghost|boo\nPING|p\n");
    a.expect_lines(&[
        "NOTIFY|bob is offline; they will get your message when they log in",
        "ERROR|No such user: ghost",
        "PONG|p",
    ]);
}

#[test]
fn a_v1_login_gets_the_newest_thousand_missed_dms_then_a_notice() {
    let server = TestServer::start();
    server.client_v1("bob", PW).quit();
    let mut a = server.client_v1("a", PW);
    let mut dms = Vec::new();
    for n in 0..1001 {
        dms.extend_from_slice(format!("DM|bob|dm {n}\n").as_bytes());
    }
    a.send_bytes(&dms);
    a.collect_pending();
    let lines = server.connect().login_v1("bob", PW);
    assert_eq!(lines[0], "LOGIN_OK|bob");
    assert_eq!(lines[1], "DM|a|dm 1");
    assert_eq!(lines[1000], "DM|a|dm 1000");
    assert_eq!(
        lines[1001],
        "NOTIFY|Older private messages than these 1000 were left out; a newer client shows them all"
    );
    assert_eq!(lines.len(), 1002, "{:?}", &lines[1000..]);
}

#[test]
fn history_and_ids_survive_a_restart() {
    let mut server = TestServer::start();
    let mut an = server.connect();
    an.login_v3("an", PW, None);
    an.send_line("SEND|r1|#general|before the restart");
    let ack = an.read_line();
    let first: u64 = ack
        .split('|')
        .nth(2)
        .and_then(|id| id.parse().ok())
        .expect("an ACK");
    server.restart();
    let mut an = server.connect();
    let welcome = an.login_v3("an", PW, None);
    assert_eq!(welcome.event_ids(), [first]);
    assert_eq!(
        event_body(welcome.events()[0]),
        "#general|TEXT|an|before the restart"
    );
    an.send_line("SEND|r1|#general|before the restart");
    an.expect_line(&format!(
        "ACK|r1|{first}|{}",
        ack.split('|').nth(3).expect("a time")
    ));
    an.send_line("SEND|r2|#general|after");
    let second: u64 = an
        .read_line()
        .split('|')
        .nth(2)
        .and_then(|id| id.parse().ok())
        .expect("an ACK");
    assert!(second > first, "ids go on after a restart");
    assert!(server.data_dir().join("media-chat.db").is_file());
}

/// The seed's creds line for ton (password 1234) and a chat log as the
/// server wrote it before the store.
const OLD_CREDS: &str = "ton|03ac674216f3e15c761ee1a5e255f067953623c8b388b4459e13f978d7c846f4\n";

#[test]
fn an_older_data_dir_opens_with_everything_visible() {
    let photo = b"\x89PNG not really";
    let sha = sha256_hex(photo);
    let log = format!(
        "2026-11-20T08:00:00Z|JOIN|minh\n\
         2026-11-20T08:00:01Z|TEXT|minh|chào cả lớp\n\
         2026-11-20T08:00:02Z|FILE|minh|ảnh.png|{}|{sha}\n\
         2026-11-20T08:00:03Z|JOIN|ton\n\
         2026-11-20T08:00:04Z|DM|minh|ton|seen live\n\
         2026-11-20T08:00:05Z|LEAVE|ton\n\
         2026-11-20T08:00:06Z|DM_OFFLINE|minh|ton|held for ton\n\
         2026-11-20T08:00:07Z|LEAVE|minh\n\
         2026-11-20T08:00:08Z|TEXT|minh|cut sh",
        photo.len()
    );
    let server = TestServer::start_seeded(
        &[
            ("creds.txt", OLD_CREDS.as_bytes()),
            ("message_history.txt", log.as_bytes()),
            ("server_files/ảnh.png", photo),
        ],
        |_| {},
    );
    // The held DM, at ton's next (seed-client) login, with his old password.
    let lines = server.connect().login_v1("ton", "1234");
    assert_eq!(lines[..2], ["LOGIN_OK|ton", "DM|minh|held for ton"]);
    let mut viewer = server.connect();
    let welcome = viewer.login_v2("viewer", PW);
    assert_eq!(
        welcome.history(),
        [
            "TEXT|minh|chào cả lớp".to_owned(),
            format!("FILE_SHARED|minh|ảnh.png|{}|{sha}", photo.len()),
        ],
        "public history; the torn last line is skipped"
    );
    assert_eq!(
        welcome.history_with_ts()[0].0,
        1_795_161_601,
        "times carry over"
    );
    viewer.send_line("LIST_FILES");
    viewer.expect_lines(&[
        &format!("FILE_INFO|ảnh.png|{}|{sha}|minh|1795161602", photo.len()),
        "FILES_END",
    ]);
    assert_eq!(viewer.download_v2("ảnh.png"), photo);
    assert!(server.data_dir().join("media-chat.db").is_file());
}

#[test]
fn a_backup_taken_during_a_flood_holds_every_event_acknowledged_before_it() {
    let server = TestServer::start();
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<acks::Acks> = Arc::default();
    let flood = {
        let (addr, stop, acked) = (server.addr(), stop.clone(), acked.clone());
        thread::spawn(move || {
            let mut an = RawClient::connect(addr);
            an.login_v3("an", PW, None);
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                an.send_line(&format!("SEND|b-{n}|#general|flood {n}"));
                let ack = an.read_line();
                let id = ack
                    .split('|')
                    .nth(2)
                    .and_then(|id| id.parse().ok())
                    .expect("an ACK");
                acked.push(id, format!("flood {n}"));
                n += 1;
            }
        })
    };
    acked.wait_for(300);
    let before = acked.snapshot();
    let copy = tempfile::tempdir().expect("a temp dir");
    let dest = copy.path().join("backup");
    let report = media_chat_server::backup(server.data_dir(), &dest).expect("a backup");
    stop.store(true, Ordering::Relaxed);
    flood.join().expect("the flood");
    assert_eq!(report.files, 0);
    assert!(dir_entries(&dest).contains("creds.txt"));
    // Restore: a server on the copy has every event acknowledged before the
    // backup began, under its id.
    let restored = TestServer::start_from(&dest, |_| {});
    let mut reader = restored.connect();
    reader.login_v3("an", PW, None);
    let mut found = BTreeMap::new();
    let mut before_id = 0;
    loop {
        reader.send_line(&format!("BEFORE|#general|{before_id}|200"));
        let mut oldest = None;
        let more = loop {
            let line = reader.read_line();
            if let Some(more) = line.strip_prefix("PAGE_END|#general|") {
                break more == "1";
            }
            let id = event_id(&line);
            oldest.get_or_insert(id);
            found.insert(id, event_body(&line));
        };
        match oldest {
            Some(oldest) if more => before_id = oldest,
            _ => break,
        }
    }
    for (id, text) in &before {
        assert_eq!(
            found.get(id).map(String::as_str),
            Some(format!("#general|TEXT|an|{text}").as_str()),
            "event {id} acknowledged before the backup is missing"
        );
    }
}

/// A list of acknowledged events shared with the flood thread.
mod acks {
    use std::sync::{Condvar, Mutex};

    use super::Duration;

    /// Acknowledged `(id, text)` pairs, and a way to wait for a count.
    #[derive(Default)]
    pub struct Acks {
        list: Mutex<Vec<(u64, String)>>,
        grew: Condvar,
    }

    impl Acks {
        pub fn push(&self, id: u64, text: String) {
            self.list.lock().expect("a lock").push((id, text));
            self.grew.notify_all();
        }

        /// Waits (at most a minute) until `count` are acknowledged.
        pub fn wait_for(&self, count: usize) {
            let list = self.list.lock().expect("a lock");
            let (list, timeout) = self
                .grew
                .wait_timeout_while(list, Duration::from_secs(60), |list| list.len() < count)
                .expect("a lock");
            assert!(!timeout.timed_out(), "only {} acknowledged", list.len());
        }

        pub fn snapshot(&self) -> Vec<(u64, String)> {
            self.list.lock().expect("a lock").clone()
        }
    }
}
