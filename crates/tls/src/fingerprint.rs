//! A certificate's fingerprint: the SHA-256 of its DER bytes, shown as
//! `SHA256:` and 32 colon-separated hex pairs, the form SSH users know.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};
use thiserror::Error;

/// The SHA-256 fingerprint of a certificate.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

/// Text that is not a fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not a SHA-256 fingerprint (64 hex digits, colons and a SHA256: prefix optional)")]
pub struct BadFingerprint;

impl Fingerprint {
    /// The fingerprint of a DER-encoded certificate.
    pub fn of(der: &[u8]) -> Self {
        Fingerprint(Sha256::digest(der).into())
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SHA256:")?;
        for (i, byte) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{byte:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Fingerprint {
    type Err = BadFingerprint;

    /// Accepts `SHA256:AB:CD…`, `ab:cd…` or plain hex, in any case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let text = text
            .strip_prefix("SHA256:")
            .or_else(|| text.strip_prefix("sha256:"))
            .unwrap_or(text);
        let digits: String = text.chars().filter(|&c| c != ':').collect();
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(&digits, &mut bytes).map_err(|_| BadFingerprint)?;
        Ok(Fingerprint(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_ssh_and_parses_back_in_any_form() {
        let fingerprint = Fingerprint::of(b"certificate");
        let shown = fingerprint.to_string();
        assert!(shown.starts_with("SHA256:"));
        assert_eq!(shown.len(), 7 + 64 + 31);
        assert_eq!(shown.parse(), Ok(fingerprint));
        assert_eq!(shown.to_lowercase().parse(), Ok(fingerprint));
        assert_eq!(hex::encode(fingerprint.0).parse(), Ok(fingerprint));
        assert_eq!("SHA256:12".parse::<Fingerprint>(), Err(BadFingerprint));
    }
}
