//! Logging in over TLS with trust on first use: a self-signed certificate
//! never seen before is shown to the user, who accepts it (it is then
//! remembered for this server) or not. Scripts pass `--trust FINGERPRINT`.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};
use media_chat_client::{Client, ClientConfig, ConnectError};

/// Connects, asking on the terminal whether to trust an unknown
/// certificate.
pub fn connect(config: ClientConfig) -> anyhow::Result<Client> {
    let address = config.address.clone();
    match Client::connect(config.clone()) {
        Err(ConnectError::Untrusted { fingerprint }) => {
            let question = ConnectError::Untrusted { fingerprint }.to_string();
            if !std::io::stdin().is_terminal() {
                bail!("{question}.\nIf it matches, run again with --trust {fingerprint}");
            }
            eprint!("{question}.\nTrust it and remember it for {address}? [y/N] ");
            std::io::stderr().flush()?;
            let mut answer = String::new();
            std::io::stdin().lock().read_line(&mut answer)?;
            if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
                bail!("not trusted; nothing was sent to the server");
            }
            config
                .accept_certificate(fingerprint)
                .context("cannot remember the certificate")?;
            Client::connect(config).with_context(|| format!("cannot log in to {address}"))
        }
        other => other.with_context(|| format!("cannot log in to {address}")),
    }
}
