//! "Host a chat on this computer": the server, run in-process, with its
//! data in the user's data directory, reachable by others on the LAN.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::path::PathBuf;

use directories::ProjectDirs;
use media_chat_client::Fingerprint;
use media_chat_server::{Config, Server, ServerHandle};

/// A server this window started.
pub struct HostedServer {
    handle: ServerHandle,
    /// The address others on the network use to join.
    pub lan_address: SocketAddr,
    /// The TLS certificate's fingerprint, for others to check when their
    /// client asks.
    pub fingerprint: Option<Fingerprint>,
}

impl HostedServer {
    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.handle.local_addr().port()
    }
}

/// `<data dir>/media-chat/server`, if the system has a home.
pub fn default_data_dir() -> Option<PathBuf> {
    ProjectDirs::from("", "", "media-chat").map(|dirs| dirs.data_dir().join("server"))
}

/// Starts a server on all interfaces at `port` (0 picks a free one).
pub fn start(data_dir: PathBuf, port: u16) -> Result<HostedServer, String> {
    let server = Server::open(Config::new(data_dir)).map_err(|e| e.to_string())?;
    let fingerprint = server.tls_fingerprint().and_then(|f| f.parse().ok());
    let listener = TcpListener::bind((Ipv4Addr::UNSPECIFIED, port))
        .map_err(|e| format!("cannot listen on port {port}: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let handle = server.spawn(listener).map_err(|e| e.to_string())?;
    Ok(HostedServer {
        handle,
        lan_address: SocketAddr::new(lan_ip(), port),
        fingerprint,
    })
}

/// This machine's address on its main network, found by asking the OS
/// which interface would route to a public address (a UDP "connect" sends
/// nothing). Loopback when there is no network.
fn lan_ip() -> IpAddr {
    UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))
        .and_then(|socket| {
            socket.connect((Ipv4Addr::new(192, 0, 2, 1), 9))?;
            socket.local_addr()
        })
        .map(|address| address.ip())
        .ok()
        .filter(|ip| !ip.is_unspecified())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}
