//! Opening the data directory and running the server until shutdown.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use media_chat_protocol::{EncodeLine, ServerMessage};
use media_chat_store::{Options, Store};
use media_chat_tls::{Fingerprint, Identity};
use thiserror::Error;
use tracing::{info, warn};

use crate::accounts::Accounts;
use crate::audit::AuditLog;
use crate::authority::Authority;
use crate::blocks::Blocks;
use crate::config::Config;
use crate::connections::Connections;
use crate::hub::Hub;
use crate::listener::accept_loop;
use crate::logins::LoginWorkers;
use crate::offline::DataDirLock;
use crate::previews::Previews;
use crate::quotas::Quotas;
use crate::registration::Registration;
use crate::session::Context;
use crate::shutdown::Shutdown;
use crate::storage::DataDir;
use crate::storage::file_spaces::FileSpaces;
use crate::throttle::ActionLimits;
use crate::transfers::TransferTokens;
use crate::transport::TlsPolicy;
use crate::typing::TypingNotices;

/// How long sessions get to write out their goodbye before their sockets
/// are closed under them.
const GRACE: Duration = Duration::from_secs(2);

/// How long to wait for sessions to end after their sockets were closed.
const FORCED_CLOSE_WAIT: Duration = Duration::from_secs(5);

/// What stops the server from starting or running.
#[derive(Debug, Error)]
pub enum ServerError {
    /// Part of the data directory could not be opened or read.
    #[error("cannot use the data directory at {path}: {source}")]
    DataDir {
        /// The file or directory at fault.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The listening socket failed.
    #[error("listener error: {0}")]
    Listener(#[from] io::Error),
    /// A setting makes no sense (see [`Config::validate`]).
    #[error("invalid setting: {0}")]
    Config(#[from] crate::validate::ConfigError),
    /// The message store could not be opened.
    #[error("message store: {0}")]
    Store(#[source] media_chat_store::StoreError),
    /// The TLS certificate could not be loaded or generated.
    #[error("TLS: {0}")]
    Tls(String),
    /// The server thread panicked.
    #[error("the server thread panicked")]
    Panicked,
}

/// A server whose data directory is open, ready to accept connections.
pub struct Server {
    ctx: Arc<Context>,
    /// Keeps offline administration off the data dir while this runs.
    _lock: DataDirLock,
    connections: Arc<Connections>,
    fingerprint: Option<Fingerprint>,
}

impl Server {
    /// Opens (creating if needed) the data directory: loads accounts,
    /// wrapping seed password hashes; opens the message store (importing
    /// `message_history.txt` the first time); indexes `server_files/` and
    /// removes unfinished uploads.
    pub fn open(config: Config) -> Result<Server, ServerError> {
        config.validate()?;
        let lock = DataDirLock::take(&config.data_dir).map_err(|e| ServerError::DataDir {
            path: config.data_dir.clone(),
            source: io::Error::other(e.to_string()),
        })?;
        tune_allocator();
        let at = |path: PathBuf| move |source| ServerError::DataDir { path, source };
        let data = DataDir::open(&config.data_dir).map_err(at(config.data_dir.clone()))?;
        let accounts = Accounts::open(&data.creds(), config.password_hashing, &config.limits)
            .map_err(at(data.creds()))?;
        let registration = Registration::open(data.root(), config.registration)
            .map_err(at(data.root().join("invites.txt")))?;
        let authority = Authority::open(data.root(), &config.admins)
            .map_err(at(data.root().join("bans.txt")))?;
        let audit = AuditLog::open(data.root()).map_err(at(data.root().join("audit.log")))?;
        let limits = ServerMessage::Limits {
            max_file_size: config.max_file_size,
            allowed_extensions: config.allowed_extensions.clone(),
        };
        let hub = Hub::new(
            limits,
            config.limits.send_queue_bytes,
            config.limits.presence_room_max,
        );
        // A batch reaches each receiver's queue whole before any of it is
        // written out: an eighth of the queue leaves room for several.
        let options = Options {
            durability: config.durability,
            batch_bytes: config.limits.send_queue_bytes / 8,
        };
        let (store, imported) =
            Store::open(data.root(), options, Box::new(hub.clone())).map_err(ServerError::Store)?;
        if let Some(report) = imported {
            info!(
                events = report.events,
                files = report.files,
                skipped = report.skipped,
                millis = report.millis,
                "imported message_history.txt into the database"
            );
        }
        hub.load_rooms(store.memberships().map_err(ServerError::Store)?);
        hub.stored_up_to(store.last_id().map_err(ServerError::Store)?);
        let files = FileSpaces::open(
            &data.files(),
            &data.conversation_files(),
            &data.incoming(),
            &data.previews(),
            &store,
        )
        .map_err(at(data.files()))?;
        let connections = Connections::new(
            config.limits.max_connections,
            config.limits.max_connections_per_ip,
        );
        let (tls, fingerprint) = tls_policy(&config, &data)?;
        let blocks = Blocks::new(store.blocks().map_err(ServerError::Store)?);
        let previews = Previews::start(hub.clone())?;
        let quotas =
            Quotas::open(config.file_space, data.root(), &store).map_err(ServerError::Store)?;
        Ok(Server {
            ctx: Arc::new(Context {
                hub,
                store,
                transfers: TransferTokens::default(),
                registration,
                authority,
                audit,
                action_limits: ActionLimits::new(),
                blocks,
                typing: TypingNotices::default(),
                previews,
                quotas,
                logins: LoginWorkers::start(),
                accounts,
                files,
                config,
                tls,
            }),
            connections,
            fingerprint,
            _lock: lock,
        })
    }

    /// The SHA-256 fingerprint of the TLS certificate (`SHA256:AB:CD:…`),
    /// what an administrator tells users to expect; `None` without TLS.
    pub fn tls_fingerprint(&self) -> Option<String> {
        self.fingerprint.map(|f| f.to_string())
    }

    /// Serves connections on `listener` until `shutdown` is triggered, then
    /// says goodbye to every session, closes them and flushes the log.
    pub fn run(self, listener: TcpListener, shutdown: Shutdown) -> Result<(), ServerError> {
        let wake_address = loopback(listener.local_addr()?);
        shutdown.on_trigger(move || {
            // Unblocks `accept` so the loop sees the signal.
            let _ = TcpStream::connect_timeout(&wake_address, Duration::from_secs(1));
        });
        info!(address = %listener.local_addr()?, data_dir = %self.ctx.config.data_dir.display(), "listening");
        accept_loop(&listener, &self.ctx, &self.connections, &shutdown);
        drop(listener);
        info!("shutting down");
        if let Ok(goodbye) = ServerMessage::notify("Server is shutting down").to_line() {
            self.connections.say_goodbye(&goodbye.into());
        }
        if !self.connections.wait_until_all_closed(GRACE) {
            self.connections.close_all();
            if !self.connections.wait_until_all_closed(FORCED_CLOSE_WAIT) {
                warn!("some sessions did not end in time");
            }
        }
        self.ctx.store.close();
        info!("stopped");
        Ok(())
    }

    /// Runs the server on a thread of its own; the handle stops it.
    pub fn spawn(self, listener: TcpListener) -> io::Result<ServerHandle> {
        let address = listener.local_addr()?;
        let shutdown = Shutdown::new();
        let signal = shutdown.clone();
        let thread = thread::Builder::new()
            .name("accept".into())
            .spawn(move || self.run(listener, signal))?;
        Ok(ServerHandle {
            address,
            shutdown,
            thread: Some(thread),
        })
    }
}

/// A server running on its own thread. Dropping the handle stops it too.
pub struct ServerHandle {
    address: SocketAddr,
    shutdown: Shutdown,
    thread: Option<JoinHandle<Result<(), ServerError>>>,
}

impl ServerHandle {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// Stops the server gracefully and waits for it to finish.
    pub fn stop(mut self) -> Result<(), ServerError> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> Result<(), ServerError> {
        self.shutdown.trigger();
        match self.thread.take() {
            Some(thread) => thread.join().map_err(|_| ServerError::Panicked)?,
            None => Ok(()),
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        let _ = self.stop_and_join();
    }
}

/// Sets glibc's allocator up for a thousand threads and big, short-lived
/// password-hashing buffers (process-wide; measured with the load
/// generator's `idle` and `login` scenarios, see docs/BENCHMARKS.md):
///
/// - Every allocation of 1 MiB or more gets its own mapping, returned to the
///   system when freed. By default glibc raises that threshold to the
///   largest block freed so far, so after the first login each 19 MiB
///   argon2 buffer came from a malloc arena and stayed there: a storm of
///   1000 logins left the server at 440 MiB resident.
/// - Two arenas per core instead of eight: with one thread per connection
///   the extra arenas only hold freed memory (1000 idle sessions: 35 MiB
///   resident, 29.5 with this).
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        let arenas = libc::c_int::try_from(2 * cores).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only changes allocator settings.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}

/// Loads or generates the TLS identity the settings ask for.
fn tls_policy(
    config: &Config,
    data: &DataDir,
) -> Result<(TlsPolicy, Option<Fingerprint>), ServerError> {
    let settings = &config.tls;
    if !settings.enabled {
        return Ok((
            TlsPolicy {
                config: None,
                require: false,
            },
            None,
        ));
    }
    let identity = match &settings.cert_and_key {
        Some((cert, key)) => Identity::load(cert, key),
        None => Identity::load_or_generate(data.root(), certificate_names()),
    }
    .map_err(|e| ServerError::Tls(e.to_string()))?;
    let server_config = identity
        .server_config()
        .map_err(|e| ServerError::Tls(e.to_string()))?;
    let fingerprint = identity.fingerprint();
    info!(%fingerprint, self_signed = identity.self_signed, "TLS certificate");
    Ok((
        TlsPolicy {
            config: Some(server_config),
            require: settings.require,
        },
        Some(fingerprint),
    ))
}

/// Names a generated certificate carries. Clients pin self-signed
/// certificates by fingerprint, so these matter only for display.
fn certificate_names() -> Vec<String> {
    vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ]
}

/// The address to connect to in order to reach a listener bound to
/// `address` from this machine.
fn loopback(address: SocketAddr) -> SocketAddr {
    match address.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), address.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), address.port())
        }
        _ => address,
    }
}
