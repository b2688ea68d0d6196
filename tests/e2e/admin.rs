//! Accounts and administration (version 3): registration by invitation
//! code, server-wide bans, password changes and resets, signing out other
//! sessions, deleting accounts, administrators acting in any room, the
//! audit log and the per-user limits on creating rooms.
//!
//! See: issue 11, "Roles", "Registration" and "Accounts".

use media_chat_e2e::{RawClient, TestServer};
use media_chat_server::RegistrationMode;

use crate::PW;

/// A server where `boss` is an administrator (and registered).
fn with_admin(mode: RegistrationMode) -> (TestServer, RawClient) {
    let server = TestServer::start_with(|config| config.admins = vec!["boss".into()]);
    let mut boss = server.connect();
    boss.login_v3("boss", PW, None);
    if mode != RegistrationMode::Open {
        boss.send_line(&format!("REGISTRATION|{mode}"));
        boss.expect_line(&format!("NOTIFY|Registration is now {mode}"));
    }
    (server, boss)
}

fn login_refused(server: &TestServer, user: &str, password: &str) -> String {
    let mut client = server.connect();
    client.hello(3, 3);
    client.send_line(&format!("LOGIN|{user}|{password}"));
    client.read_line()
}

#[test]
fn an_invite_only_server_registers_once_per_code() {
    let (server, mut boss) = with_admin(RegistrationMode::Invite);
    assert_eq!(
        login_refused(&server, "newcomer", PW),
        "ERROR|Unknown user: registering needs an invitation code (ask an administrator)"
    );
    boss.send_line("INVITE_CODE");
    let code = boss
        .read_line()
        .strip_prefix("INVITE_CODE|")
        .expect("a code")
        .to_owned();
    let mut newcomer = server.connect();
    newcomer.hello(3, 3);
    newcomer.send_line(&format!("CODE|{code}"));
    newcomer.send_line(&format!("LOGIN|newcomer|{PW}"));
    newcomer.expect_line("LOGIN_OK|newcomer");
    // Used up: the next newcomer with it is refused.
    let mut second = server.connect();
    second.hello(3, 3);
    second.send_line(&format!("CODE|{code}"));
    second.send_line(&format!("LOGIN|second|{PW}"));
    second.expect_line("ERROR|Invalid or used invitation code");
    // Existing accounts log in as before, with no code.
    assert!(server.connect().login_v1("boss", PW)[0].starts_with("LOGIN_OK|"));
    assert!(server.creds().contains("newcomer|"));
    assert!(!server.creds().contains("second|"));
}

#[test]
fn a_banned_user_is_signed_out_and_refused_until_unbanned() {
    let (server, mut boss) = with_admin(RegistrationMode::Open);
    let mut ton = server.client_v1("ton", PW);
    let mut ton_phone = server.connect();
    ton_phone.login_v3("ton", PW, None);
    boss.collect_pending();
    boss.send_line("BAN_USER|ton|spam links");
    boss.skip_until("NOTIFY|ton is banned from the server");
    for client in [&mut ton, &mut ton_phone] {
        let line = client.skip_until("ERROR|This account is banned from this server: spam links");
        assert!(line.iter().all(|l| !l.starts_with("ERROR|")), "{line:?}");
        client.expect_eof();
    }
    assert_eq!(
        login_refused(&server, "ton", PW),
        "ERROR|This account is banned from this server: spam links"
    );
    boss.send_line("UNBAN_USER|ton");
    boss.skip_until("NOTIFY|ton may log in again");
    assert_eq!(server.connect().login_v1("ton", PW)[0], "LOGIN_OK|ton");
    // Only administrators.
    let mut an = server.connect();
    an.login_v3("an", PW, None);
    an.send_line("BAN_USER|boss|no");
    an.expect_line("ERROR|BAN_USER: only administrators can do that");
}

#[test]
fn a_user_changes_their_password_and_signs_out_their_other_sessions() {
    let server = TestServer::start();
    let mut an = server.connect();
    an.login_v3("an", PW, None);
    let mut laptop = server.connect();
    laptop.login_v3("an", PW, None);
    // `PASSWORD|<bytes of the current one>|current+new`.
    an.send_line("PASSWORD|5|wrongmật|khẩu mới");
    an.expect_line("ERROR|Wrong password");
    an.send_line(&format!("PASSWORD|{}|{PW}mật|khẩu mới", PW.len()));
    an.expect_line("NOTIFY|Password changed");
    assert_eq!(login_refused(&server, "an", PW), "ERROR|Wrong password");
    let mut phone = server.connect();
    assert_eq!(phone.login_v1("an", "mật|khẩu mới")[0], "LOGIN_OK|an");
    an.collect_pending();
    an.send_line("SIGN_OUT_OTHERS");
    an.skip_until("NOTIFY|Signed out 2 other sessions");
    for other in [&mut laptop, &mut phone] {
        other.skip_until("ERROR|Signed out from another session");
        other.expect_eof();
    }
    an.expect_quiet();
}

#[test]
fn an_administrator_resets_passwords_deletes_accounts_and_reads_the_audit_log() {
    let (server, mut boss) = with_admin(RegistrationMode::Open);
    let mut minh = server.client_v1("minh", PW);
    boss.collect_pending();
    boss.send_line("RESET_PASSWORD|minh|tạm thời");
    boss.skip_until("NOTIFY|minh's password is reset");
    minh.skip_until("ERROR|Your password was reset by an administrator; log in again");
    minh.expect_eof();
    assert_eq!(
        server.connect().login_v1("minh", "tạm thời")[0],
        "LOGIN_OK|minh"
    );
    boss.send_line("DELETE_ACCOUNT|minh");
    boss.skip_until("NOTIFY|minh's account is deleted");
    assert!(!server.creds().contains("minh|"));
    boss.send_line("REGISTRATION|closed");
    boss.expect_line("NOTIFY|Registration is now closed");
    assert_eq!(
        login_refused(&server, "minh", "tạm thời"),
        "ERROR|Unknown user and registration is closed"
    );
    boss.send_line("AUDIT|10");
    let lines = boss.skip_until("AUDIT_END");
    let actions: Vec<&str> = lines
        .iter()
        .filter_map(|line| line.strip_prefix("AUDIT_LINE|"))
        .map(|line| line.split('|').nth(2).unwrap_or(""))
        .collect();
    assert_eq!(
        actions,
        ["reset-password", "delete-account", "registration"]
    );
    assert!(
        lines.iter().all(|line| line.contains("|boss|")),
        "{lines:?}"
    );
}

#[test]
fn an_administrator_moderates_any_room_and_removals_are_audited() {
    let (server, mut boss) = with_admin(RegistrationMode::Open);
    let mut an = server.connect();
    an.login_v3("an", PW, None);
    let mut binh = server.connect();
    binh.login_v3("bình", PW, None);
    an.send_line("CREATE|#riêng|private|");
    an.collect_pending();
    an.send_line("INVITE|#riêng|bình");
    an.collect_pending();
    binh.send_line("JOIN|#riêng");
    binh.collect_pending();
    boss.collect_pending();
    boss.send_line("REMOVE|#riêng|bình");
    boss.collect_pending();
    binh.skip_until("GONE|#riêng|removed by boss");
    boss.send_line("AUDIT|1");
    let line = boss.read_line();
    assert!(line.ends_with("|boss|remove|bình in #riêng|"), "{line}");
    boss.expect_line("AUDIT_END");
}

#[test]
fn creating_rooms_is_limited_per_user() {
    let server = TestServer::start();
    let mut an = server.connect();
    an.login_v3("an", PW, None);
    for n in 0..5 {
        an.send_line(&format!("CREATE|#r{n}|public|"));
        let lines = an.collect_pending();
        assert!(lines[0].starts_with("CONV|"), "{lines:?}");
    }
    an.send_line("CREATE|#r5|public|");
    let refusal = an.read_line();
    assert!(
        refusal.starts_with("ERROR|CREATE: too many at once; try again in "),
        "{refusal}"
    );
}
