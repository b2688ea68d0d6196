//! `media-chat-server`: parses flags, sets up logging, binds, and runs the
//! server until Ctrl-C or SIGTERM.

use std::io::{IsTerminal, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use bytesize::ByteSize;
use clap::{Parser, Subcommand, ValueEnum};
use media_chat_server::offline::{self, OfflineCommand};
use media_chat_server::{
    Config, DEFAULT_EXTENSIONS, Durability, FileSpace, HashParams, Limits, RegistrationMode,
    Server, Shutdown, TlsSettings,
};

/// A self-hosted media-sharing chat server.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Something else than serving.
    #[command(subcommand)]
    command: Option<Command>,
    /// Address and port to listen on.
    #[arg(long, default_value = "0.0.0.0:5000")]
    bind: String,
    /// Directory for creds.txt, media-chat.db, message_history.txt and
    /// server_files/.
    #[arg(long, default_value = ".", global = true)]
    data_dir: PathBuf,
    /// What a stored message survives: `normal`, a crash of the server
    /// process; `full`, also a power cut (an fsync per batch, slower).
    #[arg(long, value_enum, default_value_t = SyncMode::Normal)]
    sync: SyncMode,
    /// Largest accepted upload (e.g. 10MiB, 500KB, 1048576).
    #[arg(long, default_value = "10MiB")]
    max_file_size: ByteSize,
    /// What one user's stored files may take in all (e.g. 1GiB, 500MiB,
    /// bytes); a file counts once, against its first uploader. `none` or 0:
    /// no quota.
    #[arg(long, default_value = "1GiB", value_parser = size_limit)]
    quota_per_user: SizeLimit,
    /// What all stored files may take (e.g. 50GiB); `none` (the default)
    /// or 0: no limit but the disk's.
    #[arg(long, default_value = "none", value_parser = size_limit)]
    quota_total: SizeLimit,
    /// Free space uploads must leave on the data dir's disk (e.g. 1GiB; 0:
    /// none).
    #[arg(long, default_value = "1GiB")]
    min_free_disk: ByteSize,
    /// Upload extensions to accept, comma-separated, without dots. Only
    /// types whose contents the server can check: jpg, jpeg, png, gif,
    /// webp, mp3, wav, ogg, m4a, mp4, webm, pdf, txt, md.
    #[arg(long, value_delimiter = ',', default_values_t = DEFAULT_EXTENSIONS.map(String::from), value_parser = known_extension)]
    allowed_ext: Vec<String>,
    /// Who may create an account: `open` (any unknown name registers, as
    /// in the seed), `closed`, or `invite` (only with a single-use code an
    /// administrator made).
    #[arg(long, default_value = "open", value_parser = clap::builder::PossibleValuesParser::new(["open", "closed", "invite"]))]
    registration: String,
    /// The same as --registration closed (kept for older scripts).
    #[arg(long, conflicts_with = "registration")]
    no_register: bool,
    /// A server administrator (repeat for more; also read from
    /// admins.txt in the data dir, one name per line).
    #[arg(long = "admin", value_name = "NAME")]
    admins: Vec<String>,
    /// Argon2id memory cost in KiB for new password hashes.
    #[arg(long, default_value_t = HashParams::default().memory_kib)]
    argon2_memory_kib: u32,
    /// Argon2id passes.
    #[arg(long, default_value_t = HashParams::default().iterations)]
    argon2_iterations: u32,
    /// Argon2id lanes.
    #[arg(long, default_value_t = HashParams::default().parallelism)]
    argon2_parallelism: u32,
    /// Past events replayed to a version 2 client at login.
    #[arg(long, default_value_t = 100)]
    history_len: usize,
    /// The most members a room (#general: every account) may have for
    /// version 3 clients to hear its members come and go.
    #[arg(long, default_value_t = Limits::default().presence_room_max)]
    presence_room_max: usize,
    /// Connections open at once, in total.
    #[arg(long, default_value_t = Limits::default().max_connections)]
    max_connections: usize,
    /// Connections open at once from one IP address.
    #[arg(long, default_value_t = Limits::default().max_connections_per_ip)]
    max_connections_per_ip: usize,
    /// Time allowed from connecting to logging in (e.g. 60s).
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    login_timeout: Duration,
    /// Silence after which a version 2 client is pinged.
    #[arg(long, default_value = "90s", value_parser = humantime::parse_duration)]
    ping_interval: Duration,
    /// Time a ping may go unanswered before the client is dropped.
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    ping_timeout: Duration,
    /// Bytes that may wait for one client before it is dropped as not reading.
    #[arg(long, default_value = "2MiB")]
    send_queue: ByteSize,
    /// Commands a client may send at once before flood control slows it.
    #[arg(long, default_value_t = Limits::default().flood_burst)]
    flood_burst: u32,
    /// Commands per second after the burst; 0 turns flood control off.
    #[arg(long, default_value_t = Limits::default().flood_rate)]
    flood_rate: f64,
    /// Time a line may take to arrive once it has begun.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    line_timeout: Duration,
    /// Longest wait for the next bytes of an upload.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    body_timeout: Duration,
    /// Slowest accepted upload rate once --body-grace is spent (e.g. 10KiB).
    #[arg(long, default_value = "10KiB")]
    body_min_rate: ByteSize,
    /// Time every upload gets on top of its size at --body-min-rate.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    body_grace: Duration,
    /// Failed logins per account per minute before attempts are refused.
    #[arg(long, default_value_t = Limits::default().login_failures_per_account)]
    login_failures_per_account: u32,
    /// Failed logins per IP address per minute before attempts are refused.
    #[arg(long, default_value_t = Limits::default().login_failures_per_ip)]
    login_failures_per_ip: u32,
    /// TLS certificate chain (PEM), e.g. from a public CA; without it a
    /// self-signed certificate is generated in the data dir on first start.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// Private key (PEM) of --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Refuse the plaintext protocol except from this machine. Turn it on
    /// when the server is reachable from the internet or an untrusted
    /// network; the seed's own clients (plaintext only) then work only on
    /// the server's machine.
    #[arg(long, conflicts_with = "no_tls")]
    require_tls: bool,
    /// Do not offer TLS at all (plaintext only).
    #[arg(long)]
    no_tls: bool,
}

/// What else the binary does.
#[derive(Debug, Subcommand)]
enum Command {
    /// Administer a stopped server's data dir: for when nobody can log in.
    Admin {
        /// What to do.
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Copy the data dir (running or not) into DEST: the database (a
    /// consistent snapshot), creds.txt, server_files/, the chat log and the
    /// TLS identity. Restore by starting a server with --data-dir DEST.
    Backup {
        /// A new (or empty) directory to write the copy to.
        dest: PathBuf,
    },
}

/// `media-chat-server admin …`.
#[derive(Debug, Subcommand)]
enum AdminAction {
    /// List the accounts, with administrators and bans marked.
    Users,
    /// Give a user a new password (asked for, or read from standard input).
    ResetPassword {
        /// The user.
        user: String,
    },
    /// Ban a user from the server.
    Ban {
        /// The user.
        user: String,
        /// Why (shown to them).
        #[arg(default_value = "")]
        reason: String,
    },
    /// Lift a user's ban.
    Unban {
        /// The user.
        user: String,
    },
    /// Make invitation codes for `--registration invite`.
    InviteCode {
        /// How many.
        #[arg(default_value_t = 1)]
        count: u32,
    },
    /// Make a user an administrator (admins.txt).
    AddAdmin {
        /// The user.
        user: String,
    },
    /// Make an administrator a user again.
    RemoveAdmin {
        /// The user.
        user: String,
    },
    /// Print the newest lines of the audit log.
    Audit {
        /// How many.
        #[arg(default_value_t = 50)]
        lines: usize,
    },
}

impl AdminAction {
    fn into_command(self) -> std::io::Result<OfflineCommand> {
        Ok(match self {
            AdminAction::Users => OfflineCommand::Users,
            AdminAction::ResetPassword { user } => {
                let password = if std::io::stdin().is_terminal() {
                    rpassword::prompt_password(format!("New password for {user}: "))?
                } else {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\n', '\r']).to_owned()
                };
                OfflineCommand::ResetPassword { user, password }
            }
            AdminAction::Ban { user, reason } => OfflineCommand::Ban { user, reason },
            AdminAction::Unban { user } => OfflineCommand::Unban { user },
            AdminAction::InviteCode { count } => OfflineCommand::InviteCodes { count },
            AdminAction::AddAdmin { user } => OfflineCommand::AddAdmin { user },
            AdminAction::RemoveAdmin { user } => OfflineCommand::RemoveAdmin { user },
            AdminAction::Audit { lines } => OfflineCommand::Audit { lines },
        })
    }
}

/// `--sync`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum SyncMode {
    /// Survives the server process crashing.
    Normal,
    /// Also survives power loss.
    Full,
}

impl Args {
    fn config(&self) -> Config {
        let mut config = Config::new(&self.data_dir);
        config.tls = TlsSettings {
            enabled: !self.no_tls,
            cert_and_key: self.tls_cert.clone().zip(self.tls_key.clone()),
            require: self.require_tls,
        };
        config.max_file_size = self.max_file_size.as_u64();
        config.file_space = FileSpace {
            per_user: self.quota_per_user.0,
            total: self.quota_total.0,
            min_free_disk: self.min_free_disk.as_u64(),
        };
        config.allowed_extensions = self
            .allowed_ext
            .iter()
            .map(|e| e.trim().trim_start_matches('.').to_lowercase())
            .filter(|e| !e.is_empty())
            .collect();
        config.registration = if self.no_register {
            RegistrationMode::Closed
        } else {
            self.registration.parse().unwrap_or_default()
        };
        config.admins = self.admins.clone();
        config.password_hashing = HashParams {
            memory_kib: self.argon2_memory_kib,
            iterations: self.argon2_iterations,
            parallelism: self.argon2_parallelism,
        };
        config.history_len = self.history_len;
        config.durability = match self.sync {
            SyncMode::Normal => Durability::Normal,
            SyncMode::Full => Durability::Full,
        };
        let limits = &mut config.limits;
        limits.max_connections = self.max_connections;
        limits.presence_room_max = self.presence_room_max;
        limits.max_connections_per_ip = self.max_connections_per_ip;
        limits.login_timeout = self.login_timeout;
        limits.ping_interval = self.ping_interval;
        limits.ping_timeout = self.ping_timeout;
        limits.send_queue_bytes = usize::try_from(self.send_queue.as_u64()).unwrap_or(usize::MAX);
        limits.flood_burst = self.flood_burst;
        limits.flood_rate = self.flood_rate;
        limits.line_timeout = self.line_timeout;
        limits.body_read_timeout = self.body_timeout;
        limits.body_min_rate = self.body_min_rate.as_u64();
        limits.body_grace = self.body_grace;
        limits.login_failures_per_account = self.login_failures_per_account;
        limits.login_failures_per_ip = self.login_failures_per_ip;
        config
    }
}

/// `--quota-per-user`, `--quota-total`: bytes, or `None` for no limit. (A
/// type of its own: clap reads an `Option` field as a flag that may be
/// left out, not as a value that may say "none".)
#[derive(Debug, Clone, Copy)]
struct SizeLimit(Option<u64>);

/// A size that may be no limit: `none` or 0 is no limit, else a size as
/// `--max-file-size` takes it.
fn size_limit(given: &str) -> Result<SizeLimit, String> {
    if given.trim().eq_ignore_ascii_case("none") {
        return Ok(SizeLimit(None));
    }
    let size: ByteSize = given.trim().parse()?;
    Ok(SizeLimit((size.as_u64() > 0).then_some(size.as_u64())))
}

/// An `--allowed-ext` entry: a type whose contents uploads are checked
/// against, lower case, without its dot.
fn known_extension(given: &str) -> Result<String, String> {
    let extension = given.trim().trim_start_matches('.').to_lowercase();
    if media_chat_protocol::content::is_known(&extension) {
        Ok(extension)
    } else {
        Err(format!(
            "no content check is known for .{extension}; known types: {}",
            media_chat_protocol::content::KNOWN_TYPES.join(", ")
        ))
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let mut args = Args::parse();
    if let Some(Command::Admin { action }) = args.command.take() {
        let outcome = action
            .into_command()
            .map_err(|e| e.to_string())
            .and_then(|command| {
                offline::run(&args.data_dir, command, media_chat_store::unix_now())
                    .map_err(|e| e.to_string())
            });
        return match outcome {
            Ok(text) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if let Some(Command::Backup { dest }) = &args.command {
        return match media_chat_server::backup(&args.data_dir, dest) {
            Ok(report) => {
                println!(
                    "backed up {} into {} ({} files, {})",
                    args.data_dir.display(),
                    dest.display(),
                    report.files,
                    ByteSize::b(report.file_bytes)
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let config = args.config();
    if let Err(e) = config.validate() {
        // Like clap's own usage errors: exit status 2.
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    match run(&args.bind, config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(bind: &str, config: Config) -> anyhow::Result<()> {
    let server = Server::open(config)?;
    let listener = TcpListener::bind(bind).with_context(|| format!("cannot listen on {bind}"))?;
    let shutdown = Shutdown::new();
    let on_signal = shutdown.clone();
    ctrlc::set_handler(move || on_signal.trigger()).context("cannot install the signal handler")?;
    // One machine-readable line, so scripts and tests can find the port.
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on {}", listener.local_addr()?)?;
    if let Some(fingerprint) = server.tls_fingerprint() {
        writeln!(stdout, "tls certificate {fingerprint}")?;
    }
    stdout.flush()?;
    server.run(listener, shutdown)?;
    Ok(())
}
