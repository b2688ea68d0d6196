//! The terminal client driven through its stdin and stdout as a child
//! process, against a real in-process server on 127.0.0.1:0.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use media_chat_client::{Client, ClientConfig, Event, Preview, Transport, display};

/// How long a test waits for a line: generous, a passing test never
/// waits this long.
const TIMEOUT: Duration = Duration::from_secs(30);
const PASSWORD: &str = "mật khẩu";

/// The shared end-to-end test server, and what the terminal client needs
/// to reach it.
struct TestServer {
    server: media_chat_e2e::TestServer,
    fingerprint: String,
}

impl TestServer {
    fn start() -> TestServer {
        Self::start_with(|_| {})
    }

    fn start_with(configure: impl FnOnce(&mut media_chat_server::Config)) -> TestServer {
        let server = media_chat_e2e::TestServer::start_with(configure);
        let fingerprint = server.fingerprint().to_string();
        TestServer {
            server,
            fingerprint,
        }
    }

    fn port(&self) -> u16 {
        self.server.addr().port()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.server.root().join(name)
    }

    /// `media-chat-cli` against this server, trusting its certificate.
    fn command(&self, user: &str) -> Command {
        let mut command = self.untrusting_command(user);
        command
            .args(["--trust", &self.fingerprint])
            .arg("--cache-dir")
            .arg(self.path(&format!("cache-{user}")));
        command
    }

    /// `media-chat-cli` against this server with no `--trust`, its config
    /// (known servers) in the test's temporary dir.
    fn untrusting_command(&self, user: &str) -> Command {
        let mut command = self.bare_command(user);
        command.arg("--no-reconnect");
        command
    }

    /// `media-chat-cli` that reconnects by itself (as it does by default),
    /// trusting this server's certificate.
    fn reconnecting_command(&self, user: &str) -> Command {
        let mut command = self.bare_command(user);
        command
            .args(["--trust", &self.fingerprint])
            .arg("--cache-dir")
            .arg(self.path(&format!("cache-{user}")));
        command
    }

    /// `media-chat-cli` with only the port, the user and the environment.
    fn bare_command(&self, user: &str) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_media-chat-cli"));
        command
            .args(["--port", &self.port().to_string(), "--user", user])
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_DATA_HOME", self.path("data"))
            .env("MEDIA_CHAT_PASSWORD", PASSWORD);
        command
    }

    fn observer(&self, user: &str) -> Client {
        let mut config = ClientConfig::new(self.server.addr().to_string(), user, PASSWORD);
        config.cache_dir = Some(self.path(&format!("cache-{user}")));
        config.data_dir = Some(self.path(&format!("data-{user}")));
        config.transport = Transport::Tls {
            known_servers: None,
            trust: Some(self.fingerprint.parse().unwrap()),
        };
        Client::connect(config).unwrap()
    }
}

/// A running `media-chat-cli`.
struct Cli {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Cli {
    fn start(server: &TestServer, user: &str, password: &str) -> Cli {
        let mut command = server.command(user);
        command.env("MEDIA_CHAT_PASSWORD", password);
        Cli::spawn(command)
    }

    fn spawn(mut command: Command) -> Cli {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start media-chat-cli");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = crossbeam_channel::unbounded();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Cli {
            stdin: child.stdin.take(),
            child,
            lines,
            seen: Vec::new(),
        }
    }

    fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    /// Waits for an output line ending with `suffix` (lines start with a
    /// timestamp) and returns it.
    fn expect(&mut self, suffix: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.ends_with(suffix) {
                        return line;
                    }
                }
                Err(_) => panic!("no line ending {suffix:?}; saw {:#?}", self.seen),
            }
        }
    }

    /// Waits for an output line holding `part` and returns it.
    fn expect_containing(&mut self, part: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(part) {
                        return line;
                    }
                }
                Err(_) => panic!("no line holding {part:?}; saw {:#?}", self.seen),
            }
        }
    }

    /// Closes stdin (end of input) and waits for the exit status.
    fn finish(mut self) -> (ExitStatus, Vec<String>) {
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let rest: Vec<String> = self.lines.iter().collect();
                self.seen.extend(rest);
                return (status, self.seen);
            }
            assert!(
                Instant::now() < deadline,
                "the client did not exit; saw {:#?}",
                self.seen
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    fn stderr(mut self) -> String {
        let mut text = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            std::io::Read::read_to_string(&mut stderr, &mut text).unwrap();
        }
        text
    }
}

/// The author and text of a public message event.
fn said(event: &Event) -> Option<(&str, &str)> {
    match event {
        Event::Message { message, .. } if message.conversation.is_general() => {
            message.text().map(|text| (message.author.as_str(), text))
        }
        _ => None,
    }
}

fn wait_for(client: &Client, mut wanted: impl FnMut(&Event) -> bool) -> Event {
    let deadline = Instant::now() + TIMEOUT;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match client.events().recv_timeout(left) {
            Ok(event) if wanted(&event) => return event,
            Ok(event) => seen.push(event),
            Err(_) => panic!("event not seen; saw {seen:#?}"),
        }
    }
}

#[test]
fn two_terminal_clients_hold_a_conversation() {
    let server = TestServer::start();
    let mut an = Cli::start(&server, "an", PASSWORD);
    an.expect("[i] logged in as an");
    let mut minh = Cli::start(&server, "Minh", PASSWORD);
    minh.expect("[i] logged in as Minh");
    an.expect("[i] Minh joined");

    minh.send("xin chào | mọi người");
    minh.expect("[Me] xin chào | mọi người");
    an.expect("Minh: xin chào | mọi người");

    an.send("@minh psst");
    an.expect("[PM → minh] psst");
    minh.expect("[PM from an] psst");

    minh.send("/dm an ok");
    an.expect("[PM from Minh] ok");

    minh.send("@an");
    minh.expect("[!] write it as @user message");

    minh.send("/users");
    minh.expect("[i] online: an, Minh");

    minh.send("/quit");
    let (status, _) = minh.finish();
    assert!(status.success());
    an.expect("[i] Minh left");
    let (status, _) = an.finish();
    assert!(status.success());
}

#[test]
fn piped_input_is_delivered_before_exit() {
    let server = TestServer::start();
    let observer = server.observer("observer");
    let mut piper = server
        .command("piper")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    piper
        .stdin
        .take()
        .unwrap()
        .write_all(b"hello\n/quit\n")
        .unwrap();
    let output = piper.wait_with_output().unwrap();
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).unwrap();
    assert!(printed.contains("[Me] hello"), "{printed}");
    let heard = wait_for(&observer, |e| said(e).is_some());
    assert_eq!(said(&heard), Some(("piper", "hello")));
}

#[test]
fn files_are_sent_fetched_verified_and_cleared() {
    let server = TestServer::start();
    let original = server.path("ghi chú.txt");
    // Text, as the server checks a .txt's contents.
    let body: Vec<u8> = (0..200_000usize)
        .map(|i| b"ghi chu so 1\n"[i % 13])
        .collect();
    std::fs::write(&original, &body).unwrap();

    let mut sender = Cli::start(&server, "sender", PASSWORD);
    sender.expect("[i] logged in as sender");
    sender.send(&format!("/send {}", original.display()));
    // End of input right after /send: the upload still completes.
    let (status, seen) = sender.finish();
    assert!(status.success());
    assert!(
        seen.iter()
            .any(|l| l.ends_with("[+] shared ghi chú.txt (195.3 KiB)")),
        "{seen:#?}"
    );
    assert_eq!(
        std::fs::read(server.path("data/server_files/ghi chú.txt")).unwrap(),
        body
    );

    let mut getter = Cli::start(&server, "getter", PASSWORD);
    getter.expect("[i] logged in as getter");
    getter.send("/files");
    getter.expect("ghi chú.txt  195.3 KiB  by sender");
    getter.send("/get ghi chú.txt");
    let line = getter.expect("ghi chú.txt");
    let cached = server.path("cache-getter/ghi chú.txt");
    assert!(line.contains("[+] downloaded"), "{line}");
    assert!(line.ends_with(&cached.display().to_string()), "{line}");
    assert_eq!(std::fs::read(&cached).unwrap(), body);
    getter.send("/get missing.txt");
    getter.expect("[!] download of missing.txt failed: No such file: missing.txt");
    getter.send("/send /definitely/not/here.png");
    getter.expect("No such file or directory (os error 2)");
    getter.send("/clear");
    getter.expect("[*] cache cleared (1 file, 195.3 KiB)");
    assert!(!cached.exists());
    getter.send("/quit");
    assert!(getter.finish().0.success());
}

// See: issue 13, "Delete and quotas".
#[test]
fn a_file_is_deleted_by_its_uploader_and_the_quota_follows() {
    let server = TestServer::start_with(|config| {
        config.file_space.per_user = Some(1024 * 1024);
        config.file_space.min_free_disk = 0;
    });
    let original = server.path("bài tập.txt");
    std::fs::write(&original, "bài tập tuần 1\n".repeat(1000)).unwrap();

    let mut an = Cli::start(&server, "an", PASSWORD);
    an.expect("[i] logged in as an");
    an.send("/quota");
    an.expect("[i] your files take 0 B of your 1.0 MiB; an upload may be up to 1.0 MiB now");
    an.send(&format!("/send {}", original.display()));
    an.expect("[+] shared bài tập.txt (19.5 KiB)");
    let mut binh = Cli::start(&server, "bình", PASSWORD);
    binh.expect("[i] logged in as bình");
    binh.send("/rm bài tập.txt");
    binh.expect(
        "[!] Only its uploader, the room's owner and moderators, and administrators can delete bài tập.txt",
    );
    an.send("/quota");
    an.expect(
        "[i] your files take 19.5 KiB of your 1.0 MiB; an upload may be up to 1004.5 KiB now",
    );
    an.send("/rm bài tập.txt");
    an.expect("[*] you deleted bài tập.txt from #general");
    binh.expect("[*] an deleted bài tập.txt from #general");
    assert!(!server.path("data/server_files/bài tập.txt").exists());
    binh.send("/files");
    binh.expect("[i] no files shared yet");
    binh.send("/get bài tập.txt");
    binh.expect("[!] download of bài tập.txt failed: No such file: bài tập.txt");
    an.send("/quota");
    an.expect("[i] your files take 0 B of your 1.0 MiB; an upload may be up to 1.0 MiB now");
    an.send("/rm bài tập.txt");
    an.expect("[!] No such file: bài tập.txt");
    an.send("/quit");
    assert!(an.finish().0.success());
    binh.send("/quit");
    assert!(binh.finish().0.success());
}

#[test]
fn shares_are_followed_by_their_details() {
    use media_chat_e2e::media::{ImageFormat, mp3, pdf, picture};
    let server = TestServer::start();
    let files = [
        ("lớp học.png", picture(ImageFormat::Png, 640, 480)),
        ("bài hát.mp3", mp3(7000)),
        ("đề.pdf", pdf(12, "De thi hoc ky")),
    ];
    let mut watcher = Cli::start(&server, "watcher", PASSWORD);
    watcher.expect("[i] logged in as watcher");
    let mut sender = Cli::start(&server, "sender", PASSWORD);
    sender.expect("[i] logged in as sender");
    for (name, body) in &files {
        let path = server.path(name);
        std::fs::write(&path, body).unwrap();
        sender.send(&format!("/send {}", path.display()));
    }
    // Uploads run side by side: the lines come in any order.
    let details = [
        Preview::Image {
            width: 640,
            height: 480,
        },
        Preview::Audio {
            duration_ms: 182_857,
        },
        Preview::Pdf {
            pages: 12,
            title: "De thi hoc ky".into(),
        },
    ];
    let mut missing: Vec<String> = files
        .iter()
        .zip(details)
        .map(|((name, body), preview)| {
            format!(
                "[i] {name} {}",
                display::file_details(
                    body.len() as u64,
                    Some(&preview),
                    &media_chat_client::phrases::ENGLISH
                )
            )
        })
        .collect();
    assert_eq!(missing[1], "[i] bài hát.mp3 2.8 MiB, 3:03");
    assert_eq!(
        missing[2],
        "[i] đề.pdf 1.5 KiB, 12 pages, \"De thi hoc ky\""
    );
    while !missing.is_empty() {
        let line = watcher.expect_containing("[i] ");
        missing.retain(|wanted| !line.ends_with(wanted.as_str()));
    }
    sender.send("/quit");
    assert!(sender.finish().0.success());
    watcher.send("/quit");
    assert!(watcher.finish().0.success());
}

#[test]
fn a_refused_login_exits_with_the_servers_reason() {
    let server = TestServer::start();
    drop(server.observer("taken"));
    let cli = Cli::start(&server, "taken", "wrong password");
    let mut cli = cli;
    drop(cli.stdin.take());
    let status = cli.child.wait().unwrap();
    assert!(!status.success());
    let stderr = cli.stderr();
    assert!(stderr.contains("Wrong password"), "{stderr}");
}

#[test]
fn unknown_commands_are_not_sent_as_text() {
    let server = TestServer::start();
    let observer = server.observer("observer");
    let mut cli = Cli::start(&server, "typo", PASSWORD);
    cli.expect("[i] logged in as typo");
    cli.send("/snd x");
    cli.expect("[!] unknown command /snd; /help lists them");
    cli.send("after");
    let heard = wait_for(&observer, |e| said(e).is_some());
    assert_eq!(said(&heard), Some(("typo", "after")));
    let _ = cli.finish();
}

#[test]
fn an_unknown_certificate_is_not_trusted_without_asking() {
    let server = TestServer::start();
    let output = server
        .untrusting_command("careful")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains(&server.fingerprint), "{stderr}");
    assert!(
        stderr.contains(&format!("--trust {}", server.fingerprint)),
        "{stderr}"
    );
}

#[test]
fn a_trusted_fingerprint_is_remembered_for_the_next_run() {
    let server = TestServer::start();
    let mut first = server
        .command("keeper")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    first.stdin.take().unwrap().write_all(b"/quit\n").unwrap();
    assert!(first.wait_with_output().unwrap().status.success());
    let known = std::fs::read_to_string(server.path("config/media-chat/known_servers")).unwrap();
    assert!(known.contains(&server.fingerprint), "{known}");
    // No --trust this time: the remembered fingerprint is enough.
    let mut again = server
        .untrusting_command("keeper")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    again.stdin.take().unwrap().write_all(b"/quit\n").unwrap();
    let output = again.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn plaintext_still_reaches_the_server() {
    let server = TestServer::start();
    let observer = server.observer("observer");
    let mut plain = server
        .untrusting_command("old")
        .arg("--plaintext")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    plain
        .stdin
        .take()
        .unwrap()
        .write_all(b"hello in clear\n/quit\n")
        .unwrap();
    assert!(plain.wait_with_output().unwrap().status.success());
    let heard = wait_for(&observer, |e| said(e).is_some());
    assert_eq!(said(&heard), Some(("old", "hello in clear")));
}

/// A line typed while the connection is down is marked pending, goes out
/// once the client has reconnected, is confirmed, and is stored once.
/// See: issue 10, "A durable message store".
#[test]
fn a_line_written_while_disconnected_is_marked_pending_then_delivered() {
    let mut server = TestServer::start();
    let mut an = Cli::spawn(server.reconnecting_command("an"));
    an.expect("[i] logged in as an");
    server.server.stop();
    an.expect_containing("[!] reconnecting in");
    an.send("written offline");
    an.expect("[Me] written offline [pending]");
    server.server.restart_same_addr();
    an.expect("[+] delivered: [Me] written offline");
    let mut bob = server.server.connect();
    let welcome = bob.login_v3("bob", PASSWORD, None);
    let stored: Vec<&str> = welcome
        .events()
        .into_iter()
        .filter(|line| line.ends_with("|#general|TEXT|an|written offline"))
        .collect();
    assert_eq!(stored.len(), 1, "{:#?}", welcome.lines);
    an.send("/quit");
    let (status, _) = an.finish();
    assert!(status.success());
}

#[test]
fn more_prints_the_page_before_the_oldest_shown() {
    let server = TestServer::start();
    let mut poster = server.server.connect();
    poster.login_v3("bình", PASSWORD, None);
    for n in 0..125 {
        poster.send_line(&format!("SEND|p{n}|#general|old {n}"));
        while !poster.read_line().starts_with(&format!("ACK|p{n}|")) {}
    }
    let mut an = Cli::start(&server, "an", PASSWORD);
    an.expect("bình: old 124");
    an.send("/more");
    an.expect("bình: old 24");
    an.send("/more");
    an.expect("bình: old 4");
    an.expect("[i] no older messages in #general");
    an.send("/quit");
    let (status, seen) = an.finish();
    assert!(status.success());
    let shown: Vec<&str> = seen
        .iter()
        .filter_map(|line| line.split_once("bình: ").map(|(_, text)| text))
        .collect();
    let expected: Vec<String> = (25..125)
        .chain(5..25)
        .chain(0..5)
        .map(|n| format!("old {n}"))
        .collect();
    assert_eq!(
        shown, expected,
        "each once: the backlog, then each page oldest first"
    );
}

/// What the terminal prints counts as read: the user's other sessions
/// learn the position (the desktop moves its "new messages" line).
#[test]
fn printed_messages_count_as_read_for_the_users_other_sessions() {
    let server = TestServer::start();
    let desk = server.observer("an");
    let mut poster = server.server.connect();
    poster.login_v3("bình", PASSWORD, None);
    let mut an = Cli::start(&server, "an", PASSWORD);
    an.expect("[i] logged in as an");
    poster.send_line("SEND|r1|#general|đọc rồi");
    let ack = loop {
        let line = poster.read_line();
        if line.starts_with("ACK|r1|") {
            break line;
        }
    };
    let id: u64 = ack
        .split('|')
        .nth(2)
        .and_then(|id| id.parse().ok())
        .unwrap();
    an.expect("bình: đọc rồi");
    let read = wait_for(&desk, |e| matches!(e, Event::ReadUpTo { .. }));
    assert_eq!(
        read,
        Event::ReadUpTo {
            conversation: media_chat_client::Conversation::general(),
            id
        }
    );
    an.send("/quit");
    assert!(an.finish().0.success());
}

/// The next `EVENT` line on a raw connection (presence may come first).
fn next_event(client: &mut media_chat_e2e::RawClient) -> String {
    loop {
        let line = client.read_line();
        if line.starts_with("EVENT|") {
            return line;
        }
    }
}

/// Waits until `cli` has printed a line holding every one of `parts`.
fn expect_all(cli: &mut Cli, parts: &[&str]) -> String {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match cli.lines.recv_timeout(left) {
            Ok(line) => {
                cli.seen.push(line.clone());
                if parts.iter().all(|part| line.contains(part)) {
                    return line;
                }
            }
            Err(_) => panic!("no line holding {parts:?}; saw {:#?}", cli.seen),
        }
    }
}

/// Two terminal clients through a private room: created, an invitation,
/// joined, a conversation, a line from a room that is not the current one,
/// `/rooms` with its unread count, `/go`, and a removal after which the
/// removed member hears nothing of the room.
/// See: issue 11, "Rooms".
#[test]
fn two_terminal_clients_through_a_private_room() {
    let server = TestServer::start();
    let mut an = Cli::start(&server, "an", PASSWORD);
    an.expect("[i] logged in as an");
    let mut binh = Cli::start(&server, "bình", PASSWORD);
    binh.expect("[i] logged in as bình");
    an.expect("[i] bình joined");

    an.send("/create #bài-tập private bài tập tuần 1");
    an.expect("[*] you created #bài-tập");
    an.expect_containing("[i] now talking in #bài-tập");
    an.send("/invite bình");
    an.expect("[*] you invited bình to #bài-tập");
    binh.expect("[*] an invited you to #bài-tập — /join #bài-tập");
    binh.send("chào");
    // Not in it yet: plain lines still go to #general.
    binh.expect("[Me] chào");
    an.expect("[#general] bình: chào");

    binh.send("/join #bài-tập");
    binh.expect("[*] you joined #bài-tập");
    binh.expect_containing("[i] now talking in #bài-tập");
    an.expect("[*] bình joined #bài-tập");
    binh.send("mình vào rồi");
    binh.expect("[Me] mình vào rồi");
    an.expect("bình: mình vào rồi");

    // an goes back to #general: a line of the room is named.
    an.send("/go #general");
    an.expect("[i] now talking in #general");
    binh.send("câu 3 khó quá @an");
    an.expect("[#bài-tập] bình: câu 3 khó quá @an");
    an.send("/rooms");
    an.expect("[i] your conversations (→ where plain lines go):");
    an.expect("  → #general");
    an.expect("    #bài-tập  private · owner · 2 members · 1 unread, 1 mention · bài tập tuần 1");
    // `#room text` posts without going there.
    an.send("#bài-tập để mình xem");
    an.expect("[Me → #bài-tập] để mình xem");
    binh.expect("an: để mình xem");
    // Going there reads it.
    an.send("/go #bài-tập");
    an.expect("[i] now talking in #bài-tập — bài tập tuần 1");
    an.send("/rooms");
    an.expect("    #general");
    an.expect("  → #bài-tập  private · owner · 2 members · bài tập tuần 1");

    an.send("/remove bình");
    an.expect("[*] you removed bình from #bài-tập");
    binh.expect("[!] you were removed from #bài-tập by an");
    binh.expect("[i] now talking in #general");
    an.send("sau khi bình đi");
    an.expect("[Me] sau khi bình đi");
    an.send("#general barrier");
    let barrier = binh.expect(" an: barrier");
    assert!(!barrier.contains("[#general]"), "{barrier}");
    binh.send("/quit");
    let (status, seen) = binh.finish();
    assert!(status.success());
    assert!(
        seen.iter().all(|line| !line.contains("sau khi bình đi")),
        "a removed member heard the room: {seen:#?}"
    );
    an.send("/quit");
    assert!(an.finish().0.success());
}

/// `/rooms` shows what came while the user was away, counted by the
/// server at login; `/go` sends plain lines to a room or a person.
#[test]
fn rooms_lists_unread_counts_from_login_and_go_changes_where_lines_go() {
    let server = TestServer::start();
    let mut poster = server.server.connect();
    poster.login_v3("bình", PASSWORD, None);
    poster.send_line("CREATE|#lop|public|lớp 12A");
    let mut an = server.server.connect();
    an.login_v3("an", PASSWORD, None);
    an.send_line("JOIN|#lop");
    next_event(&mut an);
    drop(an);
    for (n, text) in ["một", "hai @an", "ba"].iter().enumerate() {
        poster.send_line(&format!("SEND|p{n}|#lop|{text}"));
        while !poster.read_line().starts_with(&format!("ACK|p{n}|")) {}
    }
    poster.send_line("CREATE|#khac|public|");
    next_event(&mut poster);

    let mut cli = Cli::start(&server, "an", PASSWORD);
    cli.expect("[#lop] bình: ba");
    cli.send("/rooms");
    cli.expect("  → #general");
    cli.expect("    #lop  2 members · 3 unread, 1 mention · lớp 12A");
    cli.expect("[i] rooms to join (/join #room):");
    cli.expect("    #khac  1 member");

    cli.send("/go #lop");
    cli.expect("[i] now talking in #lop — lớp 12A");
    cli.send("chào lớp");
    cli.expect("[Me] chào lớp");
    assert!(next_event(&mut poster).ends_with("|#lop|TEXT|an|chào lớp"));
    cli.send("/rooms");
    cli.expect("  → #lop  2 members · lớp 12A");
    cli.send("/members");
    cli.expect("[i] 2 members of #lop:");
    cli.expect("    an  online");
    cli.expect("    bình  owner · online");
    cli.send("/go @bình");
    cli.expect("[i] now talking in @bình");
    cli.send("riêng thôi");
    cli.expect("[PM → bình] riêng thôi");
    assert!(next_event(&mut poster).ends_with("|@an|TEXT|an|riêng thôi"));
    cli.send("/go #nowhere");
    cli.expect("[!] you are not in #nowhere; /join #nowhere first");
    cli.send("/quit");
    assert!(cli.finish().0.success());
}

/// An administrator makes an invitation code; a newcomer registers with
/// `--invite-code` on a server where registering needs one; a password
/// change is typed in answer to its questions.
#[test]
fn an_invitation_code_lets_a_newcomer_in_and_passwords_are_asked_for() {
    let server = TestServer::start_with(|config| config.admins = vec!["boss".into()]);
    let mut boss = Cli::start(&server, "boss", PASSWORD);
    boss.expect("[i] logged in as boss");
    boss.send("/registration invite");
    boss.expect("[i] Registration is now invite");
    boss.send("/invite-code");
    let line = boss.expect_containing("[+] invitation code: ");
    let code = line
        .split("invitation code: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a code")
        .to_owned();

    let refused = server
        .command("minh")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("needs an invitation code"), "{stderr}");

    let mut command = server.command("minh");
    command.args(["--invite-code", &code]);
    let mut minh = Cli::spawn(command);
    minh.expect("[i] logged in as minh");
    boss.expect("[i] minh joined");
    minh.send("/password");
    minh.send(PASSWORD);
    minh.send("mật khẩu mới");
    minh.send("mật khẩu mới");
    minh.expect("[i] Password changed");
    minh.send("/quit");
    assert!(minh.finish().0.success());
    let mut check = server.server.connect();
    assert_eq!(check.login_v1("minh", "mật khẩu mới")[0], "LOGIN_OK|minh");

    boss.send("/audit 5");
    boss.expect_containing("[i] audit log, ");
    expect_all(&mut boss, &["boss  registration"]);
    boss.send("/quit");
    assert!(boss.finish().0.success());
}

/// `/search` finds Vietnamese without diacritics, marks the words that
/// matched, never shows a direct conversation of two others, and says
/// why a query it cannot read is refused.
/// See: issue 12, "Search".
#[test]
fn search_finds_without_diacritics_and_only_what_the_user_may_see() {
    let server = TestServer::start();
    let mut an = Cli::start(&server, "an", PASSWORD);
    an.expect("[i] logged in as an");
    let mut binh = Cli::start(&server, "bình", PASSWORD);
    binh.expect("[i] logged in as bình");
    an.expect("[i] bình joined");
    let mut cuong = Cli::start(&server, "cường", PASSWORD);
    cuong.expect("[i] logged in as cường");

    an.send("Đăng ơi, nộp bài tập chưa?");
    an.expect("[Me] Đăng ơi, nộp bài tập chưa?");
    an.send("@bình bài tập riêng");
    an.expect("[PM → bình] bài tập riêng");
    binh.expect("[PM from an] bài tập riêng");

    binh.send("/search dang bai");
    binh.expect("[i] 1 result, best first:");
    binh.expect_containing("#general an: *Đăng* ơi, nộp *bài* tập chưa?");
    binh.send("/search \"bai tap\"");
    binh.expect("[i] 2 results, best first:");
    let first = binh.expect_containing("*bài tập*");
    let second = binh.expect_containing("*bài tập*");
    assert!(
        [&first, &second]
            .iter()
            .any(|line| line.contains("@an an: *bài tập* riêng")),
        "{first}\n{second}"
    );

    cuong.send("/search bai tap");
    cuong.expect("[i] 1 result, best first:");
    cuong.expect_containing("#general an: Đăng ơi, nộp *bài* *tập* chưa?");
    cuong.send("/search rieng");
    cuong.expect("[i] nothing found");
    cuong.send("/search to:an");
    cuong.expect_containing(
        "[!] Unknown filter to: (the filters are from:, in:, has:file, before: and after:)",
    );

    for cli in [an, binh, cuong] {
        let mut cli = cli;
        cli.send("/quit");
        assert!(cli.finish().0.success());
    }
}

/// Each printed message has a handle; `/edit ^N` and `/delete ^N` (or the
/// last own message by default) change it for everyone, the others see the
/// change named by their own handle, and nobody edits another's message.
/// See: issue 12, "Messages".
#[test]
fn messages_are_edited_and_deleted_by_their_handles() {
    let server = TestServer::start();
    let mut an = Cli::start(&server, "an", PASSWORD);
    an.expect("[i] logged in as an");
    let mut binh = Cli::start(&server, "bình", PASSWORD);
    binh.expect("[i] logged in as bình");
    an.expect("[i] bình joined");

    an.send("hẹn 7 giờ");
    let mine = an.expect("[Me] hẹn 7 giờ");
    assert!(mine.contains("] ^1 [Me] hẹn 7 giờ"), "{mine}");
    let theirs = binh.expect("an: hẹn 7 giờ");
    let handle = theirs
        .split_whitespace()
        .find(|word| word.starts_with('^'))
        .expect("a handle")
        .to_owned();

    // An answer from the server comes after the message's acknowledgement.
    an.send("/files");
    an.expect("[i] no files shared yet");
    // No handle: the last own message here.
    an.send("/edit hẹn 8 giờ nhé");
    an.expect("[*] you edited ^1: hẹn 8 giờ nhé");
    binh.expect(&format!("[*] an edited {handle}: hẹn 8 giờ nhé"));

    binh.send(&format!("/edit {handle} của bình"));
    binh.expect("[!] You can only edit your own messages");
    binh.send(&format!("/delete {handle}"));
    binh.expect(
        "[!] Only its author, the room's owner and moderators, and administrators can delete it",
    );
    binh.send("/delete ^99");
    binh.expect("[!] no message is ^99");
    binh.send("/delete");
    binh.expect("[!] you have written nothing here yet");

    an.send("/delete ^1");
    an.expect("[*] you deleted ^1");
    binh.expect(&format!("[*] an deleted {handle}"));
    // Someone logging in later sees it as it is now.
    let mut cuong = Cli::start(&server, "cường", PASSWORD);
    cuong.expect("an: (message deleted)");

    for cli in [an, binh, cuong] {
        let mut cli = cli;
        cli.send("/quit");
        assert!(cli.finish().0.success());
    }
}

/// `/block` hides a user's messages and refuses their private ones,
/// `/mute` marks a conversation muted in `/rooms`; both are undone.
/// See: issue 12, "Mentions and notifications".
#[test]
fn blocking_hides_a_users_messages_and_muting_shows_in_rooms() {
    let server = TestServer::start();
    let mut an = Cli::start(&server, "an", PASSWORD);
    an.expect("[i] logged in as an");
    let mut binh = Cli::start(&server, "bình", PASSWORD);
    binh.expect("[i] logged in as bình");
    an.expect("[i] bình joined");

    an.send("/block bình");
    an.expect("[*] you blocked bình: their messages are hidden, their direct messages refused");
    binh.send("chào cả lớp");
    binh.expect("[Me] chào cả lớp");
    an.expect("[i] 1 message from a blocked user (bình) — /unblock bình shows them");
    binh.send("@an riêng");
    binh.expect_containing("an does not take direct messages from you");

    an.send("/mute");
    an.expect("[*] #general is muted: no notifications or badge (still counted unread)");
    an.send("/rooms");
    an.expect("  → #general  muted");
    an.send("/unmute");
    an.expect("[*] #general is no longer muted");
    an.send("/unblock bình");
    an.expect("[*] you unblocked bình");
    binh.send("lại chào");
    an.expect("bình: lại chào");

    for cli in [an, binh] {
        let mut cli = cli;
        cli.send("/quit");
        assert!(cli.finish().0.success());
    }
}

/// `/reply ^N text` (or `/reply text`: the last message here) answers a
/// message; the reply is printed under a quote of what it answers, with
/// the quoted message's handle, for both sides and at a later login.
/// See: issue 12, "Messages".
#[test]
fn replies_quote_what_they_answer() {
    let server = TestServer::start();
    let mut an = Cli::start(&server, "an", PASSWORD);
    an.expect("[i] logged in as an");
    let mut binh = Cli::start(&server, "bình", PASSWORD);
    binh.expect("[i] logged in as bình");
    an.expect("[i] bình joined");

    an.send("hẹn 7 giờ ở quán cũ nhé, nhớ mang theo cả bài tập tuần trước");
    an.expect("[Me] hẹn 7 giờ ở quán cũ nhé, nhớ mang theo cả bài tập tuần trước");
    let theirs = binh.expect("an: hẹn 7 giờ ở quán cũ nhé, nhớ mang theo cả bài tập tuần trước");
    let handle = theirs
        .split_whitespace()
        .find(|word| word.starts_with('^'))
        .expect("a handle")
        .to_owned();

    // No handle: the last message printed here, anyone's.
    binh.send("/reply ừ, 7 giờ");
    binh.expect(&format!(
        "↳ an: hẹn 7 giờ ở quán cũ nhé, nhớ mang theo… ({handle})"
    ));
    binh.expect("[Me] ừ, 7 giờ");
    an.expect("↳ an: hẹn 7 giờ ở quán cũ nhé, nhớ mang theo… (^1)");
    an.expect("bình: ừ, 7 giờ");
    an.send("/reply ^1 hay 8 giờ?");
    an.expect("[Me] hay 8 giờ?");
    binh.expect("an: hay 8 giờ?");
    an.send("/reply ^99 x");
    an.expect("[!] no message is ^99");

    // Later, from the backlog: the quote names the original it printed.
    let mut cuong = Cli::start(&server, "cường", PASSWORD);
    cuong.expect_containing("an: hẹn 7 giờ ở quán cũ");
    cuong.expect("↳ an: hẹn 7 giờ ở quán cũ nhé, nhớ mang theo… (^1)");
    cuong.expect("bình: ừ, 7 giờ");

    for cli in [an, binh, cuong] {
        let mut cli = cli;
        cli.send("/quit");
        assert!(cli.finish().0.success());
    }
}

/// `/react ^N 👍` (or `/react 👍`: the last message here) gives a
/// reaction, the same again takes it back; both sides print the change
/// with the counts, and a later login prints the message's reactions.
/// See: issue 12, "Messages".
#[test]
fn reactions_are_toggled_by_handle_and_shown_with_their_counts() {
    let server = TestServer::start();
    let mut an = Cli::start(&server, "an", PASSWORD);
    an.expect("[i] logged in as an");
    let mut binh = Cli::start(&server, "bình", PASSWORD);
    binh.expect("[i] logged in as bình");
    an.expect("[i] bình joined");

    an.send("ai đi ăn trưa?");
    an.expect("^1 [Me] ai đi ăn trưa?");
    let theirs = binh.expect("an: ai đi ăn trưa?");
    let handle = theirs
        .split_whitespace()
        .find(|word| word.starts_with('^'))
        .expect("a handle")
        .to_owned();
    binh.send("/react 🙋");
    binh.expect(&format!("[*] you reacted 🙋 to {handle} — 🙋 1"));
    an.expect("[*] bình reacted 🙋 to ^1 — 🙋 1");
    an.send("/react ^1 🙋");
    an.expect("[*] you reacted 🙋 to ^1 — 🙋 2");
    binh.expect(&format!("[*] an reacted 🙋 to {handle} — 🙋 2"));
    an.send("/react ^1 🍜");
    an.expect("[*] you reacted 🍜 to ^1 — 🙋 2 · 🍜 1");
    an.send("/react ^1 🙋");
    an.expect("[*] you took back 🙋 on ^1 — 🙋 1 · 🍜 1");
    binh.expect(&format!("[*] an took back 🙋 on {handle} — 🙋 1 · 🍜 1"));
    an.send("/react ^1 a|b");
    an.expect("[!] a reaction may not contain '|'");

    let mut cuong = Cli::start(&server, "cường", PASSWORD);
    cuong.expect("an: ai đi ăn trưa?");
    cuong.expect("[i] reactions on ^1: 🙋 1 · 🍜 1");

    for cli in [an, binh, cuong] {
        let mut cli = cli;
        cli.send("/quit");
        assert!(cli.finish().0.success());
    }
}

/// `--bell` rings the terminal bell (a BEL before the line) for a private
/// message and a mention, by name or `@here`, and for nothing else: not
/// for other messages, not in a muted conversation, not without the flag.
/// See: issue 12, "Mentions and notifications".
#[test]
fn the_bell_rings_for_private_messages_and_mentions_only() {
    const BEL: char = '\u{7}';
    let server = TestServer::start();
    let mut command = server.command("an");
    command.arg("--bell");
    let mut an = Cli::spawn(command);
    an.expect("[i] logged in as an");
    let mut binh = Cli::start(&server, "bình", PASSWORD);
    binh.expect("[i] logged in as bình");
    an.expect("[i] bình joined");

    binh.send("chào cả nhà");
    assert!(!an.expect("bình: chào cả nhà").starts_with(BEL));
    binh.send("@an riêng nhé");
    assert!(an.expect("[PM from bình] riêng nhé").starts_with(BEL));
    binh.send("nhờ @an xem giúp");
    assert!(an.expect("bình: nhờ @an xem giúp").starts_with(BEL));
    binh.send("@here họp nào");
    assert!(an.expect("bình: @here họp nào").starts_with(BEL));
    // Without --bell, nothing rings.
    an.send("@bình ừ");
    assert!(!binh.expect("[PM from an] ừ").contains(BEL));
    // A muted conversation rings no more.
    an.send("/mute");
    an.expect("[*] #general is muted: no notifications or badge (still counted unread)");
    binh.send("@here lần nữa");
    assert!(!an.expect("bình: @here lần nữa").starts_with(BEL));

    for cli in [an, binh] {
        let mut cli = cli;
        cli.send("/quit");
        assert!(cli.finish().0.success());
    }
}
