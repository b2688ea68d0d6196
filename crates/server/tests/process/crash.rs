//! `kill -9` at random moments during a flood, several times over one data
//! dir: after each restart every event a client was acknowledged or
//! received is stored exactly once, under the same id, with ids strictly
//! increasing; and resending the unacknowledged tokens posts each at most
//! once.
//!
//! See: issue 10, "Durability and sequencing".
#![cfg(unix)]

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::thread;

use crate::support::{Client, ServerProcess};

/// Kill-and-restart rounds.
const ROUNDS: u64 = 8;

/// The flood is as fast as the server takes it.
const NO_FLOOD_CONTROL: &[&str] = &["--flood-rate", "0"];

/// A version 3 login; reads the welcome up to `SYNCED`.
fn login_v3(client: &mut Client, user: &str) {
    client.send_line("HELLO|3");
    client.expect_line("HELLO|3");
    client.send_line(&format!("LOGIN|{user}|pw"));
    client.expect_line(&format!("LOGIN_OK|{user}"));
    while !client.read_line().starts_with("SYNCED|") {}
}

/// The next `ACK|token|id|ts`, skipping presence lines.
fn next_ack(client: &mut Client) -> (String, u64) {
    loop {
        let line = client.read_line();
        if let Some(rest) = line.strip_prefix("ACK|") {
            let mut fields = rest.split('|');
            let token = fields.next().expect("a token").to_owned();
            let id = fields.next().and_then(|id| id.parse().ok()).expect("an id");
            return (token, id);
        }
        assert!(
            line.starts_with("JOINED|") || line.starts_with("LEFT|"),
            "expected an ACK, got {line:?}"
        );
    }
}

/// `(id, rest)` of an `EVENT|id|ts|rest` line.
fn event(line: &str) -> Option<(u64, String)> {
    let mut fields = line.strip_prefix("EVENT|")?.splitn(3, '|');
    let id = fields.next()?.parse().ok()?;
    let _ts = fields.next()?;
    Some((id, fields.next()?.to_owned()))
}

/// Every event of `#general`, paged back from the newest, in id order.
fn everything(client: &mut Client) -> Vec<(u64, String)> {
    let mut all = Vec::new();
    let mut before = 0;
    loop {
        client.send_line(&format!("BEFORE|#general|{before}|200"));
        let mut page = Vec::new();
        let more = loop {
            let line = client.read_line();
            if let Some(more) = line.strip_prefix("PAGE_END|#general|") {
                break more == "1";
            }
            if let Some(found) = event(&line) {
                page.push(found);
            }
        };
        let oldest = page.first().map(|(id, _)| *id);
        all.splice(0..0, page);
        match oldest {
            Some(oldest) if more => before = oldest,
            _ => return all,
        }
    }
}

/// A tiny deterministic generator for the kill points, so a failure can be
/// replayed (the seed is printed).
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn kill_9_during_a_flood_loses_and_repeats_nothing() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let log = dir.path().join("server.log");
    let data = dir.path().join("data");
    let mut seed = 0x5eed_u64 ^ u64::from(std::process::id());
    eprintln!("kill points from seed {seed:#x}");
    // token -> id, from ACKs; id -> body, from live events.
    let mut acked: BTreeMap<String, u64> = BTreeMap::new();
    let mut received: BTreeMap<u64, String> = BTreeMap::new();
    let mut unacked: Vec<String> = Vec::new();
    for round in 0..ROUNDS {
        let server = ServerProcess::start_with(&data, &log, NO_FLOOD_CONTROL);
        // Resend what was never acknowledged: stored at most once.
        let mut sender = Client::connect(server.addr);
        login_v3(&mut sender, "an");
        for token in std::mem::take(&mut unacked) {
            sender.send_line(&format!("SEND|{token}|#general|{token}"));
            let (acked_token, id) = next_ack(&mut sender);
            assert_eq!(acked_token, token);
            acked.insert(token, id);
        }
        let mut receiver = Client::connect(server.addr);
        login_v3(&mut receiver, "bình");
        let (got, lines) = mpsc::channel();
        let listening = thread::spawn(move || {
            while let Ok(Some(line)) = receiver.reader.read_line() {
                if got.send(line).is_err() {
                    break;
                }
            }
        });
        // Pipelined sends; the kill lands after a random number of ACKs,
        // with more sends in flight.
        let kill_after = 20 + next(&mut seed) % 2000;
        let mut sent = Vec::new();
        let mut acks = 0;
        let mut n = 0;
        while acks < kill_after {
            for _ in 0..16 {
                let token = format!("r{round}-{n}");
                sender.send_line(&format!("SEND|{token}|#general|{token}"));
                sent.push(token);
                n += 1;
            }
            while acks < kill_after && acks + 16 < n {
                let (token, id) = next_ack(&mut sender);
                acked.insert(token, id);
                acks += 1;
            }
        }
        server.signal(libc::SIGKILL);
        drop(server);
        let _ = listening.join();
        for line in lines.try_iter() {
            if let Some((id, body)) = event(&line) {
                received.insert(id, body);
            }
        }
        unacked.extend(sent.into_iter().filter(|token| !acked.contains_key(token)));
    }
    // Check the last state of the data dir.
    let server = ServerProcess::start_with(&data, &log, NO_FLOOD_CONTROL);
    let mut reader = Client::connect(server.addr);
    login_v3(&mut reader, "cường");
    let stored = everything(&mut reader);
    assert!(
        stored.windows(2).all(|w| w[0].0 < w[1].0),
        "ids not strictly increasing"
    );
    let by_id: BTreeMap<u64, String> = stored.iter().cloned().collect();
    let mut count_by_text: BTreeMap<String, usize> = BTreeMap::new();
    for (_, body) in &stored {
        *count_by_text.entry(body.clone()).or_default() += 1;
    }
    for (token, id) in &acked {
        assert_eq!(
            by_id.get(id).map(String::as_str),
            Some(format!("#general|TEXT|an|{token}").as_str()),
            "acknowledged {token} (id {id}) is missing"
        );
    }
    for (id, body) in &received {
        assert_eq!(by_id.get(id), Some(body), "received event {id} is missing");
    }
    for (text, count) in count_by_text {
        assert_eq!(count, 1, "{text} is stored {count} times");
    }
    assert!(acked.len() as u64 >= ROUNDS * 20);
}
