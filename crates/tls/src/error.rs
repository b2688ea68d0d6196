//! TLS set-up errors.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

/// Why TLS could not be set up.
#[derive(Debug, Error)]
pub enum TlsError {
    /// A PEM file could not be read or held nothing usable.
    #[error("cannot read {0}: {1}")]
    Pem(PathBuf, String),
    /// A file could not be written.
    #[error("cannot write {0}: {1}")]
    Io(PathBuf, #[source] io::Error),
    /// The self-signed certificate could not be generated.
    #[error("cannot generate a certificate: {0}")]
    Generate(String),
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}
