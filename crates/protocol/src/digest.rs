//! The SHA-256 digest as it travels on the wire: 64 hexadecimal digits.

use std::fmt;
use std::str::FromStr;

/// A SHA-256 digest. Parsed from 64 hex digits in either case, always written
/// in lower case.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256Digest(pub [u8; 32]);

impl Sha256Digest {
    /// Parses 64 hexadecimal digits; anything else is `None`.
    pub fn from_hex(text: &str) -> Option<Self> {
        if text.len() != 64 {
            return None;
        }
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text, &mut bytes).ok()?;
        Some(Sha256Digest(bytes))
    }

    /// The digest as 64 lower-case hexadecimal digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Digest({})", self.to_hex())
    }
}

/// The error of parsing a [`Sha256Digest`] from text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a SHA-256 digest (64 hexadecimal digits)")]
pub struct BadDigest;

impl FromStr for Sha256Digest {
    type Err = BadDigest;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Sha256Digest::from_hex(text).ok_or(BadDigest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn parses_either_case_and_writes_lower_case() {
        let lower = Sha256Digest::from_hex(EMPTY).unwrap();
        let upper = Sha256Digest::from_hex(&EMPTY.to_uppercase()).unwrap();
        assert_eq!(lower, upper);
        assert_eq!(upper.to_string(), EMPTY);
    }

    #[test]
    fn rejects_wrong_length_and_non_hex() {
        // The seed's own malformed creds line: one digit short.
        assert_eq!(Sha256Digest::from_hex(&EMPTY[..63]), None);
        assert_eq!(Sha256Digest::from_hex(&format!("{EMPTY}0")), None);
        assert_eq!(Sha256Digest::from_hex(&EMPTY.replace('e', "g")), None);
        assert_eq!(Sha256Digest::from_hex(""), None);
        assert!("zz".parse::<Sha256Digest>().is_err());
    }
}
