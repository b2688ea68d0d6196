//! `SEARCH` (version 3): Vietnamese found without case or diacritics, the
//! words that matched marked, filters, refusals that keep the connection
//! in step, the rate limit, and above all that a user finds only what
//! they may see now.
//!
//! See: issue 12, "Search".

use media_chat_e2e::{RawClient, TestServer};

use crate::PW;

/// A logged-in version 3 client, its welcome read.
fn v3(server: &TestServer, user: &str) -> RawClient {
    let mut client = server.connect();
    client.login_v3(user, PW, None);
    client.collect_pending();
    client
}

/// Sends `SEND|token|conversation|text` and reads up to its `ACK`;
/// returns the event's id.
fn post(client: &mut RawClient, token: &str, conversation: &str, text: &str) -> u64 {
    client.send_line(&format!("SEND|{token}|{conversation}|{text}"));
    loop {
        let line = client.read_line();
        if let Some(ack) = line.strip_prefix(&format!("ACK|{token}|")) {
            return ack.split('|').next().unwrap().parse().unwrap();
        }
        assert!(!line.starts_with("REJECTED|"), "{line}");
    }
}

/// The answer to `SEARCH|token|50|query`: each `FOUND` line without its
/// verb and token, and `SEARCH_END`'s `more`; or the `SEARCH_FAILED`
/// reason.
fn search(client: &mut RawClient, token: &str, query: &str) -> Result<(Vec<String>, bool), String> {
    client.send_line(&format!("SEARCH|{token}|50|{query}"));
    let mut found = Vec::new();
    loop {
        let line = client.read_line();
        if let Some(hit) = line.strip_prefix(&format!("FOUND|{token}|")) {
            found.push(hit.to_owned());
        } else if let Some(more) = line.strip_prefix(&format!("SEARCH_END|{token}|")) {
            return Ok((found, more == "1"));
        } else if let Some(reason) = line.strip_prefix(&format!("SEARCH_FAILED|{token}|")) {
            assert!(found.is_empty(), "results before a refusal: {found:?}");
            return Err(reason.to_owned());
        } else {
            // Others' events, presence and standings may arrive meanwhile;
            // nothing of another search.
            assert!(
                !line.starts_with("FOUND|") && !line.starts_with("SEARCH_"),
                "an answer to another search: {line}"
            );
        }
    }
}

/// The ids of `search`'s results, sorted.
fn found_ids(client: &mut RawClient, token: &str, query: &str) -> Vec<u64> {
    let (found, _) = search(client, token, query).unwrap_or_else(|e| panic!("{query}: {e}"));
    let mut ids: Vec<u64> = found
        .iter()
        .map(|hit| hit.split('|').nth(1).unwrap().parse().unwrap())
        .collect();
    ids.sort();
    ids
}

/// Sends a command and reads up to a barrier.
fn command(client: &mut RawClient, line: &str) -> Vec<String> {
    client.send_line(line);
    client.collect_pending()
}

#[test]
fn vietnamese_is_found_without_diacritics_and_the_words_are_marked() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let id = post(&mut an, "t1", "#general", "Chào Đăng, nộp bài chưa?");
    post(&mut an, "t2", "#general", "hello everyone");

    let (found, more) = search(&mut binh, "s1", "dang").unwrap();
    assert!(!more);
    let ts = found[0].split('|').nth(2).unwrap().to_owned();
    // "Chào " is 6 bytes, "Đăng" the next 6.
    assert_eq!(
        found,
        [format!(
            "6-12|{id}|{ts}|#general|TEXT|an|Chào Đăng, nộp bài chưa?"
        )]
    );
    let (found, _) = search(&mut binh, "s2", "CHAO nop").unwrap();
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with("0-5,14-19|"), "{}", found[0]);
    assert_eq!(found_ids(&mut an, "s3", "Đăng"), [id]);
    assert_eq!(found_ids(&mut an, "s4", "ba*"), [id]);
    assert_eq!(found_ids(&mut an, "s5", "\"bài chưa\""), [id]);
    assert_eq!(found_ids(&mut an, "s6", "\"chưa bài\""), Vec::<u64>::new());
}

#[test]
fn nobody_finds_a_direct_conversation_of_others_or_a_room_they_are_out_of() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let mut cuong = v3(&server, "cường");
    let public = post(&mut an, "t1", "#general", "bí mật công khai");
    let direct = post(&mut an, "t2", "@bình", "bí mật riêng");
    command(&mut an, "CREATE|#kín|private|");
    command(&mut an, "INVITE|#kín|cường");
    let private = post(&mut an, "t3", "#kín", "bí mật của phòng");

    assert_eq!(
        found_ids(&mut an, "s1", "bi mat"),
        [public, direct, private]
    );
    assert_eq!(found_ids(&mut binh, "s2", "bi mat"), [public, direct]);
    assert_eq!(
        found_ids(&mut cuong, "s3", "bi mat"),
        [public],
        "an invitation is not membership"
    );
    command(&mut cuong, "JOIN|#kín");
    assert_eq!(found_ids(&mut cuong, "s4", "bi mat"), [public, private]);
    command(&mut an, "REMOVE|#kín|cường");
    assert_eq!(found_ids(&mut cuong, "s5", "bi mat"), [public]);

    // Naming what one is not in answers as for what does not exist.
    assert_eq!(
        search(&mut cuong, "s6", "in:#kín bi"),
        Err("No such room: #kín".to_owned())
    );
    assert_eq!(
        search(&mut cuong, "s7", "in:#không-có bi"),
        Err("No such room: #không-có".to_owned())
    );
    assert_eq!(found_ids(&mut binh, "s8", "in:@an mat"), [direct]);
    assert_eq!(found_ids(&mut cuong, "s9", "in:@an mat"), Vec::<u64>::new());
}

#[test]
fn filters_narrow_by_author_conversation_and_files() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let by_an = post(&mut an, "t1", "#general", "lịch thi học kỳ");
    let by_binh = post(&mut binh, "t2", "#general", "lịch thi đây");
    command(&mut an, "CREATE|#homework|public|");
    let in_room = post(&mut an, "t3", "#homework", "lịch thi phòng");

    assert_eq!(found_ids(&mut an, "s1", "lich"), [by_an, by_binh, in_room]);
    assert_eq!(found_ids(&mut an, "s2", "lich from:Bình"), [by_binh]);
    assert_eq!(found_ids(&mut an, "s3", "lich in:#homework"), [in_room]);
    assert_eq!(found_ids(&mut an, "s4", "from:an"), [by_an, in_room]);
    assert_eq!(found_ids(&mut an, "s5", "lich has:file"), Vec::<u64>::new());
    assert_eq!(
        search(&mut an, "s6", "lich from:không-ai"),
        Err("No such user: không-ai".to_owned())
    );
}

#[test]
fn a_query_that_cannot_be_read_is_refused_and_the_connection_stays_in_step() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    assert_eq!(
        search(&mut an, "s1", "   "),
        Err("Nothing to search for: type a word or a filter such as from:name".to_owned())
    );
    assert_eq!(
        search(&mut an, "s2", "to:bình"),
        Err(
            "Unknown filter to: (the filters are from:, in:, has:file, before: and after:)"
                .to_owned()
        )
    );
    assert_eq!(
        search(&mut an, "s3", "before:1/12/2026"),
        Err("1/12/2026 is not a date: write it YYYY-MM-DD".to_owned())
    );
    an.send_line("SEARCH|s4|many|x");
    assert!(an.read_line().starts_with("ERROR|"));
    an.send_line("PING|after");
    an.expect_line("PONG|after");

    let mut old = server.client_v2("bình", PW);
    old.send_line("SEARCH|s1|10|chao");
    old.expect_line("ERROR|SEARCH needs protocol version 3 (say HELLO|3 first)");
}

#[test]
fn searches_past_the_rate_limit_are_refused_each_with_an_answer() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let batch: String = (0..60).map(|i| format!("SEARCH|r{i}|5|chao\n")).collect();
    an.send_bytes(batch.as_bytes());
    let mut refused = 0;
    for i in 0..60 {
        match search_answer(&mut an, &format!("r{i}")) {
            Ok(()) => {}
            Err(reason) => {
                assert!(
                    reason.starts_with("SEARCH: too many at once; try again in "),
                    "{reason}"
                );
                refused += 1;
            }
        }
    }
    assert!(refused > 0, "60 searches at once were all run");
    an.send_line("PING|after");
    an.expect_line("PONG|after");
}

/// Reads the answer to a search already sent: `Ok` at its `SEARCH_END`.
fn search_answer(client: &mut RawClient, token: &str) -> Result<(), String> {
    loop {
        let line = client.read_line();
        if line.starts_with(&format!("SEARCH_END|{token}|")) {
            return Ok(());
        }
        if let Some(reason) = line.strip_prefix(&format!("SEARCH_FAILED|{token}|")) {
            return Err(reason.to_owned());
        }
        assert!(
            !line.starts_with("FOUND|"),
            "a result without a message: {line}"
        );
        assert!(
            !line.starts_with("SEARCH_"),
            "answers out of order at {token}: {line}"
        );
    }
}
