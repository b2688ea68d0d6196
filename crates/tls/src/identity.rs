//! The server's certificate: an administrator's PEM files (from a public CA,
//! say), or a self-signed one generated on first start and kept in the data
//! directory, so TLS works out of the box.
//!
//! Clients pin a self-signed certificate by its fingerprint, so a generated
//! identity, once complete, must never be replaced. Each file is written to
//! a temporary file, fsynced and renamed into place, the key first and the
//! certificate last: the certificate is there only once the key is. So a
//! key without a certificate is a generation cut short by a crash, never
//! served, and is made anew; a certificate without its key is an error,
//! never a reason to make a new identity. Temporary files a crash left are
//! removed.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;
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
    /// there, readable by its owner only. A certificate left without its key
    /// is an error: replacing it would make every client that pinned it
    /// refuse the server.
    pub fn load_or_generate(dir: &Path, names: Vec<String>) -> Result<Identity, TlsError> {
        remove_leftovers(dir)?;
        let (cert, key) = (dir.join(CERT_FILE), dir.join(KEY_FILE));
        let exists = |path: &Path| {
            path.try_exists()
                .map_err(|e| TlsError::Io(path.to_path_buf(), e))
        };
        if exists(&cert)? {
            if !exists(&key)? {
                return Err(TlsError::Pem(
                    key,
                    format!(
                        "the key of {CERT_FILE} is missing; restore it, or remove \
                         {CERT_FILE} to generate a new certificate (clients that \
                         trusted the old one will refuse the new one)"
                    ),
                ));
            }
            let mut identity = Identity::load(&cert, &key)?;
            identity.self_signed = true;
            return Ok(identity);
        }
        let generated = rcgen::generate_simple_self_signed(names)
            .map_err(|e| TlsError::Generate(e.to_string()))?;
        write_atomically(
            dir,
            KEY_FILE,
            generated.signing_key.serialize_pem().as_bytes(),
        )?;
        write_atomically(dir, CERT_FILE, generated.cert.pem().as_bytes())?;
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

/// How the temporary files for `file` are named: `.tls-key.pem.tmp-…`.
fn temp_prefix(file: &str) -> String {
    format!(".{file}.tmp-")
}

/// Writes `dir/file` so that a crash leaves it whole or absent: a temporary
/// file (owner-only, as `tempfile` creates them), fsync, rename, fsync of
/// the directory.
fn write_atomically(dir: &Path, file: &str, contents: &[u8]) -> Result<(), TlsError> {
    let path = dir.join(file);
    let at = |e: io::Error| TlsError::Io(path.clone(), e);
    let mut temp = tempfile::Builder::new()
        .prefix(&temp_prefix(file))
        .tempfile_in(dir)
        .map_err(at)?;
    temp.write_all(contents).map_err(at)?;
    temp.as_file().sync_all().map_err(at)?;
    temp.persist(&path).map_err(|e| at(e.error))?;
    File::open(dir).and_then(|d| d.sync_all()).map_err(at)
}

/// Removes the temporary files of a generation a crash cut short: regular
/// files directly in `dir` named by [`temp_prefix`], nothing else.
fn remove_leftovers(dir: &Path) -> Result<(), TlsError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(TlsError::Io(dir.to_path_buf(), e)),
    };
    let prefixes = [temp_prefix(KEY_FILE), temp_prefix(CERT_FILE)];
    for entry in entries {
        let entry = entry.map_err(|e| TlsError::Io(dir.to_path_buf(), e))?;
        let is_ours = entry
            .file_name()
            .to_str()
            .is_some_and(|name| prefixes.iter().any(|prefix| name.starts_with(prefix)));
        // `file_type` does not follow symlinks: a link is never ours.
        if is_ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            fs::remove_file(entry.path()).map_err(|e| TlsError::Io(entry.path(), e))?;
        }
    }
    Ok(())
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

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    // See: issue 9, "Crash leftovers and storage".
    #[test]
    fn temporary_files_left_by_a_crash_are_removed_and_the_identity_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = Identity::load_or_generate(dir.path(), vec!["localhost".into()]).unwrap();
        assert_eq!(names_in(dir.path()), [CERT_FILE, KEY_FILE]);
        // A later crash in the middle of writing a new pair (say) left its
        // temporary files; other files are not ours.
        for leftover in [".tls-key.pem.tmp-Ab12Cd", ".tls-cert.pem.tmp-x"] {
            fs::write(dir.path().join(leftover), "-----BEGIN PRIVATE KEY-----").unwrap();
        }
        fs::write(dir.path().join("creds.txt"), "kept").unwrap();
        let again = Identity::load_or_generate(dir.path(), vec!["localhost".into()]).unwrap();
        assert_eq!(first.fingerprint(), again.fingerprint());
        assert_eq!(names_in(dir.path()), ["creds.txt", CERT_FILE, KEY_FILE]);
    }

    // See: issue 9, "Crash leftovers and storage".
    #[test]
    fn a_certificate_without_its_key_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let first = Identity::load_or_generate(dir.path(), vec!["localhost".into()]).unwrap();
        let cert = fs::read(dir.path().join(CERT_FILE)).unwrap();
        let key = fs::read(dir.path().join(KEY_FILE)).unwrap();
        fs::remove_file(dir.path().join(KEY_FILE)).unwrap();
        let error = Identity::load_or_generate(dir.path(), vec!["localhost".into()])
            .err()
            .expect("a certificate without its key is an error");
        assert!(error.to_string().contains(KEY_FILE), "{error}");
        assert_eq!(fs::read(dir.path().join(CERT_FILE)).unwrap(), cert);
        assert!(!dir.path().join(KEY_FILE).exists());
        // Once the key is back, it is the same identity.
        fs::write(dir.path().join(KEY_FILE), key).unwrap();
        let again = Identity::load_or_generate(dir.path(), vec!["localhost".into()]).unwrap();
        assert_eq!(first.fingerprint(), again.fingerprint());
    }

    // See: issue 9, "Crash leftovers and storage".
    #[test]
    fn a_key_without_a_certificate_is_an_unfinished_identity_made_anew_once() {
        let dir = tempfile::tempdir().unwrap();
        // A crash after the key was written and before the certificate was:
        // that identity was never complete, so never served or pinned.
        fs::write(
            dir.path().join(KEY_FILE),
            "-----BEGIN PRIVATE KEY-----\ncut",
        )
        .unwrap();
        fs::write(dir.path().join(".tls-cert.pem.tmp-Zz9"), "-----BEGIN CERT").unwrap();
        let made = Identity::load_or_generate(dir.path(), vec!["localhost".into()]).unwrap();
        made.server_config().unwrap();
        assert_eq!(names_in(dir.path()), [CERT_FILE, KEY_FILE]);
        let again = Identity::load_or_generate(dir.path(), vec!["localhost".into()]).unwrap();
        assert_eq!(made.fingerprint(), again.fingerprint());
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
