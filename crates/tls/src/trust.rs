//! How a client decides to trust a server: a certificate that chains to a
//! well-known authority (Mozilla's roots, from `webpki-roots`) is accepted;
//! a self-signed one is trusted on first use, like SSH. The user is shown
//! its fingerprint and asked once; the answer is remembered per
//! `host:port`; a different certificate later is refused.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use crate::fingerprint::Fingerprint;

/// The fingerprints the user has accepted, one `host:port fingerprint` line
/// per server.
#[derive(Debug, Clone)]
pub struct KnownServers {
    path: PathBuf,
}

impl KnownServers {
    /// The store kept in `path` (created when something is remembered).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        KnownServers { path: path.into() }
    }

    /// The file, so a warning can tell the user how to reset a server.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The fingerprint accepted for `server`, if any.
    pub fn get(&self, server: &str) -> Option<Fingerprint> {
        let text = fs::read_to_string(&self.path).ok()?;
        text.lines()
            .filter_map(|line| line.split_once(' '))
            .find(|(known, _)| *known == server)
            .and_then(|(_, fingerprint)| fingerprint.parse().ok())
    }

    /// Accepts `fingerprint` for `server`, replacing any earlier one.
    pub fn remember(&self, server: &str, fingerprint: Fingerprint) -> io::Result<()> {
        let text = fs::read_to_string(&self.path).unwrap_or_default();
        let mut lines: Vec<String> = text
            .lines()
            .filter(|line| {
                line.split_once(' ')
                    .is_none_or(|(known, _)| known != server)
            })
            .map(str::to_owned)
            .collect();
        lines.push(format!("{server} {fingerprint}"));
        if let Some(dir) = self.path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(&self.path, lines.join("\n") + "\n")
    }
}

/// Why the certificate was not trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distrust {
    /// Self-signed (or from an unknown authority) and never accepted.
    Unknown(Fingerprint),
    /// Not the certificate accepted earlier for this server.
    Changed {
        /// What was accepted.
        pinned: Fingerprint,
        /// What the server presented now.
        presented: Fingerprint,
    },
}

/// Verifies a server by authority first, then by pinned fingerprint; after
/// a failed handshake, [`TrustOnFirstUse::distrust`] says why.
#[derive(Debug)]
pub struct TrustOnFirstUse {
    authorities: Arc<WebPkiServerVerifier>,
    pinned: Option<Fingerprint>,
    presented: Mutex<Option<Fingerprint>>,
}

impl TrustOnFirstUse {
    /// A verifier that also accepts the certificate with `pinned`.
    pub fn new(pinned: Option<Fingerprint>) -> Arc<Self> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let authorities = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .expect("the bundled root store is not empty");
        Arc::new(TrustOnFirstUse {
            authorities,
            pinned,
            presented: Mutex::new(None),
        })
    }

    /// A client configuration using this verifier.
    pub fn client_config(self: &Arc<Self>) -> Arc<ClientConfig> {
        let config = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .dangerous()
            .with_custom_certificate_verifier(self.clone())
            .with_no_client_auth();
        Arc::new(config)
    }

    /// Why the last handshake's certificate was refused, if it was.
    pub fn distrust(&self) -> Option<Distrust> {
        let presented = (*self.presented.lock())?;
        match self.pinned {
            Some(pinned) if pinned != presented => Some(Distrust::Changed { pinned, presented }),
            Some(_) => None,
            None => Some(Distrust::Unknown(presented)),
        }
    }
}

impl ServerCertVerifier for TrustOnFirstUse {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented = Fingerprint::of(end_entity);
        *self.presented.lock() = None;
        match self.authorities.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(verified) => Ok(verified),
            Err(_) if self.pinned == Some(presented) => Ok(ServerCertVerified::assertion()),
            Err(error) => {
                *self.presented.lock() = Some(presented);
                Err(error)
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.authorities.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.authorities.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.authorities.supported_verify_schemes()
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_servers_remember_and_replace() {
        let dir = tempfile::tempdir().unwrap();
        let known = KnownServers::new(dir.path().join("sub/known_servers"));
        assert_eq!(known.get("chat.lan:5000"), None);
        let first = Fingerprint::of(b"one");
        let second = Fingerprint::of(b"two");
        known.remember("chat.lan:5000", first).unwrap();
        known.remember("other:5000", second).unwrap();
        assert_eq!(known.get("chat.lan:5000"), Some(first));
        known.remember("chat.lan:5000", second).unwrap();
        assert_eq!(known.get("chat.lan:5000"), Some(second));
        assert_eq!(known.get("other:5000"), Some(second));
        let text = fs::read_to_string(known.path()).unwrap();
        assert_eq!(text.lines().count(), 2);
    }
}
