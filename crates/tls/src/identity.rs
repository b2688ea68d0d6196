//! The server's certificate: an administrator's PEM files (from a public CA,
//! say), or a self-signed one generated on first start and kept in the data
//! directory, so TLS works out of the box.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::TlsError;
use crate::fingerprint::Fingerprint;

/// File names of a generated identity inside its directory.
const CERT_FILE: &str = "tls-cert.pem";
const KEY_FILE: &str = "tls-key.pem";

/// A certificate chain and its private key.
pub struct Identity {
    /// The chain, leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf's private key.
    pub key: PrivateKeyDer<'static>,
    /// Whether it was generated here (self-signed) rather than given.
    pub self_signed: bool,
}

impl Identity {
    /// Loads a PEM certificate chain and a PEM private key.
    pub fn load(cert: &Path, key: &Path) -> Result<Identity, TlsError> {
        let chain = CertificateDer::pem_file_iter(cert)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| TlsError::Pem(cert.to_path_buf(), e.to_string()))?;
        if chain.is_empty() {
            return Err(TlsError::Pem(
                cert.to_path_buf(),
                "no certificate in the file".to_owned(),
            ));
        }
        let key = PrivateKeyDer::from_pem_file(key)
            .map_err(|e| TlsError::Pem(key.to_path_buf(), e.to_string()))?;
        Ok(Identity {
            chain,
            key,
            self_signed: false,
        })
    }

    /// Loads the identity generated earlier in `dir`, or generates a
    /// self-signed one for `names` (host names and addresses) and keeps it
    /// there, the key readable by its owner only.
    pub fn load_or_generate(dir: &Path, names: Vec<String>) -> Result<Identity, TlsError> {
        let (cert, key) = (dir.join(CERT_FILE), dir.join(KEY_FILE));
        if cert.exists() && key.exists() {
            let mut identity = Identity::load(&cert, &key)?;
            identity.self_signed = true;
            return Ok(identity);
        }
        let generated = rcgen::generate_simple_self_signed(names)
            .map_err(|e| TlsError::Generate(e.to_string()))?;
        write_private(&key, generated.signing_key.serialize_pem().as_bytes())?;
        fs::write(&cert, generated.cert.pem()).map_err(|e| TlsError::Io(cert.clone(), e))?;
        Ok(Identity {
            chain: vec![generated.cert.der().clone()],
            key: PrivateKeyDer::Pkcs8(generated.signing_key.serialize_der().into()),
            self_signed: true,
        })
    }

    /// The leaf certificate's fingerprint, what clients pin.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(&self.chain[0])
    }

    /// A rustls server configuration serving this identity.
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, TlsError> {
        let config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(TlsError::Rustls)?
                .with_no_client_auth()
                .with_single_cert(self.chain.clone(), self.key.clone_key())
                .map_err(TlsError::Rustls)?;
        Ok(Arc::new(config))
    }
}

fn write_private(path: &PathBuf, contents: &[u8]) -> Result<(), TlsError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| TlsError::Io(path.clone(), e))?;
    file.write_all(contents)
        .map_err(|e| TlsError::Io(path.clone(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_identity_is_kept_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = Identity::load_or_generate(dir.path(), vec!["localhost".into()]).unwrap();
        let again = Identity::load_or_generate(dir.path(), vec!["localhost".into()]).unwrap();
        assert_eq!(first.fingerprint(), again.fingerprint());
        assert!(first.self_signed && again.self_signed);
        first.server_config().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the key must not be readable by others");
        }
    }

    #[test]
    fn missing_or_bad_pem_files_say_which() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.pem");
        fs::write(&bad, "not pem").unwrap();
        let error = Identity::load(&bad, &bad).err().unwrap();
        assert!(error.to_string().contains("bad.pem"), "{error}");
    }
}
