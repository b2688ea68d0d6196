//! A real TLS connection over loopback: trust on first use, pinning, and
//! both directions used at once from two threads each.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use media_chat_tls::rustls::pki_types::ServerName;
use media_chat_tls::rustls::{ClientConnection, ServerConnection};
use media_chat_tls::{Distrust, Identity, TrustOnFirstUse, handshake};

struct Server {
    address: std::net::SocketAddr,
    identity_fingerprint: media_chat_tls::Fingerprint,
    thread: thread::JoinHandle<Vec<String>>,
}

/// A server that echoes nothing but sends `lines` lines while reading
/// everything the client sends, both at once.
fn serve(identity: Identity, lines: usize) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let config = identity.server_config().unwrap();
    let identity_fingerprint = identity.fingerprint();
    let thread = thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let Ok((reader, mut writer)) = handshake(socket, ServerConnection::new(config).unwrap())
        else {
            return Vec::new();
        };
        let sender = thread::spawn(move || {
            for n in 0..lines {
                writer
                    .write_all(format!("server line {n}\n").as_bytes())
                    .unwrap();
            }
            writer.close().unwrap();
        });
        let received: Vec<String> = BufReader::new(reader)
            .lines()
            .map_while(Result::ok)
            .collect();
        sender.join().unwrap();
        received
    });
    Server {
        address,
        identity_fingerprint,
        thread,
    }
}

fn connect(
    server: &Server,
    verifier: &std::sync::Arc<TrustOnFirstUse>,
) -> std::io::Result<(media_chat_tls::TlsReader, media_chat_tls::TlsWriter)> {
    let socket = TcpStream::connect(server.address).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    handshake(
        socket,
        ClientConnection::new(verifier.client_config(), name).unwrap(),
    )
}

#[test]
fn a_self_signed_server_is_unknown_until_pinned_then_both_directions_flow() {
    let dir = tempfile::tempdir().unwrap();
    let identity = Identity::load_or_generate(dir.path(), vec!["localhost".into()]).unwrap();
    let unknown = serve(identity, 0);
    let verifier = TrustOnFirstUse::new(None);
    assert!(connect(&unknown, &verifier).is_err());
    assert_eq!(
        verifier.distrust(),
        Some(Distrust::Unknown(unknown.identity_fingerprint))
    );
    let fingerprint = unknown.identity_fingerprint;
    unknown.thread.join().unwrap();

    let identity = Identity::load_or_generate(dir.path(), vec!["localhost".into()]).unwrap();
    let pinned = serve(identity, 2000);
    let verifier = TrustOnFirstUse::new(Some(fingerprint));
    let (reader, mut writer) = connect(&pinned, &verifier).unwrap();
    assert_eq!(verifier.distrust(), None);
    let sender = thread::spawn(move || {
        for n in 0..2000 {
            writer
                .write_all(format!("client line {n}\n").as_bytes())
                .unwrap();
        }
        writer.close().unwrap();
    });
    let received: Vec<String> = BufReader::new(reader)
        .lines()
        .map_while(Result::ok)
        .collect();
    sender.join().unwrap();
    assert_eq!(received.len(), 2000);
    assert_eq!(received[1999], "server line 1999");
    let at_server = pinned.thread.join().unwrap();
    assert_eq!(at_server.len(), 2000);
    assert_eq!(at_server[0], "client line 0");
}

#[test]
fn a_changed_certificate_is_refused_naming_both_fingerprints() {
    let old = tempfile::tempdir().unwrap();
    let new = tempfile::tempdir().unwrap();
    let pinned = Identity::load_or_generate(old.path(), vec!["localhost".into()])
        .unwrap()
        .fingerprint();
    let server = serve(
        Identity::load_or_generate(new.path(), vec!["localhost".into()]).unwrap(),
        0,
    );
    let verifier = TrustOnFirstUse::new(Some(pinned));
    assert!(connect(&server, &verifier).is_err());
    assert_eq!(
        verifier.distrust(),
        Some(Distrust::Changed {
            pinned,
            presented: server.identity_fingerprint
        })
    );
    server.thread.join().unwrap();
}

#[test]
fn non_blocking_sends_keep_sealed_bytes_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let identity = Identity::load_or_generate(dir.path(), vec!["localhost".into()]).unwrap();
    let fingerprint = identity.fingerprint();
    let config = identity.server_config().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        let (_reader, mut writer) =
            handshake(socket, ServerConnection::new(config).unwrap()).unwrap();
        let socket = writer.socket().try_clone().unwrap();
        // A socket that takes at most 10 bytes per try, then one that is full.
        let mut stingy = |bytes: &[u8]| {
            let n = bytes.len().min(10);
            (&socket).write_all(&bytes[..n])?;
            Ok(n)
        };
        let first = ["line 1\n", "line 2\n"];
        assert_eq!(
            writer.seal_and_try_send(&first, &mut stingy).unwrap(),
            media_chat_tls::Sent::Partly
        );
        let mut full = |_: &[u8]| Ok(0);
        assert_eq!(
            writer
                .seal_and_try_send(&["never sealed\n"], &mut full)
                .unwrap(),
            media_chat_tls::Sent::Busy
        );
        writer.flush_pending().unwrap();
        writer.write_all(b"line 3\n").unwrap();
        writer.close().unwrap();
    });
    let socket = TcpStream::connect(address).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let verifier = TrustOnFirstUse::new(Some(fingerprint));
    let name = ServerName::try_from("localhost").unwrap();
    let (reader, _writer) = handshake(
        socket,
        ClientConnection::new(verifier.client_config(), name).unwrap(),
    )
    .unwrap();
    let lines: Vec<String> = BufReader::new(reader)
        .lines()
        .map_while(Result::ok)
        .collect();
    server.join().unwrap();
    assert_eq!(lines, ["line 1", "line 2", "line 3"]);
}
