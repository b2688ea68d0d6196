//! HELLO, login and registration, user-name rules, look-alike names, login
//! errors and throttling.

use std::thread;

use media_chat_e2e::{RawClient, TestServer};
use media_chat_protocol::rules::normalize_user_name;

use crate::PW;

#[test]
fn v1_login_registers_a_new_user_and_sends_nothing_else() {
    let server = TestServer::start();
    let mut client = server.connect();
    client.send_line("LOGIN|alice|secret");
    client.expect_line("LOGIN_OK|alice");
    client.expect_quiet();
    assert!(
        server
            .creds()
            .lines()
            .any(|l| l.starts_with("alice|$argon2id$")),
        "a new account is stored with a direct argon2id hash: {:?}",
        server.creds()
    );
}

#[test]
fn v2_welcome_comes_in_the_documented_order() {
    let server = TestServer::start();
    let mut an = server.connect();
    an.hello(2, 2);
    an.send_line("LOGIN|an|pw");
    an.expect_lines(&[
        "LOGIN_OK|an",
        "LIMITS|10485760|jpg,png,gif,mp3,wav,txt,pdf",
        "USERS|an",
        "HISTORY_END",
    ]);
    an.expect_quiet();

    let mut binh = server.connect();
    let welcome = binh.login_v2("bình", PW);
    assert_eq!(welcome.lines[0], "LOGIN_OK|bình");
    assert_eq!(
        welcome.lines[1],
        "LIMITS|10485760|jpg,png,gif,mp3,wav,txt,pdf"
    );
    assert!(welcome.lines[2].starts_with("USERS|"), "{welcome:?}");
    assert_eq!(
        welcome.users(),
        ["an", "bình"].map(String::from).into(),
        "USERS lists everyone online, self included"
    );
    assert!(welcome.history().is_empty(), "{welcome:?}");
    an.expect_line("JOINED|bình");
}

#[test]
fn limits_line_reflects_the_configuration() {
    let server = TestServer::start_with(|config| {
        config.max_file_size = 1234;
        config.allowed_extensions = vec!["png".into(), "txt".into()];
    });
    let mut client = server.connect();
    let welcome = client.login_v2("an", PW);
    assert_eq!(welcome.lines[1], "LIMITS|1234|png,txt");
}

#[test]
fn hello_negotiates_the_version() {
    let server = TestServer::start();
    for (asked, agreed) in [(2, 2), (3, 3), (99, 3), (1, 1)] {
        let mut client = server.connect();
        client.hello(asked, agreed);
    }
    let mut zero = server.connect();
    zero.send_line("HELLO|0");
    zero.expect_line("ERROR|Unsupported protocol version 0");

    // HELLO|1 is the seed's protocol: a login is LOGIN_OK and nothing else.
    let mut v1 = server.connect();
    v1.hello(1, 1);
    assert_eq!(v1.login_v1("old", PW), ["LOGIN_OK|old"]);
}

#[test]
fn hello_after_the_first_line_is_refused() {
    let server = TestServer::start();
    let mut client = server.connect();
    client.login_v1("an", PW);
    client.send_line("HELLO|2");
    client.expect_line("ERROR|HELLO must be the first line");
    client.expect_quiet();

    let mut twice = server.connect();
    twice.hello(2, 2);
    twice.send_line("HELLO|2");
    twice.expect_line("ERROR|HELLO must be the first line");
    // Still a version 2 connection that can log in.
    twice.send_line("LOGIN|bo|pw");
    twice.expect_line("LOGIN_OK|bo");
    twice.skip_until("HISTORY_END");
}

#[test]
fn commands_before_login_are_refused() {
    let server = TestServer::start();
    let mut client = server.connect();
    for line in [
        "TEXT|hi",
        "DM|bob|hi",
        "GET_FILE|a.txt",
        "LIST_FILES",
        "PING|1",
    ] {
        client.send_line(line);
        client.expect_line("ERROR|Please log in first");
    }
    client.send_line("LOGIN|an|pw");
    client.expect_line("LOGIN_OK|an");

    let quitter = server.connect();
    quitter.quit();
}

#[test]
fn wrong_password_is_refused_and_the_connection_stays_open() {
    let server = TestServer::start();
    server.client_v1("alice", "right").quit();
    let mut client = server.connect();
    client.send_line("LOGIN|alice|wrong");
    client.expect_line("ERROR|Wrong password");
    client.send_line("LOGIN|alice|right");
    client.expect_line("LOGIN_OK|alice");
}

#[test]
fn second_login_on_one_connection_is_refused() {
    let server = TestServer::start();
    let mut client = server.client_v1("alice", PW);
    client.send_line("LOGIN|alice|pw");
    client.expect_line("ERROR|Already logged in");
    client.send_line("LOGIN|bob|pw");
    client.expect_line("ERROR|Already logged in");
    client.expect_quiet();
}

#[test]
fn invalid_user_names_say_why_and_the_connection_stays_open() {
    let server = TestServer::start();
    let mut client = server.connect();
    let long = "x".repeat(33);
    for name in [
        "a b",
        "",
        long.as_str(),
        "bad!",
        "tab\tname",
        "smile😀",
        "a,b",
    ] {
        let reason = normalize_user_name(name).expect_err(name);
        client.send_line(&format!("LOGIN|{name}|pw"));
        client.expect_line(&format!("ERROR|Invalid user name: {reason}"));
    }
    // 32 characters is the limit, multi-byte ones included.
    let longest = "đ".repeat(32);
    client.send_line(&format!("LOGIN|{longest}|pw"));
    client.expect_line(&format!("LOGIN_OK|{longest}"));
}

#[test]
fn password_rules() {
    let server = TestServer::start();
    let mut client = server.connect();
    client.send_line(&format!("LOGIN|long|{}", "p".repeat(257)));
    client.expect_line("ERROR|Password is too long (at most 256 bytes)");
    // 86 three-byte characters are 258 bytes: the limit counts bytes.
    client.send_line(&format!("LOGIN|long|{}", "ậ".repeat(86)));
    client.expect_line("ERROR|Password is too long (at most 256 bytes)");
    client.send_line("LOGIN|empty|");
    client.expect_line("ERROR|Password must not be empty");
    client.send_line(&format!("LOGIN|long|{}", "p".repeat(256)));
    client.expect_line("LOGIN_OK|long");

    // The password is the last field: it may contain '|'.
    server.client_v1("piped", "a|b|c").quit();
    let mut again = server.connect();
    again.send_line("LOGIN|piped|a");
    again.expect_line("ERROR|Wrong password");
    again.send_line("LOGIN|piped|a|b|c");
    again.expect_line("LOGIN_OK|piped");

    // An existing account with an empty password attempt is a wrong password.
    let mut empty = server.connect();
    empty.send_line("LOGIN|piped|");
    empty.expect_line("ERROR|Wrong password");
}

#[test]
fn names_are_unique_ignoring_case_and_login_ok_carries_the_registered_case() {
    let server = TestServer::start();
    let mut first = server.connect();
    assert_eq!(first.login_v1("Minh", "one"), ["LOGIN_OK|Minh"]);

    let mut upper = server.connect();
    upper.send_line("LOGIN|MINH|one");
    upper.expect_line("LOGIN_OK|Minh");

    // Not a new account: "minh" is taken by "Minh".
    let mut other = server.connect();
    other.send_line("LOGIN|minh|two");
    other.expect_line("ERROR|Wrong password");

    // Messages carry the registered name whatever case was typed.
    first.send_line("TEXT|hi");
    upper.expect_line("TEXT|Minh|hi");
}

#[test]
fn vietnamese_names_are_nfc_normalised() {
    let server = TestServer::start();
    let composed = "Đặng";
    // "ặ" as a + combining dot below + combining breve (a macOS keyboard).
    let decomposed = "Đa\u{0323}\u{0306}ng";
    assert_ne!(composed, decomposed);

    let mut first = server.connect();
    assert_eq!(first.login_v1(composed, "mật khẩu"), ["LOGIN_OK|Đặng"]);
    for typed in [decomposed, "đặng", "ĐẶNG"] {
        let mut client = server.connect();
        client.send_line(&format!("LOGIN|{typed}|mật khẩu"));
        client.expect_line("LOGIN_OK|Đặng");
    }
    let mut wrong = server.connect();
    wrong.send_line(&format!("LOGIN|{decomposed}|other"));
    wrong.expect_line("ERROR|Wrong password");

    // Registered decomposed, stored and announced composed.
    let mut cuong = server.connect();
    cuong.send_line("LOGIN|Cu\u{031B}o\u{031B}\u{0300}ng|pw");
    cuong.expect_line("LOGIN_OK|Cường");
    cuong.send_line("TEXT|xin chào");
    first.skip_until("TEXT|Cường|xin chào");
    let creds = server.creds();
    assert!(
        creds.contains("\nCường|") || creds.starts_with("Cường|"),
        "{creds:?}"
    );
    assert!(
        !creds.contains("Cu\u{031B}o\u{031B}\u{0300}ng"),
        "{creds:?}"
    );
}

#[test]
fn registration_can_be_closed() {
    // ton's seed line: the SHA-256 of "1234".
    let creds = b"ton|03ac674216f3e15c761ee1a5e255f067953623c8b388b4459e13f978d7c846f4\n";
    let server = TestServer::start_seeded(&[("creds.txt", creds)], |config| {
        config.registration = media_chat_server::RegistrationMode::Closed;
    });
    let mut client = server.connect();
    client.send_line("LOGIN|newbie|pw");
    client.expect_line("ERROR|Unknown user and registration is closed");
    client.send_line("LOGIN|ton|1234");
    client.expect_line("LOGIN_OK|ton");
    assert!(!server.creds().contains("newbie"), "{:?}", server.creds());
}

fn assert_throttled(line: &str, window_secs: u64) {
    let seconds = line
        .strip_prefix("ERROR|Too many attempts, try again in ")
        .and_then(|rest| rest.strip_suffix(" s"))
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("expected the throttling error, got {line:?}"));
    assert!(
        (1..=window_secs).contains(&seconds),
        "wait of {seconds} s outside 1..={window_secs}: {line:?}"
    );
}

#[test]
fn failed_logins_are_throttled_per_account() {
    let server = TestServer::start_with(|config| {
        config.limits.login_failures_per_account = 2;
        config.limits.login_failures_per_ip = 100;
    });
    server.client_v1("alice", "right").quit();
    let mut client = server.connect();
    for _ in 0..2 {
        client.send_line("LOGIN|alice|wrong");
        client.expect_line("ERROR|Wrong password");
    }
    // Even the right password is refused while the account is throttled.
    client.send_line("LOGIN|alice|right");
    assert_throttled(&client.read_line(), 60);
    let mut other_connection = server.connect();
    other_connection.send_line("LOGIN|ALICE|right");
    assert_throttled(&other_connection.read_line(), 60);

    // Other accounts are not affected.
    client.send_line("LOGIN|bob|pw");
    client.expect_line("LOGIN_OK|bob");
}

#[test]
fn failed_logins_are_throttled_per_address() {
    let server = TestServer::start_with(|config| {
        config.limits.login_failures_per_account = 100;
        config.limits.login_failures_per_ip = 3;
    });
    for user in ["u1", "u2", "u3", "u4"] {
        server.client_v1(user, PW).quit();
    }
    let mut client = server.connect();
    for user in ["u1", "u2", "u3"] {
        client.send_line(&format!("LOGIN|{user}|wrong"));
        client.expect_line("ERROR|Wrong password");
    }
    let mut fresh = server.connect();
    fresh.send_line("LOGIN|u4|pw");
    assert_throttled(&fresh.read_line(), 60);
}

/// The refusal of a name that can be mistaken for an existing user's.
const LOOK_ALIKE: &str = "ERROR|Invalid user name: too similar to an existing user";

/// The SHA-256 of "1234", a seed-format password hash.
const SEED_HASH_1234: &str = "03ac674216f3e15c761ee1a5e255f067953623c8b388b4459e13f978d7c846f4";

// See: issue 9, "Names people can mistake".
#[test]
fn names_that_look_like_an_existing_user_are_refused() {
    let server = TestServer::start();
    server.client_v1("alice", PW).quit();
    server.client_v1("Bill", PW).quit();
    let mut client = server.connect();
    for name in [
        "\u{0430}lice", // Cyrillic а
        "ａｌｉｃｅ",   // fullwidth
        "al\u{0456}ce", // Cyrillic і
        "\u{0410}LICE", // Cyrillic А, the rest in capitals
        "aIice",        // capital I for l
        "a1ice",        // digit 1 for l
        "BiII",         // capital I for l, twice
        "ＢＩＬＬ",     // fullwidth capitals
    ] {
        client.send_line(&format!("LOGIN|{name}|pw"));
        client.expect_line(LOOK_ALIKE);
    }
    // Still the same connection, still able to register a distinct name.
    client.send_line("LOGIN|alison|pw");
    client.expect_line("LOGIN_OK|alison");
    let creds = server.creds();
    let names: Vec<&str> = creds
        .lines()
        .filter_map(|line| line.split_once('|').map(|(name, _)| name))
        .collect();
    assert_eq!(names, ["alice", "Bill", "alison"], "{creds:?}");
    // The login key is as before: case alone is the same account.
    let mut upper = server.connect();
    upper.send_line("LOGIN|ALICE|pw");
    upper.expect_line("LOGIN_OK|alice");
}

// See: issue 9, "Names people can mistake".
#[test]
fn distinct_vietnamese_names_all_register() {
    let server = TestServer::start();
    for name in [
        "Đặng",
        "trần_hải.đăng",
        "Nguyễn",
        "Nguyen",
        "Hải",
        "Hài",
        "Hai",
        "Đăng",
        "Dang",
        "Dương",
        "Duong",
        "Cường",
        "Cương",
    ] {
        let mut client = server.connect();
        client.send_line(&format!("LOGIN|{name}|pw"));
        client.expect_line(&format!("LOGIN_OK|{name}"));
    }
    // An eth (Ð, U+00D0) looks exactly like Đ: that one is taken.
    let mut eth = server.connect();
    eth.send_line("LOGIN|\u{00D0}ặng|pw");
    eth.expect_line(LOOK_ALIKE);
}

// See: issue 9, "Names people can mistake".
#[test]
fn look_alike_accounts_already_on_disk_keep_working() {
    let creds = format!("alice|{SEED_HASH_1234}\n\u{0430}lice|{SEED_HASH_1234}\n");
    let mut server = TestServer::start_seeded(&[("creds.txt", creds.as_bytes())], |_| {});
    for _ in 0..2 {
        for name in ["alice", "\u{0430}lice"] {
            let mut client = server.connect();
            client.send_line(&format!("LOGIN|{name}|1234"));
            client.expect_line(&format!("LOGIN_OK|{name}"));
        }
        // A third look-alike is refused, before and after a restart.
        let mut third = server.connect();
        third.send_line("LOGIN|al\u{0456}ce|1234");
        third.expect_line(LOOK_ALIKE);
        server.restart();
    }
}

// See: issue 9, "Names people can mistake".
#[test]
fn two_look_alikes_registering_at_once_cannot_both_pass() {
    let server = TestServer::start();
    let addr = server.addr();
    let outcomes: Vec<String> = ["alice", "\u{0430}lice"]
        .map(|name| {
            thread::spawn(move || {
                let mut client = RawClient::connect(addr);
                client.send_line(&format!("LOGIN|{name}|pw"));
                client.read_line()
            })
        })
        .into_iter()
        .map(|thread| thread.join().expect("a login thread panicked"))
        .collect();
    let ok = outcomes
        .iter()
        .filter(|l| l.starts_with("LOGIN_OK|"))
        .count();
    let refused = outcomes.iter().filter(|l| *l == LOOK_ALIKE).count();
    assert_eq!((ok, refused), (1, 1), "{outcomes:?}");
    assert_eq!(server.creds().lines().count(), 1, "{:?}", server.creds());
}

// See: issue 10, "A durable message store".
#[test]
fn registrations_at_once_are_on_disk_before_login_ok_and_survive_a_restart() {
    let mut server = TestServer::start();
    let (addr, creds) = (server.addr(), server.data_dir().join("creds.txt"));
    let distinct: Vec<String> = (0..24).map(|i| format!("reg{i}")).collect();
    let threads: Vec<_> = distinct
        .iter()
        .cloned()
        .chain((0..8).map(|_| "Same".to_owned()))
        .map(|name| {
            let creds = creds.clone();
            thread::spawn(move || {
                let mut client = RawClient::connect(addr);
                client.send_line(&format!("LOGIN|{name}|pw"));
                client.expect_line(&format!("LOGIN_OK|{name}"));
                // Written before LOGIN_OK, not some time after it. (Only
                // this line: others may be half written right now.)
                let text = std::fs::read_to_string(&creds).expect("creds.txt");
                let line = format!("{name}|$argon2id$");
                assert!(text.lines().any(|l| l.starts_with(&line)), "{text:?}");
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a registration thread panicked");
    }
    let text = server.creds();
    assert!(text.ends_with('\n'), "{text:?}");
    let mut names: Vec<&str> = text
        .lines()
        .map(|line| match line.split_once("|$argon2id$") {
            Some((name, _)) => name,
            None => panic!("not an account line: {line:?}"),
        })
        .collect();
    names.sort_unstable();
    let mut expected: Vec<&str> = distinct.iter().map(String::as_str).collect();
    expected.push("Same");
    expected.sort_unstable();
    assert_eq!(names, expected, "each account exactly once: {text:?}");

    server.restart();
    let mut client = server.connect();
    client.send_line("LOGIN|Same|wrong");
    client.expect_line("ERROR|Wrong password");
    for name in expected {
        server.client_v1(name, PW).quit();
    }
}
