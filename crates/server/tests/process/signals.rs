//! The server binary as a real process: the `listening on <addr>` line,
//! a clean exit on SIGTERM/SIGINT with every client told, and no partial
//! file after `kill -9` in the middle of an upload (leftovers cleaned at the
//! next start), and flags that only the binary parses.
//!
//! The in-process end-to-end suite lives in the `media-chat-e2e` crate
//! (`tests/` at the workspace root); this file only covers what needs a
//! separate process: signals and crashes.
#![cfg(unix)]

use std::fs::{self, File};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::support::{Client, ServerProcess, TIMEOUT};

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn stops_cleanly_on(signal: libc::c_int) {
    let root = tempfile::tempdir().expect("tempdir");
    let mut server = ServerProcess::start(&root.path().join("data"), &root.path().join("log"));
    let mut old = Client::login_v1(server.addr, "old");
    let mut new = Client::login_v2(server.addr, "new");
    old.expect_line("NOTIFY|new joined the chat");

    server.signal(signal);
    for client in [&mut old, &mut new] {
        client.expect_line("NOTIFY|Server is shutting down");
        client.expect_eof();
    }
    let status = server.wait();
    assert_eq!(
        status.code(),
        Some(0),
        "exit status {status}; log:\n{}",
        server.log_text()
    );
}

#[test]
fn sigterm_tells_every_client_and_exits_zero() {
    stops_cleanly_on(libc::SIGTERM);
}

#[test]
fn sigint_tells_every_client_and_exits_zero() {
    stops_cleanly_on(libc::SIGINT);
}

#[test]
fn kill_9_during_an_upload_leaves_no_partial_file() {
    let root = tempfile::tempdir().expect("tempdir");
    let data = root.path().join("data");
    let files = data.join("server_files");
    let incoming = data.join(".incoming");
    let mut server = ServerProcess::start(&data, &root.path().join("log1"));

    // A PNG by its signature: the server checks contents.
    let body: Vec<u8> = b"\x89PNG\r\n\x1a\n"
        .iter()
        .copied()
        .chain((8..2_000_000u32).map(|i| (i % 251) as u8))
        .collect();
    let header = format!("FILE|big.png|{}|{}", body.len(), sha256_hex(&body));
    let mut client = Client::login_v2(server.addr, "uploader");
    client.send_line(&header);
    client.expect_line("FILE_READY|big.png");
    client.send(&body[..body.len() / 2]);

    // The server is writing the upload into .incoming/.
    let deadline = Instant::now() + TIMEOUT;
    while entries(&incoming).is_empty() {
        assert!(
            Instant::now() < deadline,
            "no temporary file in .incoming/; data dir: {:?}",
            entries(&data)
        );
        thread::sleep(Duration::from_millis(10));
    }
    server.child.kill().expect("SIGKILL");
    server.wait();
    assert_eq!(
        entries(&files),
        Vec::<String>::new(),
        "a partial upload reached server_files/"
    );
    drop(client);

    // The next start removes the leftovers before it listens.
    let server = ServerProcess::start(&data, &root.path().join("log2"));
    assert_eq!(
        entries(&incoming),
        Vec::<String>::new(),
        ".incoming/ not cleaned at start"
    );
    assert_eq!(entries(&files), Vec::<String>::new());

    // And the same upload now goes through whole.
    let mut client = Client::login_v2(server.addr, "uploader");
    client.send_line(&header);
    client.expect_line("FILE_READY|big.png");
    client.send(&body);
    client.send(b"\n");
    client.expect_line(&format!(
        "FILE_SHARED|uploader|big.png|{}|{}",
        body.len(),
        sha256_hex(&body)
    ));
    let mut stored = Vec::new();
    File::open(files.join("big.png"))
        .and_then(|mut f| f.read_to_end(&mut stored))
        .expect("big.png stored");
    assert!(stored == body, "the stored file differs from the upload");
}

#[test]
fn the_certificate_fingerprint_is_printed_and_kept_across_restarts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let first = ServerProcess::start(&data, &dir.path().join("first.log"));
    assert!(
        first.fingerprint.starts_with("SHA256:"),
        "{}",
        first.fingerprint
    );
    assert_eq!(first.fingerprint.len(), 7 + 32 * 3 - 1);
    let printed = first.fingerprint.clone();
    drop(first);
    let again = ServerProcess::start(&data, &dir.path().join("again.log"));
    assert_eq!(
        again.fingerprint, printed,
        "the generated certificate is kept"
    );
    assert!(data.join("tls-cert.pem").exists() && data.join("tls-key.pem").exists());
}

#[test]
fn nonsense_settings_exit_2_naming_the_flag() {
    // See: issue 9, "Configuration that cannot break the server".
    let dir = tempfile::tempdir().expect("a temp dir");
    for (args, flag) in [
        (
            &["--history-len", "500", "--send-queue", "1MiB"][..],
            "--send-queue",
        ),
        (&["--flood-rate", "1e-300"], "--flood-rate"),
        (&["--login-timeout", "0s"], "--login-timeout"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_media-chat-server"))
            .args(["--bind", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path())
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("cannot run the server binary");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(flag),
            "{args:?} should name {flag}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?} started listening");
    }
}

// See: issue 13, "Delete and quotas".
#[test]
fn the_file_space_flags_set_the_quotas() {
    let root = tempfile::tempdir().expect("tempdir");
    let flags = [
        "--quota-per-user",
        "1000",
        "--quota-total",
        "none",
        "--min-free-disk",
        "0",
    ];
    let mut server =
        ServerProcess::start_with(&root.path().join("data"), &root.path().join("log"), &flags);
    let mut client = Client::login_v1(server.addr, "an");
    let upload = |client: &mut Client, name: &str, body: &[u8]| {
        let mut bytes = format!("FILE|{name}|{}|{}\n", body.len(), sha256_hex(body)).into_bytes();
        bytes.extend_from_slice(body);
        bytes.push(b'\n');
        client.send(&bytes);
    };
    upload(&mut client, "a.txt", &[b'a'; 600]);
    client.expect_line("NOTIFY|an shared file: a.txt");
    upload(&mut client, "b.txt", &[b'b'; 600]);
    client.expect_line("ERROR|Upload refused: over your quota (400 B of 1000 B left)");
    server.signal(libc::SIGTERM);
    server.wait();

    // `none` lifts the quota.
    let mut server = ServerProcess::start_with(
        &root.path().join("data"),
        &root.path().join("log2"),
        &["--quota-per-user", "none", "--min-free-disk", "0"],
    );
    let mut client = Client::login_v1(server.addr, "an");
    upload(&mut client, "b.txt", &[b'b'; 600]);
    client.expect_line("NOTIFY|an shared file: b.txt");
    server.signal(libc::SIGTERM);
    server.wait();
}

/// Runs `media-chat-server admin …` on `dir`; returns (status, stdout, stderr).
fn admin(dir: &Path, args: &[&str], stdin: &str) -> (Option<i32>, String, String) {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_media-chat-server"))
        .arg("--data-dir")
        .arg(dir)
        .arg("admin")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run the server binary");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let output = child.wait_with_output().expect("admin output");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn offline_administration_works_on_a_stopped_server_only() {
    // See: issue 11, "Offline administration on the data dir".
    let dir = tempfile::tempdir().expect("a temp dir");
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    {
        let server = ServerProcess::start(&data, &log);
        Client::login_v1(server.addr, "ton");
        Client::login_v1(server.addr, "minh");
        let (status, _, stderr) = admin(&data, &["users"], "");
        assert_eq!(status, Some(1));
        assert!(stderr.contains("a server is running"), "{stderr}");
    }
    let (status, out, _) = admin(&data, &["add-admin", "minh"], "");
    assert_eq!(
        (status, out.as_str()),
        (Some(0), "minh is an administrator\n")
    );
    let (status, _, _) = admin(&data, &["ban", "ton", "spam"], "");
    assert_eq!(status, Some(0));
    let (_, out, _) = admin(&data, &["users"], "");
    assert_eq!(
        out,
        "ton (banned by (offline admin): spam)\nminh (administrator)\n"
    );
    let (status, out, _) = admin(&data, &["reset-password", "minh"], "mới\n");
    assert_eq!(
        (status, out.as_str()),
        (Some(0), "minh's password is reset\n")
    );
    let (_, codes, _) = admin(&data, &["invite-code", "2"], "");
    assert_eq!(codes.lines().count(), 2, "{codes}");
    let (_, audit, _) = admin(&data, &["audit"], "");
    let actions: Vec<&str> = audit
        .lines()
        .map(|line| line.split('|').nth(2).unwrap_or(""))
        .collect();
    assert_eq!(
        actions,
        ["add-admin", "ban", "reset-password", "invite-code"]
    );
    // The server honours it all.
    let server = ServerProcess::start(&data, &log);
    let mut minh = Client::connect(server.addr);
    minh.send_line("LOGIN|minh|mới");
    minh.expect_line("LOGIN_OK|minh");
    let mut ton = Client::connect(server.addr);
    ton.send_line("LOGIN|ton|pw");
    ton.expect_line("ERROR|This account is banned from this server: spam");
}
