//! TLS on the server's one port: TLS and plaintext clients in one room,
//! trust on first use, a changed certificate, `require` for remote
//! plaintext, and what an eavesdropper on the wire sees.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::{Arc, Mutex};
use std::thread;

use media_chat_client::{Client, ClientConfig, ConnectError, Event, Transport};
use media_chat_e2e::{RawClient, TestServer};

use crate::PW;
use crate::client::{WAIT, connect, is_text, join, said, wait_for};

fn tofu_config(server: &TestServer, user: &str, known_servers: &std::path::Path) -> ClientConfig {
    let mut config = ClientConfig::new(server.addr().to_string(), user, PW);
    config.cache_dir = Some(known_servers.with_file_name(format!("cache-{user}")));
    // Tests never write the user's own client data dir.
    config.data_dir = None;
    config.transport = Transport::Tls {
        known_servers: Some(known_servers.to_path_buf()),
        trust: None,
    };
    config
}

#[test]
fn tls_and_plaintext_clients_share_one_port_and_one_room() {
    let server = TestServer::start();
    let secure = join(&server, "secure");
    let mut plain = server.client_v1("plain", PW);
    wait_for(&secure, WAIT, |e| {
        *e == Event::Joined {
            user: "plain".into(),
        }
    });
    secure.send_text("qua TLS").unwrap();
    plain.expect_line("TEXT|secure|qua TLS");
    plain.send_line("TEXT|không mã hoá");
    let event = wait_for(&secure, WAIT, |e| said(e).is_some());
    assert!(is_text(&event, "plain", "không mã hoá"), "{event:?}");
}

#[test]
fn a_self_signed_server_is_trusted_on_first_use_then_pinned() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let known = dir.path().join("known_servers");
    let config = tofu_config(&server, "an", &known);
    let Err(ConnectError::Untrusted { fingerprint }) = Client::connect(config.clone()) else {
        panic!("an unknown self-signed certificate must not be accepted silently");
    };
    assert_eq!(fingerprint, server.fingerprint());
    assert!(
        !known.exists(),
        "nothing is remembered before the user accepts"
    );
    // The user compared the fingerprint and accepted it.
    config.accept_certificate(fingerprint).unwrap();
    let text = std::fs::read_to_string(&known).unwrap();
    assert_eq!(text, format!("{} {fingerprint}\n", server.addr()));
    let client = Client::connect(config.clone()).expect("a pinned certificate is accepted");
    client.quit();
    // Pinned reuse: a fresh client with the same store connects at once.
    Client::connect(config).expect("pinned reuse").quit();
}

#[test]
fn a_changed_certificate_is_refused_naming_both_fingerprints() {
    let mut server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let known = dir.path().join("known_servers");
    let config = tofu_config(&server, "an", &known);
    let pinned = server.fingerprint();
    config.accept_certificate(pinned).unwrap();
    Client::connect(config.clone()).expect("pinned").quit();

    // The server gets a new certificate (its old one deleted).
    std::fs::remove_file(server.data_dir().join("tls-cert.pem")).unwrap();
    std::fs::remove_file(server.data_dir().join("tls-key.pem")).unwrap();
    server.restart_same_addr();
    let presented = server.fingerprint();
    assert_ne!(presented, pinned);
    let error = Client::connect(config)
        .err()
        .expect("a changed certificate must be refused");
    let message = error.to_string();
    assert!(
        matches!(&error, ConnectError::CertificateChanged { pinned: p, presented: q, .. } if *p == pinned && *q == presented),
        "{error:?}"
    );
    assert!(
        message.contains(&pinned.to_string()) && message.contains(&presented.to_string()),
        "{message}"
    );
    assert!(
        message.contains(&known.display().to_string()),
        "the warning says how to reset: {message}"
    );
}

#[test]
fn require_tls_refuses_remote_plaintext_but_not_loopback() {
    let Some(lan) = lan_address() else {
        eprintln!("skipped: this machine has no non-loopback IPv4 address to connect from");
        return;
    };
    let server = TestServer::start_on(
        SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
        |config| config.tls.require = true,
    );
    let port = server.addr().port();
    // From this machine, plaintext is harmless and accepted.
    let mut local = RawClient::connect(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    local.login_v1("local", PW);
    // From the network it is refused with a clear line.
    let mut remote = RawClient::connect(SocketAddr::new(lan, port));
    remote.send_line(&format!("LOGIN|remote|{PW}"));
    let line = remote.read_line();
    assert!(line.starts_with("ERROR|This server requires TLS"), "{line}");
    remote.expect_eof();
    // TLS from the network is fine.
    let mut config = ClientConfig::new(SocketAddr::new(lan, port).to_string(), "secure", PW);
    config.data_dir = None;
    config.transport = Transport::Tls {
        known_servers: None,
        trust: Some(server.fingerprint()),
    };
    Client::connect(config)
        .expect("TLS from the network")
        .quit();
}

#[test]
fn an_eavesdropper_sees_neither_the_password_nor_the_messages() {
    let server = TestServer::start();
    let secret_password = "correct horse battery staple";
    let secret_text = "gặp nhau ở cổng sau lúc 9 giờ";
    let relay = Relay::start(server.addr());
    let mut config = ClientConfig::new(relay.address.to_string(), "spy-target", secret_password);
    config.data_dir = None;
    config.cache_dir = Some(tempfile::tempdir().unwrap().path().join("cache"));
    config.transport = Transport::Tls {
        known_servers: None,
        trust: Some(server.fingerprint()),
    };
    let listener = connect(&server, "listener");
    wait_for(&listener, WAIT, |e| *e == Event::Synced);
    let sender = Client::connect(config).expect("login through the relay");
    sender.send_text(secret_text).unwrap();
    let heard = wait_for(&listener, WAIT, |e| said(e).is_some());
    assert!(is_text(&heard, "spy-target", secret_text), "{heard:?}");
    sender.quit();
    let captured = relay.captured();
    assert!(
        captured.len() > 1000,
        "the relay saw the handshake and records"
    );
    for secret in [
        secret_password.as_bytes(),
        secret_text.as_bytes(),
        b"LOGIN|",
        b"TEXT|",
    ] {
        assert!(
            !captured.windows(secret.len()).any(|w| w == secret),
            "{:?} crossed the wire in clear",
            String::from_utf8_lossy(secret)
        );
    }
}

/// This machine's address on its network, if it has one.
fn lan_address() -> Option<IpAddr> {
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    socket.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

/// A TCP relay in front of the server that records every byte, both ways.
struct Relay {
    address: SocketAddr,
    bytes: Arc<Mutex<Vec<u8>>>,
}

impl Relay {
    fn start(target: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let recorded = bytes.clone();
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(upstream) = TcpStream::connect(target) else {
                    return;
                };
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), upstream.try_clone().unwrap()),
                    (upstream, client),
                ] {
                    let recorded = recorded.clone();
                    thread::spawn(move || {
                        let mut buf = [0u8; 16 * 1024];
                        while let Ok(n) = from.read(&mut buf) {
                            if n == 0 || to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                            recorded.lock().unwrap().extend_from_slice(&buf[..n]);
                        }
                        let _ = to.shutdown(std::net::Shutdown::Write);
                    });
                }
            }
        });
        Relay { address, bytes }
    }

    fn captured(&self) -> Vec<u8> {
        self.bytes.lock().unwrap().clone()
    }
}
