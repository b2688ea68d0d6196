//! Version 3 on the wire: events with ids, acknowledged sends with tokens,
//! resuming after a reconnect with neither a gap nor a duplicate, paging,
//! read positions, transfer connections, and the version 3 verbs refused on
//! older connections.
//!
//! See: issue 10, "A durable message store".

use std::collections::BTreeSet;
use std::thread;

use media_chat_e2e::{RawClient, TestServer, event_body, event_id, file_bytes, file_header};

use crate::PW;

/// Sends `SEND|token|conversation|text` and waits for its `ACK`; returns
/// the event id. Lines that come before the `ACK` are returned too.
fn send(client: &mut RawClient, token: &str, conversation: &str, text: &str) -> (u64, Vec<String>) {
    client.send_line(&format!("SEND|{token}|{conversation}|{text}"));
    let mut before = Vec::new();
    loop {
        let line = client.read_line();
        if let Some(rest) = line.strip_prefix(&format!("ACK|{token}|")) {
            let id = rest.split('|').next().and_then(|id| id.parse().ok());
            return (id.unwrap_or_else(|| panic!("bad ACK {line:?}")), before);
        }
        before.push(line);
    }
}

#[test]
fn a_send_is_acknowledged_with_its_id_and_reaches_everyone_else_once() {
    let server = TestServer::start();
    let mut watcher = server.connect();
    watcher.login_v3("watcher", PW, None);
    let mut v2 = server.client_v2("old", PW);
    let mut an = server.connect();
    let welcome = an.login_v3("an", PW, None);
    assert!(welcome.synced() == 0, "{:?}", welcome.lines);
    let mut an_phone = server.connect();
    an_phone.login_v3("an", PW, None);
    watcher.skip_until("JOINED|an");
    v2.skip_until("JOINED|an");

    let (id, _) = send(&mut an, "t-1", "#general", "xin chào | cả nhà");
    let event = watcher.read_line();
    assert_eq!(event_id(&event), id);
    assert_eq!(event_body(&event), "#general|TEXT|an|xin chào | cả nhà");
    assert_eq!(
        event_body(&an_phone.read_line()),
        "#general|TEXT|an|xin chào | cả nhà"
    );
    v2.expect_line("TEXT|an|xin chào | cả nhà");
    an.expect_quiet();
    watcher.expect_quiet();

    // The same token again: the same ACK, nothing posted.
    an.send_line("SEND|t-1|#general|xin chào | cả nhà");
    an.expect_line(&format!("ACK|t-1|{id}|{}", event_ts(&event)));
    watcher.expect_quiet();
    an_phone.expect_quiet();
    v2.expect_quiet();
}

/// A session does not wait for its messages' commits (issue 10's
/// flat-out target, docs/BENCHMARKS.md), yet its answers keep the order of
/// its commands: the `ACK`s the hub sends once a batch is committed, a
/// `REJECTED` the session gives at once, the `ACK` of a token seen a moment
/// before (in the same batch, most likely), and a `PONG`.
#[test]
fn sends_written_at_once_are_answered_in_the_order_they_came() {
    let server = TestServer::start();
    let mut watcher = server.connect();
    watcher.login_v3("watcher", PW, None);
    let mut an = server.connect();
    an.login_v3("an", PW, None);
    watcher.skip_until("JOINED|an");
    an.send_bytes(
        b"SEND|t-1|#general|m\xe1\xbb\x99t\n\
          SEND|t-2|#nowhere|hai\n\
          SEND|t-1|#general|m\xe1\xbb\x99t\n\
          SEND|t-3|#general|ba\n\
          PING|p\n",
    );
    let first = an.read_line();
    let (id, ts) = match first.split('|').collect::<Vec<_>>().as_slice() {
        ["ACK", "t-1", id, ts] => (id.parse::<u64>().unwrap(), ts.to_string()),
        _ => panic!("not the first ACK: {first:?}"),
    };
    an.expect_line("REJECTED|t-2|No such room: #nowhere");
    an.expect_line(&format!("ACK|t-1|{id}|{ts}"));
    let third = an.read_line();
    let (third_id, _) = third
        .strip_prefix("ACK|t-3|")
        .and_then(|rest| rest.split_once('|'))
        .unwrap_or_else(|| panic!("not the third ACK: {third:?}"));
    assert!(third_id.parse::<u64>().unwrap() > id);
    an.expect_line("PONG|p");
    let one = watcher.read_line();
    assert_eq!(event_id(&one), id);
    assert_eq!(event_body(&one), "#general|TEXT|an|một");
    assert_eq!(event_body(&watcher.read_line()), "#general|TEXT|an|ba");
    watcher.expect_quiet();
}

fn event_ts(line: &str) -> u64 {
    line.split('|')
        .nth(2)
        .and_then(|ts| ts.parse().ok())
        .expect("a time")
}

#[test]
fn a_direct_send_is_named_from_each_side_and_seen_by_the_senders_other_sessions() {
    let server = TestServer::start();
    let mut binh = server.connect();
    binh.login_v3("Bình", PW, None);
    let mut cuong = server.connect();
    cuong.login_v3("cường", PW, None);
    let mut an = server.connect();
    an.login_v3("an", PW, None);
    let mut an_phone = server.connect();
    an_phone.login_v3("an", PW, None);
    let mut old_binh = server.client_v1("bình", PW);

    let (id, _) = send(&mut an, "d-1", "@bình", "psst");
    let to_binh = binh.skip_until_event();
    assert_eq!(event_id(&to_binh), id);
    assert_eq!(event_body(&to_binh), "@an|TEXT|an|psst");
    assert_eq!(
        event_body(&an_phone.skip_until_event()),
        "@Bình|TEXT|an|psst"
    );
    old_binh.expect_line("DM|an|psst");
    cuong.collect_pending().iter().for_each(|line| {
        assert!(!line.contains("psst"), "a third user saw a DM: {line}");
    });

    // Refusals name the token.
    an.send_line("SEND|d-2|@nobody|hi");
    an.expect_line("REJECTED|d-2|No such user: nobody");
    an.send_line("SEND|d-3|#homework|hi");
    an.expect_line("REJECTED|d-3|No such room: #homework");
    an.send_line("SEND|d-4|#general|\u{1b}[2J");
    an.expect_line(
        "REJECTED|d-4|Message refused: message may not contain control characters (found U+001B)",
    );
    an.expect_quiet();
}

trait Events {
    fn skip_until_event(&mut self) -> String;
}

impl Events for RawClient {
    /// Reads until an `EVENT` line (presence may come first).
    fn skip_until_event(&mut self) -> String {
        loop {
            let line = self.read_line();
            if line.starts_with("EVENT|") {
                return line;
            }
        }
    }
}

#[test]
fn a_resumed_login_gets_exactly_what_it_missed_while_others_keep_posting() {
    let server = TestServer::start();
    let mut first = server.connect();
    first.login_v3("an", PW, None);
    let (seen, _) = send(&mut first, "a-0", "#general", "before the drop");
    drop(first);
    // Posts while "an" is away, and more while she logs back in.
    let mut poster = server.connect();
    poster.login_v3("bình", PW, None);
    let mut posted = Vec::new();
    for n in 0..30 {
        posted.push(
            send(
                &mut poster,
                &format!("p-{n}"),
                "#general",
                &format!("away {n}"),
            )
            .0,
        );
    }
    let flood = {
        // Posting while "an" logs back in: some events land in the
        // backlog, some arrive live, some on both sides of the switch.
        let addr = server.addr();
        thread::spawn(move || {
            let mut poster = RawClient::connect(addr);
            poster.login_v3("cường", PW, None);
            (0..300)
                .map(|n| {
                    send(
                        &mut poster,
                        &format!("f-{n}"),
                        "#general",
                        &format!("during {n}"),
                    )
                    .0
                })
                .collect::<Vec<u64>>()
        })
    };
    let mut back = server.connect();
    let welcome = back.login_v3("an", PW, Some(seen));
    let backlog = welcome.event_ids();
    assert!(backlog.windows(2).all(|w| w[0] < w[1]), "{backlog:?}");
    // Live events may arrive between the lines of a page: every EVENT line
    // counts, wherever it comes.
    let mut got = backlog.clone();
    let mut live = Vec::new();
    for gap in welcome.gaps() {
        let before: u64 = gap
            .rsplit('|')
            .next()
            .and_then(|id| id.parse().ok())
            .expect("a gap");
        let mut cursor = before;
        loop {
            back.send_line(&format!("BEFORE|#general|{cursor}|50"));
            let mut page = Vec::new();
            let more = loop {
                let line = back.read_line();
                if let Some(more) = line.strip_prefix("PAGE_END|#general|") {
                    break more == "1";
                }
                if line.starts_with("EVENT|") {
                    let id = event_id(&line);
                    if id > welcome.synced() {
                        live.push(id)
                    } else {
                        page.push(id)
                    }
                }
            };
            let reached = page.first().is_none_or(|&id| id <= seen);
            got.extend(page.iter().filter(|&&id| id > seen));
            if reached || !more {
                break;
            }
            cursor = page[0];
        }
    }
    let flooded = flood.join().expect("the flood");
    let last = *flooded.last().expect("a flood");
    while live.last().is_none_or(|&id| id < last) {
        live.push(event_id(&back.skip_until_event()));
    }
    assert!(
        live.windows(2).all(|w| w[0] < w[1]),
        "live out of order: {live:?}"
    );
    let paged: Vec<u64> = got[backlog.len()..].to_vec();
    got.extend(&live);
    let unique: BTreeSet<u64> = got.iter().copied().collect();
    assert_eq!(
        unique.len(),
        got.len(),
        "a duplicate: backlog {backlog:?}, paged {paged:?}, live {live:?}, synced {}",
        welcome.synced()
    );
    let expected: BTreeSet<u64> = posted.iter().chain(&flooded).copied().collect();
    assert_eq!(unique, expected, "a gap or a stranger");
    let after: Vec<String> = back.collect_pending();
    assert!(
        after.iter().all(|line| !line.starts_with("EVENT|")),
        "events after the flood's last: {after:?}"
    );
}

#[test]
fn a_long_absence_resumes_with_a_page_and_a_gap_that_paging_fills() {
    let server = TestServer::start();
    let mut poster = server.connect();
    poster.login_v3("bình", PW, None);
    let (start, _) = send(&mut poster, "s", "#general", "start");
    let ids: Vec<u64> = (0..250)
        .map(|n| send(&mut poster, &format!("m-{n}"), "#general", &n.to_string()).0)
        .collect();
    let mut an = server.connect();
    let welcome = an.login_v3("an", PW, Some(start));
    assert_eq!(welcome.event_ids(), ids[150..], "the newest 100");
    assert_eq!(
        welcome.gaps(),
        [format!("GAP|#general|{start}|{}", ids[150]).as_str()]
    );
    // Page back from the gap to the resume point.
    let mut older = Vec::new();
    let mut before = ids[150];
    loop {
        an.send_line(&format!("BEFORE|#general|{before}|60"));
        let mut page = Vec::new();
        let more = loop {
            let line = an.read_line();
            if let Some(more) = line.strip_prefix("PAGE_END|#general|") {
                break more == "1";
            }
            page.push(event_id(&line));
        };
        assert!(page.windows(2).all(|w| w[0] < w[1]));
        let done = page.first().is_none_or(|&id| id <= start) || !more;
        older.splice(0..0, page.into_iter().filter(|&id| id > start));
        if done {
            break;
        }
        before = older[0];
    }
    assert_eq!(older, ids[..150]);
    an.send_line("BEFORE|@nobody|0|10");
    an.expect_line("ERROR|No such user: nobody");
    an.send_line("BEFORE|#general|0|0");
    let line = an.read_line();
    assert_eq!(event_id(&line), ids[249], "a limit of 0 counts as 1");
    an.expect_line("PAGE_END|#general|1");
}

/// A page is encoded into few buffers and handed to the outbox whole (one
/// write for a page of short lines); a page of long lines, many times the
/// session's send queue, is split so that it arrives whole instead of
/// overflowing the queue and losing the connection.
#[test]
fn a_page_many_times_the_send_queue_arrives_whole() {
    let server = TestServer::start_with(|config| {
        config.limits.send_queue_bytes = 64 * 1024;
        // A small queue holds only a small welcome (see Config::validate).
        config.history_len = 2;
        config.limits.max_connections = 8;
    });
    let mut poster = server.connect();
    poster.login_v3("bình", PW, None);
    let long = |n: usize| format!("{n:03} {}", "x".repeat(7000));
    let mut sends = String::new();
    for n in 0..100 {
        sends.push_str(&format!("SEND|m-{n}|#general|{}\n", long(n)));
    }
    poster.send_bytes(sends.as_bytes());
    let ids: Vec<u64> = (0..100)
        .map(|n| {
            let ack = poster.read_line();
            let id = ack
                .strip_prefix(&format!("ACK|m-{n}|"))
                .and_then(|rest| rest.split('|').next())
                .and_then(|id| id.parse().ok());
            id.unwrap_or_else(|| panic!("not the ACK of m-{n}: {ack:.40}"))
        })
        .collect();
    let mut an = server.connect();
    an.login_v3("an", PW, None);
    an.send_line("BEFORE|#general|0|100");
    for (n, id) in ids.iter().enumerate() {
        let line = an.read_line();
        assert_eq!(event_id(&line), *id);
        assert_eq!(event_body(&line), format!("#general|TEXT|bình|{}", long(n)));
    }
    an.expect_line("PAGE_END|#general|0");
    an.expect_quiet();
}

#[test]
fn read_positions_reach_the_users_other_sessions_and_the_next_login() {
    let server = TestServer::start();
    let mut an = server.connect();
    an.login_v3("an", PW, None);
    let mut phone = server.connect();
    phone.login_v3("an", PW, None);
    let (id, _) = send(&mut an, "r-1", "#general", "read me");
    phone.skip_until_event();
    an.send_line(&format!("READ|#general|{id}"));
    phone.expect_line(&format!("READ|#general|{id}"));
    an.expect_quiet();
    // Backwards changes nothing and is not passed on.
    an.send_line("READ|#general|1");
    an.expect_quiet();
    phone.expect_quiet();
    let mut later = server.connect();
    let welcome = later.login_v3("an", PW, None);
    assert!(
        welcome.lines.contains(&format!("READ|#general|{id}")),
        "{:?}",
        welcome.lines
    );
}

#[test]
fn a_read_position_counts_after_a_restart_before_anything_new_is_sent() {
    // See: issue 11 (the load generator's `unread` scenario, over an
    // imported log, found every READ ignored until a first live event).
    let mut server = TestServer::start();
    let mut an = server.connect();
    an.login_v3("an", PW, None);
    let mut bo = server.connect();
    bo.login_v3("bo", PW, None);
    let (id, _) = send(&mut an, "r-1", "@bo", "read me after the restart");
    server.restart();
    let mut bo = server.connect();
    let welcome = bo.login_v3("bo", PW, None);
    assert!(
        welcome
            .lines
            .contains(&"CONV|@an|direct|member|1|0|".to_owned()),
        "{:?}",
        welcome.lines
    );
    let mut phone = server.connect();
    phone.login_v3("bo", PW, None);
    bo.send_line(&format!("READ|@an|{id}"));
    phone.expect_line(&format!("READ|@an|{id}"));
    let welcome = server.connect().login_v3("bo", PW, None);
    for line in [
        format!("READ|@an|{id}"),
        "CONV|@an|direct|member|0|0|".into(),
    ] {
        assert!(welcome.lines.contains(&line), "{line}: {:?}", welcome.lines);
    }
}

#[test]
fn a_transfer_connection_logs_in_with_a_token_and_stays_out_of_the_chat() {
    let server = TestServer::start();
    let mut watcher = server.client_v2("watcher", PW);
    let mut an = server.connect();
    an.login_v3("an", PW, None);
    watcher.expect_line("JOINED|an");
    an.send_line("TRANSFER_TOKEN");
    let token = an
        .read_line()
        .strip_prefix("TRANSFER_TOKEN|")
        .expect("a token")
        .to_owned();
    let mut transfer = server.connect();
    transfer.hello(3, 3);
    transfer.send_line(&format!("TRANSFER|{token}"));
    transfer.expect_line("TRANSFER_OK|an");
    let body = file_bytes("png", 10_000, 3);
    transfer.upload_v2("via-token.png", &body);
    let shared = transfer.read_line();
    assert!(event_body(&shared).starts_with("#general|FILE|an|via-token.png|10000|"));
    assert_eq!(transfer.download_v2("via-token.png"), body);
    transfer.send_line("SEND|x|#general|hi");
    transfer.expect_line("ERROR|SEND: this connection is for file transfers only");
    transfer.quit();
    // The watcher saw the share, and no presence of the transfer connection.
    let seen = watcher.collect_pending();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].starts_with("FILE_SHARED|an|via-token.png|"));
    // A token works once.
    let mut again = server.connect();
    again.hello(3, 3);
    again.send_line(&format!("TRANSFER|{token}"));
    again.expect_line("ERROR|Invalid or expired transfer token");
}

#[test]
fn version_3_verbs_are_refused_on_older_connections() {
    let server = TestServer::start();
    let mut v2 = server.client_v2("an", PW);
    for (line, verb) in [
        ("SEND|t|#general|hi", "SEND"),
        ("BEFORE|#general|0|10", "BEFORE"),
        ("READ|#general|1", "READ"),
        ("TRANSFER_TOKEN", "TRANSFER_TOKEN"),
    ] {
        v2.send_line(line);
        v2.expect_line(&format!(
            "ERROR|{verb} needs protocol version 3 (say HELLO|3 first)"
        ));
    }
    let mut v1 = server.connect();
    v1.send_line("RESUME|5");
    v1.expect_line("ERROR|Please log in first");
    v1.send_line(&file_header("x.txt", b"")[..4]);
    v1.expect_line("ERROR|Bad command: FILE is missing its name field");
}
