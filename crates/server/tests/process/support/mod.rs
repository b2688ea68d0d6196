//! What the process tests share: the server binary as a child process,
//! and a minimal raw client.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use media_chat_protocol::{MessageReader, ReadError};

pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The server binary running on `127.0.0.1:0` over `data_dir`, killed on
/// drop if still running.
pub struct ServerProcess {
    pub child: Child,
    pub addr: SocketAddr,
    /// The `SHA256:…` fingerprint the server printed at start-up.
    pub fingerprint: String,
    log: PathBuf,
}

impl ServerProcess {
    pub fn start(data_dir: &Path, log: &Path) -> Self {
        Self::start_with(data_dir, log, &[])
    }

    /// [`ServerProcess::start`] with more flags.
    pub fn start_with(data_dir: &Path, log: &Path, flags: &[&str]) -> Self {
        let stderr = File::options()
            .create(true)
            .append(true)
            .open(log)
            .expect("cannot open the log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_media-chat-server"))
            .args(["--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(["--argon2-memory-kib", "256", "--argon2-iterations", "1"])
            .args(flags)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("cannot start the server binary");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut lines = String::new();
            // `listening on <addr>`, then `tls certificate <fingerprint>`.
            let first = reader
                .read_line(&mut lines)
                .and_then(|_| reader.read_line(&mut lines))
                .map(|_| lines);
            let _ = tx.send(first);
            // Keep the pipe drained so the server never blocks on it.
            let _ = io::copy(&mut reader, &mut io::sink());
        });
        let mut process = ServerProcess {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            fingerprint: String::new(),
            log: log.to_path_buf(),
        };
        let lines = match rx.recv_timeout(TIMEOUT) {
            Ok(Ok(lines)) => lines,
            other => panic!(
                "no `listening on` line ({other:?}); log:\n{}",
                process.log_text()
            ),
        };
        let mut lines = lines.lines();
        let line = lines.next().unwrap_or_default().to_owned();
        process.fingerprint = lines
            .next()
            .and_then(|line| line.strip_prefix("tls certificate "))
            .unwrap_or_else(|| panic!("no `tls certificate` line; log:\n{}", process.log_text()))
            .to_owned();
        process.addr = line
            .trim_end()
            .strip_prefix("listening on ")
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| {
                panic!(
                    "expected `listening on <addr>`, got {line:?}; log:\n{}",
                    process.log_text()
                )
            });
        process
    }

    pub fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("pid fits pid_t");
        // SAFETY: kill(2) with a child's pid has no memory-safety concerns.
        let result = unsafe { libc::kill(pid, signal) };
        assert_eq!(result, 0, "kill failed: {}", io::Error::last_os_error());
    }

    /// Waits for the process to exit (polling: a process exit sends no
    /// event a test can block on with a time-out).
    pub fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit within {TIMEOUT:?}; log:\n{}",
                self.log_text()
            );
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A minimal raw client (the e2e crate's `RawClient` is not a dependency
/// of this package).
pub struct Client {
    pub reader: MessageReader<BufReader<TcpStream>>,
    pub writer: TcpStream,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).expect("cannot connect");
        stream.set_read_timeout(Some(TIMEOUT)).expect("timeout");
        let writer = stream.try_clone().expect("clone");
        Client {
            reader: MessageReader::new(BufReader::new(stream)),
            writer,
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("send");
    }

    pub fn send_line(&mut self, line: &str) {
        self.send(format!("{line}\n").as_bytes());
    }

    pub fn read_line(&mut self) -> String {
        match self.reader.read_line() {
            Ok(Some(line)) => line,
            other => panic!("expected a line, got {other:?}"),
        }
    }

    pub fn expect_line(&mut self, expected: &str) {
        assert_eq!(self.read_line(), expected);
    }

    pub fn expect_eof(&mut self) {
        match self.reader.read_line() {
            Ok(None) => {}
            Err(ReadError::Io(e)) if e.kind() == io::ErrorKind::ConnectionReset => {}
            other => panic!("expected the connection to close, got {other:?}"),
        }
    }

    pub fn login_v1(addr: SocketAddr, user: &str) -> Self {
        let mut client = Client::connect(addr);
        client.send_line(&format!("LOGIN|{user}|pw"));
        client.expect_line(&format!("LOGIN_OK|{user}"));
        client
    }

    pub fn login_v2(addr: SocketAddr, user: &str) -> Self {
        let mut client = Client::connect(addr);
        client.send_line("HELLO|2");
        client.expect_line("HELLO|2");
        client.send_line(&format!("LOGIN|{user}|pw"));
        client.expect_line(&format!("LOGIN_OK|{user}"));
        while client.read_line() != "HISTORY_END" {}
        client
    }
}
