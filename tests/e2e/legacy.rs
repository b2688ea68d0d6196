//! The seed's `creds.txt`: unsalted SHA-256 hashes, one malformed line and a
//! blank line. Loading it must wrap every legacy hash at start-up, let the
//! known users log in with their old passwords, upgrade a hash at its user's
//! next login, and lock out only the user whose line is damaged.

use std::time::Duration;

use media_chat_e2e::{TestServer, wait_until};

/// The seed's creds file, verbatim (from the seed report). Known passwords:
/// ton=1234, cuong=12345, minh=minh, odin=odin; vinh's line has 63 hex
/// digits; a blank line precedes hong.
const SEED_CREDS: &str = "\
dat|0ebe2eca800cf7bd9d9d9f9f4aafbc0c77ae155f43bbbeca69cb256a24c7f9bb
vinh|e3b0c44298fc1c149afb4c8996fb92427ae41e4649b934ca495991b7852b855
cuong|5994471abb01112afcc18159f6cc74b4f511b99806da59b3caf5a9c173cacfc5
ton|03ac674216f3e15c761ee1a5e255f067953623c8b388b4459e13f978d7c846f4
join|0ebe2eca800cf7bd9d9d9f9f4aafbc0c77ae155f43bbbeca69cb256a24c7f9bb
minh|be9688998f08509844f215f9397237b2f1147c69989ae9d94e8fd43351a8a60e

hong|0ebe2eca800cf7bd9d9d9f9f4aafbc0c77ae155f43bbbeca69cb256a24c7f9bb
odin|52f3141f5cb06025c96c6794e35f5611a578919d0deb4d934136acaba06d4b82
";

const VINH_LINE: &str = "vinh|e3b0c44298fc1c149afb4c8996fb92427ae41e4649b934ca495991b7852b855";

const DAMAGED: &str = "ERROR|This account's stored password is damaged; ask the administrator";

fn seeded_server() -> TestServer {
    TestServer::start_seeded(&[("creds.txt", SEED_CREDS.as_bytes())], |_| {})
}

fn is_64_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The stored hash of `user` (the text after `user|`).
fn stored_hash(creds: &str, user: &str) -> Option<String> {
    creds
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{user}|")))
        .map(str::to_owned)
}

#[test]
fn legacy_hashes_are_wrapped_at_start_up() {
    let server = seeded_server();
    let creds = server.creds();
    for line in creds.lines() {
        let hash = line.split_once('|').map(|(_, hash)| hash).unwrap_or("");
        assert!(!is_64_hex(hash), "a bare SHA-256 hash is left: {line:?}");
        assert!(
            !line.trim().is_empty(),
            "blank lines are dropped: {creds:?}"
        );
    }
    for user in ["dat", "cuong", "ton", "join", "minh", "hong", "odin"] {
        let hash = stored_hash(&creds, user).unwrap_or_else(|| panic!("{user} lost: {creds:?}"));
        assert!(
            hash.starts_with("sha256+$argon2id$"),
            "{user}'s hash is not wrapped: {hash:?}"
        );
    }
    assert!(
        creds.lines().any(|line| line == VINH_LINE),
        "the malformed line is kept verbatim: {creds:?}"
    );
    assert_eq!(creds.lines().count(), 8, "{creds:?}");
}

#[test]
fn seed_users_log_in_with_their_old_passwords() {
    let server = seeded_server();
    for (user, password) in [
        ("ton", "1234"),
        ("cuong", "12345"),
        ("minh", "minh"),
        ("odin", "odin"),
    ] {
        let mut client = server.connect();
        assert_eq!(
            client.login_v1(user, password),
            [format!("LOGIN_OK|{user}")]
        );
    }
    let mut upper = server.connect();
    upper.send_line("LOGIN|TON|1234");
    upper.expect_line("LOGIN_OK|ton");
}

#[test]
fn wrong_passwords_for_seed_users_are_refused() {
    let server = seeded_server();
    let mut client = server.connect();
    for (user, password) in [
        ("cuong", "1234"),
        ("ton", "12345"),
        ("hong", "x"),
        ("dat", ""),
    ] {
        client.send_line(&format!("LOGIN|{user}|{password}"));
        client.expect_line("ERROR|Wrong password");
    }
    // hong (after the blank line) was loaded, not re-registered.
    let creds = server.creds();
    assert!(
        stored_hash(&creds, "hong").is_some_and(|h| h.starts_with("sha256+")),
        "{creds:?}"
    );
}

#[test]
fn a_login_replaces_the_wrapped_hash_with_a_direct_one() {
    let mut server = seeded_server();
    server.client_v1("ton", "1234").quit();
    assert!(
        wait_until(Duration::from_secs(5), || {
            stored_hash(&server.creds(), "ton").is_some_and(|h| h.starts_with("$argon2id$"))
        }),
        "ton's hash was not upgraded: {:?}",
        server.creds()
    );
    let creds = server.creds();
    assert!(
        stored_hash(&creds, "cuong").is_some_and(|h| h.starts_with("sha256+$argon2id$")),
        "only the user who logged in is upgraded: {creds:?}"
    );
    assert!(creds.lines().any(|line| line == VINH_LINE), "{creds:?}");

    // The upgraded and the still-wrapped hashes both survive a restart.
    server.restart();
    let mut client = server.connect();
    client.send_line("LOGIN|ton|12345");
    client.expect_line("ERROR|Wrong password");
    client.send_line("LOGIN|ton|1234");
    client.expect_line("LOGIN_OK|ton");
    server.client_v1("cuong", "12345");
}

#[test]
fn a_damaged_line_locks_out_only_its_user() {
    let server = seeded_server();
    let mut client = server.connect();
    client.send_line("LOGIN|vinh|anything");
    client.expect_line(DAMAGED);
    // The name stays taken: no fresh registration over the damaged line.
    client.send_line("LOGIN|VINH|new password");
    client.expect_line(DAMAGED);
    client.send_line("LOGIN|cuong|12345");
    client.expect_line("LOGIN_OK|cuong");
    assert!(
        server.creds().lines().any(|line| line == VINH_LINE),
        "{:?}",
        server.creds()
    );
}

// See: issue 10, "A durable message store".
#[test]
fn a_new_account_is_not_glued_onto_a_hand_edited_last_line() {
    // No seed hash to wrap, so the file is not rewritten at start-up.
    let mut server = TestServer::start_seeded(&[("creds.txt", VINH_LINE.as_bytes())], |_| {});
    server.client_v1("newbie", "pw").quit();
    let creds = server.creds();
    let (first, rest) = creds.split_once('\n').expect("two lines");
    assert_eq!(first, VINH_LINE, "{creds:?}");
    assert!(rest.starts_with("newbie|$argon2id$"), "{creds:?}");
    assert!(
        rest.ends_with('\n') && rest.lines().count() == 1,
        "{creds:?}"
    );
    server.restart();
    server.client_v1("newbie", "pw").quit();
    let mut vinh = server.connect();
    vinh.send_line("LOGIN|vinh|anything");
    vinh.expect_line(DAMAGED);
}
