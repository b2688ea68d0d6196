//! Support for the media-chat end-to-end tests: a real server listening on
//! `127.0.0.1:0` over a fresh temporary data dir, and a raw client that sends
//! bytes and asserts on the exact lines that come back.
//!
//! Nothing here sleeps to synchronise. A client waits for an event (a line,
//! or the end of the stream) with a read time-out, and fails with a clear
//! message when it does not come. To prove that *nothing* was sent to a
//! client, [`RawClient::expect_quiet`] sends `PING|token` and requires the
//! very next line to be `PONG|token`: the server handles one client's
//! commands in order, so anything queued for it earlier would come first.
//! Only file-system state, which sends no event, is polled ([`wait_until`]).
//!
//! # Layout
//! - [`TestServer`]: starts, restarts and stops an in-process server.
//! - [`fast_config`]: the default settings made cheap for tests.
//! - [`RawClient`]: one TCP connection; send lines or raw bytes, read lines
//!   and bodies with a time-out, log in, upload, download.
//! - [`Welcome`]: what a version 2 login received, `LOGIN_OK` to `HISTORY_END`.
//! - [`Welcome3`]: what a version 3 login received, `LOGIN_OK` to `SYNCED`.
//! - [`media`]: real pictures, sounds and PDFs for the preview tests.
//! - Free helpers: [`sha256_hex`], [`test_bytes`], [`file_header`],
//!   [`wait_until`], [`dir_entries`], [`tree`], [`event_id`], [`event_body`].
#![warn(missing_docs)]

pub mod media;

use std::collections::{BTreeSet, VecDeque};
use std::fs;
use std::io::{self, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use media_chat_protocol::{MessageReader, ReadError};
use media_chat_server::{Config, HashParams, Server, ServerHandle};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// How long a client waits for a line before the test fails.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The extension list the server announces by default, as `LIMITS` and the
/// "File type not allowed" error write it.
pub const DEFAULT_EXTENSIONS: &str = "jpg,png,gif,mp3,wav,txt,pdf";

/// The default settings with cheap Argon2 parameters (a login costs about a
/// millisecond instead of tens) and flood control off, so tests may send as
/// fast as they like. Data lives in `data_dir`.
pub fn fast_config(data_dir: impl Into<PathBuf>) -> Config {
    let mut config = Config::new(data_dir);
    config.password_hashing = HashParams {
        memory_kib: 256,
        iterations: 1,
        parallelism: 1,
    };
    config.limits.flood_rate = 0.0;
    config
}

/// A server running in this process on `127.0.0.1:0`, with its data dir
/// `<temp root>/data`. The root holds nothing else, so a path-traversal test
/// can check that nothing appeared beside the data dir.
///
/// Dropping it stops the server (unless the test is already panicking: then
/// the handle is leaked rather than risk a hang inside a failing test).
pub struct TestServer {
    handle: Option<ServerHandle>,
    addr: SocketAddr,
    config: Config,
    root: TempDir,
}

impl TestServer {
    /// Starts a server with [`fast_config`] in a fresh temporary dir.
    pub fn start() -> Self {
        Self::start_with(|_| {})
    }

    /// Starts a server with [`fast_config`] changed by `configure`.
    pub fn start_with(configure: impl FnOnce(&mut Config)) -> Self {
        Self::start_seeded(&[], configure)
    }

    /// Starts a server whose data dir already holds `files` (paths relative
    /// to the data dir, e.g. `("creds.txt", b"...")`) before
    /// [`Server::open`] runs: the way to test loading a seed data dir.
    pub fn start_seeded(files: &[(&str, &[u8])], configure: impl FnOnce(&mut Config)) -> Self {
        let root = tempfile::Builder::new()
            .prefix("media-chat-e2e-")
            .tempdir()
            .expect("cannot create a temporary dir");
        let data_dir = root.path().join("data");
        fs::create_dir(&data_dir).expect("cannot create the data dir");
        for (path, contents) in files {
            let path = data_dir.join(path);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).expect("cannot create a seed dir");
            }
            fs::write(&path, contents).expect("cannot write a seed file");
        }
        let mut config = fast_config(data_dir);
        configure(&mut config);
        let (handle, addr) = launch(&config, "127.0.0.1:0".parse().expect("an address"));
        TestServer {
            handle: Some(handle),
            addr,
            config,
            root,
        }
    }

    /// Starts a server over a copy of the data dir at `source` (a backup,
    /// say), with [`fast_config`] changed by `configure`.
    pub fn start_from(source: &Path, configure: impl FnOnce(&mut Config)) -> Self {
        let mut files = Vec::new();
        for relative in tree(source) {
            let path = source.join(&relative);
            if path.is_file() {
                let contents = fs::read(&path).expect("cannot read a file to copy");
                files.push((relative.to_string_lossy().into_owned(), contents));
            }
        }
        let seeded: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(path, contents)| (path.as_str(), contents.as_slice()))
            .collect();
        Self::start_seeded(&seeded, configure)
    }

    /// Starts a server listening on `bind` (to reach it from another
    /// interface than loopback, say).
    pub fn start_on(bind: SocketAddr, configure: impl FnOnce(&mut Config)) -> Self {
        let root = tempfile::Builder::new()
            .prefix("media-chat-e2e-")
            .tempdir()
            .expect("cannot create a temporary dir");
        let mut config = fast_config(root.path().join("data"));
        configure(&mut config);
        let (handle, addr) = launch(&config, bind);
        TestServer {
            handle: Some(handle),
            addr,
            config,
            root,
        }
    }

    /// The address the server listens on (a new one after each restart).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The settings the server was started with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The temporary root holding the data dir and nothing else.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// The server's data dir.
    pub fn data_dir(&self) -> &Path {
        &self.config.data_dir
    }

    /// The fingerprint of the server's TLS certificate (generated in the
    /// data dir at start-up, kept across restarts).
    pub fn fingerprint(&self) -> media_chat_tls::Fingerprint {
        media_chat_tls::Identity::load_or_generate(self.data_dir(), Vec::new())
            .expect("cannot read the server's certificate")
            .fingerprint()
    }

    /// `<data>/server_files`, where uploads are stored.
    pub fn files_dir(&self) -> PathBuf {
        self.data_dir().join("server_files")
    }

    /// `<data>/.incoming`, where uploads are written before being stored.
    pub fn incoming_dir(&self) -> PathBuf {
        self.data_dir().join(".incoming")
    }

    /// `<data>/creds.txt` as text (empty if missing).
    pub fn creds(&self) -> String {
        fs::read_to_string(self.data_dir().join("creds.txt")).unwrap_or_default()
    }

    /// Opens a new raw connection to the server.
    pub fn connect(&self) -> RawClient {
        RawClient::connect(self.addr)
    }

    /// Connects and logs in as a version 1 client (no `HELLO`).
    pub fn client_v1(&self, user: &str, password: &str) -> RawClient {
        let mut client = self.connect();
        client.login_v1(user, password);
        client
    }

    /// Connects and logs in as a version 2 client, consuming the welcome.
    pub fn client_v2(&self, user: &str, password: &str) -> RawClient {
        let mut client = self.connect();
        client.login_v2(user, password);
        client
    }

    /// Stops the server gracefully and starts it again on the same data dir
    /// with the same settings, on a new port. Existing clients are closed.
    pub fn restart(&mut self) {
        self.stop();
        let (handle, addr) = launch(&self.config, "127.0.0.1:0".parse().expect("an address"));
        self.handle = Some(handle);
        self.addr = addr;
    }

    /// Stops the server gracefully (every session is told and closed) and
    /// waits for it. Panics if stopping fails. Does nothing if stopped.
    pub fn stop(&mut self) {
        if let Some(handle) = self.handle.take()
            && let Err(e) = handle.stop()
        {
            panic!("stopping the server failed: {e:?}");
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            if thread::panicking() {
                std::mem::forget(handle);
            } else {
                let _ = handle.stop();
            }
        }
    }
}

fn launch(config: &Config, bind: SocketAddr) -> (ServerHandle, SocketAddr) {
    let server = match Server::open(config.clone()) {
        Ok(server) => server,
        Err(e) => panic!("Server::open({:?}) failed: {e:?}", config.data_dir),
    };
    let listener = TcpListener::bind(bind).unwrap_or_else(|e| panic!("cannot bind {bind}: {e}"));
    let handle = server.spawn(listener).expect("cannot spawn the server");
    let addr = handle.local_addr();
    (handle, addr)
}

/// What a version 2 login received: every line from `LOGIN_OK` to
/// `HISTORY_END`, both included.
#[derive(Debug, Clone)]
pub struct Welcome {
    /// The lines, in the order received.
    pub lines: Vec<String>,
}

impl Welcome {
    /// The name from `LOGIN_OK|name`.
    pub fn user(&self) -> &str {
        self.lines[0].strip_prefix("LOGIN_OK|").unwrap_or_default()
    }

    /// Every name on the `USERS|…` lines.
    pub fn users(&self) -> BTreeSet<String> {
        self.lines
            .iter()
            .filter_map(|line| line.strip_prefix("USERS|"))
            .flat_map(|list| list.split(','))
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The `HISTORY|ts|…` lines with `HISTORY|ts|` cut off, oldest first:
    /// e.g. `TEXT|an|hi`, `DM|an|bình|psst`, `FILE_SHARED|an|a.png|5|<sha>`.
    pub fn history(&self) -> Vec<String> {
        self.history_with_ts()
            .into_iter()
            .map(|(_, entry)| entry)
            .collect()
    }

    /// The `HISTORY` lines as `(unix_ts, entry)` pairs. Panics on a
    /// timestamp that is not a number.
    pub fn history_with_ts(&self) -> Vec<(u64, String)> {
        self.lines
            .iter()
            .filter_map(|line| line.strip_prefix("HISTORY|"))
            .map(|rest| {
                let (ts, entry) = rest
                    .split_once('|')
                    .unwrap_or_else(|| panic!("HISTORY line without an entry: {rest:?}"));
                let ts = ts
                    .parse()
                    .unwrap_or_else(|_| panic!("HISTORY timestamp is not a number: {rest:?}"));
                (ts, entry.to_owned())
            })
            .collect()
    }
}

/// What a version 3 login received: every line from `LOGIN_OK` to
/// `SYNCED`, both included.
#[derive(Debug, Clone)]
pub struct Welcome3 {
    /// The lines, in the order received.
    pub lines: Vec<String>,
}

impl Welcome3 {
    /// The `EVENT` lines, whole.
    pub fn events(&self) -> Vec<&str> {
        self.lines
            .iter()
            .filter(|line| line.starts_with("EVENT|"))
            .map(String::as_str)
            .collect()
    }

    /// The ids of the `EVENT` lines, in order.
    pub fn event_ids(&self) -> Vec<u64> {
        self.events().iter().map(|line| event_id(line)).collect()
    }

    /// The `GAP|…` lines.
    pub fn gaps(&self) -> Vec<&str> {
        self.lines
            .iter()
            .filter(|line| line.starts_with("GAP|"))
            .map(String::as_str)
            .collect()
    }

    /// The id from the closing `SYNCED|last_id`.
    pub fn synced(&self) -> u64 {
        self.lines
            .last()
            .and_then(|line| line.strip_prefix("SYNCED|"))
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("the welcome does not end with SYNCED: {:?}", self.lines))
    }
}

/// The id of an `EVENT|id|…` line. Panics on any other line.
pub fn event_id(line: &str) -> u64 {
    line.strip_prefix("EVENT|")
        .and_then(|rest| rest.split('|').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not an EVENT line: {line:?}"))
}

/// What an `EVENT` line says after its id and time:
/// `conversation|kind|…`, e.g. `#general|TEXT|an|hi`.
pub fn event_body(line: &str) -> String {
    line.splitn(4, '|')
        .nth(3)
        .unwrap_or_else(|| panic!("not an EVENT line: {line:?}"))
        .to_owned()
}

static NEXT_TOKEN: AtomicU64 = AtomicU64::new(1);

/// A token unique within this test process, for `PING` barriers.
pub fn unique_token() -> String {
    format!("t{}", NEXT_TOKEN.fetch_add(1, Ordering::Relaxed))
}

/// One raw TCP connection to the server. Every read waits at most the
/// client's time-out ([`DEFAULT_TIMEOUT`] unless changed) and panics with the
/// last lines received when nothing comes, so a test never hangs.
pub struct RawClient {
    reader: MessageReader<BufReader<TcpStream>>,
    writer: TcpStream,
    timeout: Duration,
    recent: VecDeque<String>,
}

impl RawClient {
    /// Connects to `addr`. Panics if the connection is refused.
    pub fn connect(addr: impl ToSocketAddrs) -> Self {
        let stream = TcpStream::connect(addr).expect("cannot connect to the server");
        let writer = stream.try_clone().expect("cannot clone the socket");
        // A generous line limit: a test wants to see what an overlong server
        // line holds rather than a reader error.
        let reader = MessageReader::with_max_line_len(BufReader::new(stream), 1 << 20);
        let mut client = RawClient {
            reader,
            writer,
            timeout: DEFAULT_TIMEOUT,
            recent: VecDeque::new(),
        };
        client.set_timeout(DEFAULT_TIMEOUT);
        client
    }

    /// Changes how long each read may wait.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
        self.writer
            .set_read_timeout(Some(timeout))
            .expect("cannot set the read time-out");
    }

    /// The socket (for `set_nodelay`, `peer_addr`, `shutdown`…).
    pub fn stream(&self) -> &TcpStream {
        &self.writer
    }

    /// Sends `line` and a `\n` in one write.
    pub fn send_line(&mut self, line: &str) {
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        self.send_bytes(&bytes);
    }

    /// Sends raw bytes as they are, in one write. Panics on a write error.
    pub fn send_bytes(&mut self, bytes: &[u8]) {
        if let Err(e) = self.try_send_bytes(bytes) {
            panic!("cannot send {} bytes: {e}", bytes.len());
        }
    }

    /// Sends raw bytes, returning the write error (for a closed peer).
    pub fn try_send_bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.writer.write_all(bytes)?;
        self.writer.flush()
    }

    /// Reads the next line (without its `\n`); panics on time-out, end of
    /// stream or any other error.
    pub fn read_line(&mut self) -> String {
        match self.try_read_line() {
            Ok(Some(line)) => line,
            Ok(None) => panic!(
                "connection closed while waiting for a line; recent lines: {:?}",
                self.recent
            ),
            Err(e) if e.is_timeout() => panic!(
                "no line within {:?}; recent lines: {:?}",
                self.timeout, self.recent
            ),
            Err(e) => panic!(
                "reading a line failed: {e}; recent lines: {:?}",
                self.recent
            ),
        }
    }

    /// Reads the next line: `Ok(None)` at a clean end of stream.
    pub fn try_read_line(&mut self) -> Result<Option<String>, ReadError> {
        let line = self.reader.read_line()?;
        if let Some(line) = &line {
            if self.recent.len() == 8 {
                self.recent.pop_front();
            }
            self.recent.push_back(shorten(line));
        }
        Ok(line)
    }

    /// Reads the next line and asserts it is exactly `expected`.
    pub fn expect_line(&mut self, expected: &str) {
        let line = self.read_line();
        assert_eq!(line, expected, "unexpected line from the server");
    }

    /// Reads one line per item of `expected`, asserting each in order.
    pub fn expect_lines(&mut self, expected: &[&str]) {
        for line in expected {
            self.expect_line(line);
        }
    }

    /// Reads lines until one equals `wanted`; returns the lines before it.
    pub fn skip_until(&mut self, wanted: &str) -> Vec<String> {
        let mut skipped = Vec::new();
        loop {
            let line = self.read_line();
            if line == wanted {
                return skipped;
            }
            skipped.push(line);
        }
    }

    /// Reads a file body of exactly `size` bytes and the `\n` after it.
    pub fn read_body(&mut self, size: u64) -> Vec<u8> {
        let mut body = Vec::new();
        let read = self.reader.body(size).read_to_end(&mut body);
        if let Err(e) = read {
            panic!(
                "reading a {size}-byte body failed after {} bytes: {e}",
                body.len()
            );
        }
        assert_eq!(body.len() as u64, size, "the body ended early");
        if let Err(e) = self.reader.finish_body() {
            panic!("the {size}-byte body was not followed by a newline: {e}");
        }
        body
    }

    /// Asserts the server closes the connection next: no further line, then
    /// end of stream (or a reset).
    pub fn expect_eof(&mut self) {
        match self.try_read_line() {
            Ok(None) => {}
            Err(ReadError::Io(e)) if is_reset(&e) => {}
            Ok(Some(line)) => panic!("expected the connection to close, got {line:?}"),
            Err(e) if e.is_timeout() => panic!(
                "the connection was not closed within {:?}; recent lines: {:?}",
                self.timeout, self.recent
            ),
            Err(e) => panic!("expected the connection to close, got error {e}"),
        }
    }

    /// Reads and throws away lines until the server closes the connection;
    /// returns how many lines came. Panics if it stays open.
    pub fn drain_to_eof(&mut self) -> usize {
        let mut count = 0;
        loop {
            match self.try_read_line() {
                Ok(Some(_)) => count += 1,
                Ok(None) => return count,
                Err(ReadError::Io(e)) if is_reset(&e) => return count,
                Err(e) if e.is_timeout() => panic!(
                    "the connection was not closed within {:?} (after {count} lines)",
                    self.timeout
                ),
                Err(ReadError::UnexpectedEof) => return count,
                // A line the reader refuses is still a line; keep draining.
                Err(e) if e.is_recoverable() => count += 1,
                Err(e) => panic!("draining to the end failed: {e}"),
            }
        }
    }

    /// Asserts the server has nothing queued for this (logged-in) client:
    /// sends `PING|token` and requires the very next line to be
    /// `PONG|token`.
    pub fn expect_quiet(&mut self) {
        let token = unique_token();
        self.send_line(&format!("PING|{token}"));
        let line = self.read_line();
        assert_eq!(
            line,
            format!("PONG|{token}"),
            "expected nothing before the PONG"
        );
    }

    /// Sends a `PING` and collects every line that arrives before its
    /// `PONG`: whatever the server had queued for this client.
    pub fn collect_pending(&mut self) -> Vec<String> {
        let token = unique_token();
        self.send_line(&format!("PING|{token}"));
        self.skip_until(&format!("PONG|{token}"))
    }

    /// The bodies (see [`event_body`]) of the `EVENT` lines among what
    /// is pending for this client (see [`RawClient::collect_pending`]).
    pub fn pending_events(&mut self) -> Vec<String> {
        self.collect_pending()
            .iter()
            .filter(|line| line.starts_with("EVENT|"))
            .map(|line| event_body(line))
            .collect()
    }

    /// Sends `HELLO|version` and expects `HELLO|<agreed>`.
    pub fn hello(&mut self, version: u64, agreed: u64) {
        self.send_line(&format!("HELLO|{version}"));
        self.expect_line(&format!("HELLO|{agreed}"));
    }

    /// Logs in as a version 1 client. Returns `LOGIN_OK|…` and whatever
    /// followed it (offline DMs, presence of others), up to a `PING`
    /// barrier. Panics if the first line is not `LOGIN_OK`.
    pub fn login_v1(&mut self, user: &str, password: &str) -> Vec<String> {
        self.send_line(&format!("LOGIN|{user}|{password}"));
        let first = self.read_line();
        assert!(
            first.starts_with("LOGIN_OK|"),
            "login of {user:?} failed: {first:?}"
        );
        let mut lines = vec![first];
        lines.extend(self.collect_pending());
        lines
    }

    /// Says `HELLO|2` and logs in, reading the welcome up to `HISTORY_END`.
    /// Panics if the first line after `HELLO` is not `LOGIN_OK`.
    pub fn login_v2(&mut self, user: &str, password: &str) -> Welcome {
        self.hello(2, 2);
        self.send_line(&format!("LOGIN|{user}|{password}"));
        let first = self.read_line();
        assert!(
            first.starts_with("LOGIN_OK|"),
            "login of {user:?} failed: {first:?}"
        );
        let mut lines = vec![first];
        loop {
            let line = self.read_line();
            let end = line == "HISTORY_END";
            lines.push(line);
            if end {
                return Welcome { lines };
            }
        }
    }

    /// Says `HELLO|3`, optionally `RESUME|last_id`, and logs in, reading the
    /// welcome up to `SYNCED`. Panics if the login fails.
    pub fn login_v3(&mut self, user: &str, password: &str, resume: Option<u64>) -> Welcome3 {
        self.hello(3, 3);
        if let Some(last_id) = resume {
            self.send_line(&format!("RESUME|{last_id}"));
        }
        self.send_line(&format!("LOGIN|{user}|{password}"));
        let first = self.read_line();
        assert!(
            first.starts_with("LOGIN_OK|"),
            "login of {user:?} failed: {first:?}"
        );
        let mut lines = vec![first];
        loop {
            let line = self.read_line();
            let end = line.starts_with("SYNCED|");
            lines.push(line);
            if end {
                return Welcome3 { lines };
            }
        }
    }

    /// Sends a version 1 upload: header, body and newline in one write.
    pub fn upload_v1(&mut self, name: &str, body: &[u8]) {
        let mut bytes = file_header(name, body).into_bytes();
        bytes.push(b'\n');
        bytes.extend_from_slice(body);
        bytes.push(b'\n');
        self.send_bytes(&bytes);
    }

    /// Sends a version 2 upload: the header, waits for `FILE_READY|name`,
    /// then the body and newline. The outcome line is left to the caller.
    pub fn upload_v2(&mut self, name: &str, body: &[u8]) {
        self.send_line(&file_header(name, body));
        self.expect_line(&format!("FILE_READY|{name}"));
        let mut bytes = body.to_vec();
        bytes.push(b'\n');
        self.send_bytes(&bytes);
    }

    /// Asks for `name` as a version 1 client: expects
    /// `FILE_TRANSFER|name|size`, returns the body.
    pub fn download_v1(&mut self, name: &str) -> Vec<u8> {
        self.send_line(&format!("GET_FILE|{name}"));
        let header = self.read_line();
        let size = header
            .strip_prefix(&format!("FILE_TRANSFER|{name}|"))
            .and_then(|size| size.parse().ok())
            .unwrap_or_else(|| panic!("expected FILE_TRANSFER|{name}|<size>, got {header:?}"));
        self.read_body(size)
    }

    /// Asks for `name` as a version 2 client: expects
    /// `FILE_TRANSFER|name|size|sha256`, returns the body after checking it
    /// against the announced hash.
    pub fn download_v2(&mut self, name: &str) -> Vec<u8> {
        self.send_line(&format!("GET_FILE|{name}"));
        let header = self.read_line();
        let rest = header
            .strip_prefix(&format!("FILE_TRANSFER|{name}|"))
            .unwrap_or_else(|| panic!("expected FILE_TRANSFER|{name}|…, got {header:?}"));
        let (size, sha) = rest
            .split_once('|')
            .unwrap_or_else(|| panic!("a v2 FILE_TRANSFER carries a hash: {header:?}"));
        let size = size
            .parse()
            .unwrap_or_else(|_| panic!("bad size in {header:?}"));
        let body = self.read_body(size);
        assert_eq!(sha256_hex(&body), sha, "the body does not match its hash");
        body
    }

    /// Sends `QUIT` and expects the server to close the connection.
    pub fn quit(mut self) {
        self.send_line("QUIT");
        self.expect_eof();
    }
}

fn is_reset(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted
    )
}

/// Keeps panic messages readable when a line is kilobytes long.
fn shorten(line: &str) -> String {
    if line.len() <= 200 {
        return line.to_owned();
    }
    let mut end = 200;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &line[..end], line.len())
}

/// The SHA-256 of `bytes` as 64 lower-case hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `len` deterministic pseudo-random bytes (every byte value appears,
/// including `\n` and `|`, so a body that is parsed as lines would show).
pub fn test_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// `len` bytes (at least a signature's) that are a file of type
/// `extension`, as the server's content check wants: its signature, then
/// [`test_bytes`]; for `txt` and `md`, text that differs with `seed`.
pub fn file_bytes(extension: &str, len: usize, seed: u64) -> Vec<u8> {
    use media_chat_protocol::content::sample;
    if matches!(extension, "txt" | "md") {
        let mut body = format!("tệp {seed}\n").into_bytes();
        body.extend(sample(extension, len.saturating_sub(body.len())).unwrap_or_default());
        return body;
    }
    let mut body = sample(extension, 0).expect("a type the server checks");
    body.extend(test_bytes(len.saturating_sub(body.len()), seed));
    body
}

/// The upload header for `body`: `FILE|name|len|sha256`.
pub fn file_header(name: &str, body: &[u8]) -> String {
    format!("FILE|{name}|{}|{}", body.len(), sha256_hex(body))
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes;
/// returns whether it held. Only for file-system state, which sends no
/// event to wait on.
pub fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// The names in `dir` (not recursive); empty if `dir` does not exist.
pub fn dir_entries(dir: &Path) -> BTreeSet<String> {
    match fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|entry| {
                entry
                    .expect("cannot read a dir entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect(),
        Err(_) => BTreeSet::new(),
    }
}

/// Every path under `root`, relative to it, without following symlinks.
pub fn tree(root: &Path) -> BTreeSet<PathBuf> {
    let mut paths = BTreeSet::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let entry = entry.expect("cannot read a dir entry");
            let path = entry.path();
            let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
            paths.insert(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
            if is_dir {
                pending.push(path);
            }
        }
    }
    paths
}

impl TestServer {
    /// Stops the server gracefully and starts it again on the same data dir
    /// with the same settings **on the same address**, so a client that
    /// reconnects by itself finds it again. Existing clients are closed.
    /// (`std` sets `SO_REUSEADDR` on Unix, so the port is free at once; a
    /// bind that still fails is retried for [`DEFAULT_TIMEOUT`].)
    pub fn restart_same_addr(&mut self) {
        self.stop();
        let server = match Server::open(self.config.clone()) {
            Ok(server) => server,
            Err(e) => panic!("Server::open({:?}) failed: {e:?}", self.config.data_dir),
        };
        let deadline = Instant::now() + DEFAULT_TIMEOUT;
        let listener = loop {
            match TcpListener::bind(self.addr) {
                Ok(listener) => break listener,
                Err(e) if e.kind() == io::ErrorKind::AddrInUse && Instant::now() < deadline => {
                    thread::sleep(Duration::from_millis(10));
                }
                Err(e) => panic!("cannot bind {} again: {e}", self.addr),
            }
        };
        self.handle = Some(server.spawn(listener).expect("cannot spawn the server"));
    }
}
