//! The window never waits on the network or the disk: Exit returns from its
//! frame at once while a transfer is stuck in a handshake its server never
//! answers, and hosting a chat starts the server (which reads its accounts
//! and replays its log first) off the UI thread, showing that it is
//! starting. The work itself finishes in the background.
//!
//! Each situation here would hang a frame that waited for it for as long
//! as the test keeps it stuck, which is forever: a watchdog turns such a
//! hang into a failure, long after anything that should finish has.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use media_chat_gui::{App, Paths, fonts};

/// How long a test waits for one thing to happen.
const TIMEOUT: Duration = Duration::from_secs(20);

/// How long a test may take before the watchdog calls it hung.
const HUNG: Duration = Duration::from_secs(120);

/// Ends the test process if the test that started it has not finished
/// within [`HUNG`]: a frame that blocks forever cannot fail by itself.
struct Watchdog {
    _finished: Sender<()>,
}

impl Watchdog {
    fn start(test: &'static str) -> Watchdog {
        let (finished, done) = mpsc::channel::<()>();
        thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = done.recv_timeout(HUNG) {
                eprintln!("{test}: hung for {HUNG:?}: a frame is waiting on the network or disk");
                std::process::exit(1);
            }
        });
        Watchdog {
            _finished: finished,
        }
    }
}

/// What the fake server saw, in the order it saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    /// The chat connection sent `QUIT`.
    ChatQuit,
    /// A transfer connection sent its first line, and got no answer.
    TransferHello(String),
    /// The client closed a transfer connection.
    TransferClosed,
}

/// A plaintext version 2 server on `127.0.0.1:0`: the first connection is
/// the chat (any login works, `PING` is answered, `QUIT` closes); every
/// later one is a transfer whose handshake it never answers, trickling a
/// space now and then so that no read time-out ends it either.
struct StuckFake {
    addr: SocketAddr,
    seen: Receiver<Seen>,
}

impl StuckFake {
    fn start() -> StuckFake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (tell, seen) = mpsc::channel();
        thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(stream) = stream else { return };
                let tell = tell.clone();
                thread::spawn(move || match n {
                    0 => chat(stream, &tell),
                    _ => stuck_transfer(stream, &tell),
                });
            }
        });
        StuckFake { addr, seen }
    }

    fn next(&self, what: &str) -> Seen {
        self.seen
            .recv_timeout(TIMEOUT)
            .unwrap_or_else(|e| panic!("the fake did not see {what}: {e}"))
    }
}

fn chat(stream: TcpStream, tell: &Sender<Seen>) {
    let mut writer = stream.try_clone().unwrap();
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else { break };
        let (verb, rest) = line.split_once('|').unwrap_or((&line, ""));
        let answer = match verb {
            "HELLO" => "HELLO|2\n".to_owned(),
            "LOGIN" => {
                let user = rest.split('|').next().unwrap_or_default();
                format!("LOGIN_OK|{user}\nLIMITS|10485760|txt\nUSERS|{user}\nHISTORY_END\n")
            }
            "PING" => format!("PONG|{rest}\n"),
            "QUIT" => {
                let _ = tell.send(Seen::ChatQuit);
                break;
            }
            _ => continue,
        };
        if writer.write_all(answer.as_bytes()).is_err() {
            break;
        }
    }
    let _ = writer.shutdown(Shutdown::Both);
}

fn stuck_transfer(stream: TcpStream, tell: &Sender<Seen>) {
    let mut writer = stream.try_clone().unwrap();
    let mut lines = BufReader::new(stream).lines();
    if let Some(Ok(hello)) = lines.next() {
        let _ = tell.send(Seen::TransferHello(hello));
    }
    // A simulated server that is alive but never answers; ends when the
    // client closes the connection.
    while writer.write_all(b" ").is_ok() {
        thread::sleep(Duration::from_millis(100));
    }
    let _ = tell.send(Seen::TransferClosed);
}

/// A window whose directories are all under `root`.
fn harness(root: &Path) -> Harness<'static, App> {
    let app = App::new(Paths {
        settings: None,
        cache_dir: Some(root.join("cache")),
        data_dir: Some(root.join("data")),
        host_data_dir: Some(root.join("hosted")),
        known_servers: Some(root.join("known_servers")),
    });
    Harness::builder()
        .with_size(egui::vec2(980.0, 680.0))
        .with_context_setup(fonts::install)
        .build_ui_state(
            |ui, app: &mut App| {
                app.tick(ui.ctx());
                app.draw(ui);
            },
            app,
        )
}

/// Runs frames until `done` holds (and not one more); the client's
/// threads deliver events in between. Panics after [`TIMEOUT`].
fn step_until(
    harness: &mut Harness<'static, App>,
    what: &str,
    mut done: impl FnMut(&Harness<'static, App>) -> bool,
) {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        harness.step();
        if done(harness) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        // Frames are cheap; this only keeps the loop from spinning.
        thread::sleep(Duration::from_millis(5));
    }
}

fn fill_login(harness: &mut Harness<'static, App>, port: u16, tls: bool) {
    let form = harness.state_mut().form_mut();
    form.host = "127.0.0.1".to_owned();
    form.port = port.to_string();
    form.user = "minh".to_owned();
    form.password = "mật khẩu".to_owned();
    form.tls = tls;
    harness.run_steps(2);
}

fn close_was_requested(harness: &Harness<'static, App>) -> bool {
    harness
        .output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .is_some_and(|viewport| {
            viewport
                .commands
                .iter()
                .any(|command| matches!(command, egui::ViewportCommand::Close))
        })
}

#[test]
fn exit_returns_at_once_while_a_transfer_is_stuck_in_its_handshake() {
    let _watchdog = Watchdog::start("exit");
    let root = tempfile::tempdir().unwrap();
    let fake = StuckFake::start();
    let mut harness = harness(root.path());
    fill_login(&mut harness, fake.addr.port(), false);
    harness.get_by_label("Log in").click();
    step_until(&mut harness, "the chat window", |h| {
        h.state().state().is_some()
    });
    // The window settles its layout before a click lands where drawn.
    harness.run_steps(2);
    harness.get_by_label("Get File").click();
    step_until(&mut harness, "the Get File prompt", |h| {
        h.query_by_role_and_label(Role::TextInput, "File name")
            .is_some()
    });
    let field = harness.get_by_role_and_label(Role::TextInput, "File name");
    field.focus();
    field.type_text("never.txt");
    harness.run_steps(2);
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    assert_eq!(
        fake.next("the transfer's handshake"),
        Seen::TransferHello("HELLO|3".into())
    );
    assert_eq!(harness.state().state().unwrap().transfers.len(), 1);

    let background = harness.state().background();
    harness.get_by_label("Exit").click();
    // The transfer's handshake never ends by itself: a frame that waited
    // for it would never come back.
    step_until(&mut harness, "the app to close", |h| h.state().is_closing());
    assert!(close_was_requested(&harness), "Exit closes the window");

    // Meanwhile the log-out goes on in the background, and finishes.
    background.wait();
    let mut seen = vec![
        fake.next("the transfer closed or the chat's QUIT"),
        fake.next("the transfer closed or the chat's QUIT"),
    ];
    seen.sort_by_key(|s| format!("{s:?}"));
    assert_eq!(seen, [Seen::ChatQuit, Seen::TransferClosed]);
}

/// `mkfifo path`: reading a FIFO waits until someone opens it for writing.
#[cfg(unix)]
fn make_fifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("cannot run mkfifo");
    assert!(status.success(), "mkfifo {} failed", path.display());
}

#[cfg(unix)]
#[test]
fn hosting_a_chat_starts_the_server_off_the_ui_thread() {
    let _watchdog = Watchdog::start("hosting");
    let root = tempfile::tempdir().unwrap();
    let data: PathBuf = root.path().join("hosted");
    std::fs::create_dir_all(&data).unwrap();
    // The server reads its accounts first: until this FIFO is opened for
    // writing, starting the server cannot get past that read.
    let accounts = data.join("creds.txt");
    make_fifo(&accounts);
    let mut harness = harness(root.path());
    fill_login(&mut harness, 0, true);
    harness.get_by_label("Host a chat on this computer").click();
    step_until(&mut harness, "the starting server to show", |h| {
        h.query_by_label("Starting the chat server…").is_some()
    });
    assert!(harness.state().state().is_none());
    assert!(harness.state().hosted_address().is_none());

    // An empty accounts file: opening it waits for the server's read, and
    // closing it ends that read. Then a plain file takes the FIFO's place
    // for the registration to come (no frame has run since: the login that
    // registers starts in the next one).
    drop(
        std::fs::OpenOptions::new()
            .write(true)
            .open(&accounts)
            .unwrap(),
    );
    std::fs::remove_file(&accounts).unwrap();
    step_until(&mut harness, "the chat window", |h| {
        h.state().state().is_some()
    });
    assert!(
        harness
            .query_by_label("Starting the chat server…")
            .is_none()
    );
    let address = harness.state().hosted_address().expect("hosting");
    step_until(&mut harness, "the hosting notice", |h| {
        h.query_by_label_contains("[i] hosting a chat here: others join at")
            .is_some()
    });
    let port: u16 = harness.state_mut().form_mut().port.parse().unwrap();
    assert!(address.ends_with(&format!(":{port}")), "{address}");

    // Closing logs out and stops the server in the background.
    let background = harness.state().background();
    harness.state_mut().shut_down();
    background.wait();
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the hosted server still listens on {port}"
    );
}
