//! The server under test: a child process started from the release binary
//! next to the load generator, a server running inside this process (for
//! the smoke test, when no binary was built), or one already running at
//! `--addr`. Reads the server's CPU time, threads and memory from
//! `/proc/<pid>`, learns the fingerprint of its TLS certificate, and times
//! how long it takes to start (import included) and to stop. A server can
//! also be started on a data dir the scenario prepared, again and again
//! (`history`, `startup`).

use std::fs;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use media_chat_server::{Config, Durability, HashParams, Server, ServerHandle};
use media_chat_tls::Fingerprint;
use tempfile::TempDir;

/// How the load generator reaches a server.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Start `binary` as a child process for each scenario.
    Child { binary: PathBuf },
    /// Run the server on threads of this process.
    InProcess,
    /// Use a server that is already running.
    Remote { addr: SocketAddr, pid: Option<u32> },
}

/// What a scenario needs from the server's settings.
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    /// Cheap argon2 (a login costs well under a millisecond) instead of the
    /// default cost.
    pub fast_hash: bool,
    /// The largest upload to accept.
    pub max_file_size: u64,
}

/// `--sync`: what the server's stored messages survive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SyncMode {
    /// A crash of the server process (SQLite `synchronous=NORMAL`).
    Normal,
    /// A power cut too: an fsync per batch (`synchronous=FULL`).
    Full,
}

impl SyncMode {
    /// The server's flag value.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncMode::Normal => "normal",
            SyncMode::Full => "full",
        }
    }
}

/// How to start the server, beyond what a scenario needs ([`Setup`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Launch<'a> {
    /// `--sync`; `None` passes no flag (servers from before the store have
    /// none).
    pub sync: Option<SyncMode>,
    /// Where temporary data dirs go (default: the system temp dir).
    pub data_root: Option<&'a Path>,
}

/// A running server for one scenario; dropping it stops the server.
pub struct Target {
    /// Where clients connect.
    pub addr: SocketAddr,
    /// The process to read `/proc` from, if known.
    pub pid: Option<u32>,
    /// When the server was started (the child spawned, or `Server::open`
    /// called).
    pub spawned: Instant,
    /// From `spawned` to the server listening (`listening on …` printed):
    /// opening the data dir, an import included. Zero for `--addr`.
    pub boot: Duration,
    certificate: Certificate,
    child: Option<Child>,
    handle: Option<ServerHandle>,
    _data: Option<TempDir>,
}

/// How the fingerprint of the server's TLS certificate is learnt.
enum Certificate {
    /// Asked from the server in this process.
    Known(Option<Fingerprint>),
    /// The child prints it (`tls certificate SHA256:…`) after its address;
    /// a server without TLS, or an older binary, prints nothing.
    Printed(mpsc::Receiver<Fingerprint>),
    /// A server started elsewhere: learnt on first use.
    FirstUse,
}

/// A sample of `/proc/<pid>`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcSample {
    /// User plus system CPU time, in seconds.
    pub cpu_secs: f64,
    /// Threads in the process.
    pub threads: u64,
    /// Resident memory now, in KiB.
    pub rss_kib: u64,
    /// Peak resident memory, in KiB.
    pub hwm_kib: u64,
}

/// Where the loadgen looks for the server binary: beside its own executable.
pub fn default_server_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let candidate = exe.parent()?.join("media-chat-server");
    candidate.is_file().then_some(candidate)
}

impl Target {
    /// Starts (or connects to) a server as `mode` says, set up for `setup`,
    /// in a fresh temporary data dir.
    pub fn start(mode: &Mode, setup: Setup, launch: Launch<'_>) -> anyhow::Result<Target> {
        match mode {
            Mode::Remote { addr, pid } => Ok(Target {
                addr: *addr,
                pid: *pid,
                spawned: Instant::now(),
                boot: Duration::ZERO,
                certificate: Certificate::FirstUse,
                child: None,
                handle: None,
                _data: None,
            }),
            Mode::Child { binary } => {
                let dir = data_dir(launch.data_root)?;
                let mut target = start_child(binary, setup, launch.sync, dir.path())?;
                target._data = Some(dir);
                Ok(target)
            }
            Mode::InProcess => {
                let dir = data_dir(launch.data_root)?;
                let mut target = start_in_process(setup, launch.sync, dir.path())?;
                target._data = Some(dir);
                Ok(target)
            }
        }
    }

    /// Starts a server on the data dir `place/data` (its log goes to
    /// `place/server.log`), which outlives it: a scenario seeds it, starts
    /// a server on it, stops it and starts another.
    pub fn start_in(
        mode: &Mode,
        setup: Setup,
        sync: Option<SyncMode>,
        place: &Path,
    ) -> anyhow::Result<Target> {
        match mode {
            Mode::Remote { .. } => {
                bail!("this scenario starts the server on a data dir of its own: not with --addr")
            }
            Mode::Child { binary } => start_child(binary, setup, sync, place),
            Mode::InProcess => start_in_process(setup, sync, place),
        }
    }

    /// The fingerprint to pin for TLS: the one the server printed (or, in
    /// this process, reported); for a server started elsewhere, the one it
    /// presents now, or `None` if its certificate chains to a public
    /// authority. An error if the server offers no TLS.
    pub fn tls_fingerprint(&self) -> anyhow::Result<Option<Fingerprint>> {
        match &self.certificate {
            Certificate::Known(Some(fingerprint)) => Ok(Some(*fingerprint)),
            Certificate::Known(None) => bail!("the server offers no TLS"),
            Certificate::Printed(printed) => printed
                .recv_timeout(Duration::from_secs(5))
                .map(Some)
                .map_err(|_| {
                    anyhow::anyhow!(
                        "the server printed no `tls certificate` line: it offers no TLS \
                         (--no-tls, or a binary from before TLS)"
                    )
                }),
            Certificate::FirstUse => crate::link::first_use(self.addr),
        }
    }

    /// Reads the server's `/proc` numbers, if there is a process to read.
    pub fn sample(&self) -> Option<ProcSample> {
        read_proc(self.pid?)
    }

    /// Stops the server (SIGTERM, then SIGKILL after a few seconds) and
    /// returns how long it took to exit (a graceful stop checkpoints the
    /// database).
    pub fn stop(mut self) -> Duration {
        let started = Instant::now();
        self.stop_now();
        started.elapsed()
    }

    fn stop_now(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SAFETY: kill(2) on our own child's pid, which we have not yet
            // waited for, so it cannot have been reused.
            unsafe {
                libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
            }
            let deadline = Instant::now() + Duration::from_secs(8);
            loop {
                match child.try_wait() {
                    Ok(Some(_)) | Err(_) => break,
                    Ok(None) if Instant::now() >= deadline => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break;
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        }
        if let Some(handle) = self.handle.take() {
            let _ = handle.stop();
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        self.stop_now();
    }
}

/// A fresh temporary directory under `root` (or the system temp dir).
pub fn data_dir(root: Option<&Path>) -> anyhow::Result<TempDir> {
    let builder = &mut tempfile::Builder::new();
    builder.prefix("media-chat-bench-");
    Ok(match root {
        Some(root) => builder.tempdir_in(root)?,
        None => builder.tempdir()?,
    })
}

/// Limits lifted for benchmarking: no flood control, room for thousands of
/// connections from one address, queues deep enough for "as fast as
/// possible", and no keepalive or login deadline during a long run.
fn server_args(setup: Setup, sync: Option<SyncMode>) -> Vec<String> {
    let mut args: Vec<String> = [
        "--bind",
        "127.0.0.1:0",
        "--flood-rate",
        "0",
        "--send-queue",
        "1GiB",
        "--max-connections",
        "100000",
        "--max-connections-per-ip",
        "100000",
        "--login-timeout",
        "10min",
        "--ping-interval",
        "1h",
        "--login-failures-per-ip",
        "1000000",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push("--max-file-size".into());
    args.push(setup.max_file_size.to_string());
    if let Some(sync) = sync {
        args.extend(["--sync".into(), sync.as_str().into()]);
    }
    if setup.fast_hash {
        let fast = fast_hash();
        args.extend([
            "--argon2-memory-kib".into(),
            fast.memory_kib.to_string(),
            "--argon2-iterations".into(),
            fast.iterations.to_string(),
        ]);
    }
    args
}

fn fast_hash() -> HashParams {
    HashParams {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    }
}

fn start_child(
    binary: &Path,
    setup: Setup,
    sync: Option<SyncMode>,
    place: &Path,
) -> anyhow::Result<Target> {
    let log = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(place.join("server.log"))?;
    let spawned = Instant::now();
    let mut child = Command::new(binary)
        .args(server_args(setup, sync))
        .arg("--data-dir")
        .arg(place.join("data"))
        // Per-login info lines would cost the server time during storms.
        .env(
            "RUST_LOG",
            std::env::var("BENCH_SERVER_LOG").unwrap_or("warn".into()),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut stdout = BufReader::new(stdout);
    let mut line = String::new();
    stdout.read_line(&mut line)?;
    let boot = spawned.elapsed();
    // Keep reading what else the server prints (a closed pipe would fail
    // its next write and stop it), passing on its TLS fingerprint.
    let (fingerprint, printed) = mpsc::channel();
    std::thread::Builder::new()
        .name("server-stdout".into())
        .spawn(move || {
            for line in stdout.lines() {
                let Ok(line) = line else { return };
                if let Some(Ok(parsed)) = line
                    .strip_prefix("tls certificate ")
                    .map(str::parse::<Fingerprint>)
                {
                    let _ = fingerprint.send(parsed);
                }
            }
        })?;
    let Some(addr) = line.trim().strip_prefix("listening on ") else {
        let _ = child.kill();
        let _ = child.wait();
        let log = fs::read_to_string(place.join("server.log")).unwrap_or_default();
        bail!("the server did not start: {line:?}\n{log}");
    };
    Ok(Target {
        addr: addr.parse().context("bad listening address")?,
        pid: Some(child.id()),
        spawned,
        boot,
        certificate: Certificate::Printed(printed),
        child: Some(child),
        handle: None,
        _data: None,
    })
}

fn start_in_process(setup: Setup, sync: Option<SyncMode>, place: &Path) -> anyhow::Result<Target> {
    let mut config = Config::new(place.join("data"));
    if sync == Some(SyncMode::Full) {
        config.durability = Durability::Full;
    }
    config.max_file_size = setup.max_file_size;
    if setup.fast_hash {
        config.password_hashing = fast_hash();
    }
    let limits = &mut config.limits;
    limits.flood_rate = 0.0;
    limits.send_queue_bytes = 1 << 30;
    limits.max_connections = 100_000;
    limits.max_connections_per_ip = 100_000;
    limits.login_timeout = Duration::from_secs(600);
    limits.ping_interval = Duration::from_secs(3600);
    limits.login_failures_per_ip = 1_000_000;
    let spawned = Instant::now();
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let server = Server::open(config)?;
    let fingerprint = server
        .tls_fingerprint()
        .map(|f| f.parse::<Fingerprint>())
        .transpose()?;
    let handle = server.spawn(listener)?;
    Ok(Target {
        addr: handle.local_addr(),
        pid: Some(std::process::id()),
        spawned,
        boot: spawned.elapsed(),
        certificate: Certificate::Known(fingerprint),
        child: None,
        handle: Some(handle),
        _data: None,
    })
}

/// Reads CPU time, threads and memory of `pid`.
pub fn read_proc(pid: u32) -> Option<ProcSample> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: split after it.
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    // Fields 14 and 15 of stat(5) (utime, stime) are 11 and 12 after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    Some(ProcSample {
        cpu_secs: ticks as f64 / hz,
        threads: field("Threads:"),
        rss_kib: field("VmRSS:"),
        hwm_kib: field("VmHWM:"),
    })
}

/// CPU time this process (the load generator) has used, in seconds.
pub fn own_cpu_secs() -> f64 {
    // SAFETY: getrusage fills the struct we pass.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return 0.0;
        }
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        secs(usage.ru_utime) + secs(usage.ru_stime)
    }
}

/// Raises this process's open-file limit to its hard limit (a child server
/// inherits it), and returns the new soft limit.
pub fn raise_nofile_limit() -> u64 {
    // SAFETY: getrlimit/setrlimit with a valid struct.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 0;
        }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            let _ = libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        }
        limit.rlim_cur
    }
}
