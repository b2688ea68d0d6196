//! `media-chat-cli`: the terminal client. Reads lines from stdin (typed or
//! piped), prints each event on one line with the seed's tags.

mod app;
mod command;
mod handles;
mod hidden;
mod pages;
mod password;
mod progress;
mod render;
mod trust;

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::thread;

use anyhow::Context;
use clap::Parser;
use media_chat_client::{ClientConfig, Fingerprint, Transport, default_known_servers};

/// Chat on a media-chat server from the terminal.
///
/// Type a message and press Enter to send it to the current conversation
/// (#general at first); `@user text` sends privately, `#room text` to a
/// room, `/go #room` changes where lines go. `/help` lists the commands. Input can be piped:
/// `printf 'hello\n/quit\n' | media-chat-cli --user minh` sends and exits.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Server host name or address.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Server port.
    #[arg(long, default_value_t = 5000)]
    port: u16,
    /// User name (registered on first login if the server allows it).
    #[arg(long)]
    user: String,
    /// Read the password from the first line of this file (else
    /// MEDIA_CHAT_PASSWORD, else a prompt).
    #[arg(long)]
    password_file: Option<PathBuf>,
    /// Download cache (default: the user cache dir's media-chat/client_downloads).
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Do not reconnect by itself when the connection drops.
    #[arg(long)]
    no_reconnect: bool,
    /// Speak the plaintext protocol, for old servers without TLS (the
    /// password and messages then cross the network readable).
    #[arg(long, conflicts_with = "trust")]
    plaintext: bool,
    /// Trust the server's self-signed certificate if it has this
    /// fingerprint (SHA256:AB:CD:…, as the server prints at start-up), and
    /// remember it; for scripts, instead of the question.
    #[arg(long, value_name = "FINGERPRINT")]
    trust: Option<Fingerprint>,
    /// An invitation code from an administrator, to register a new name
    /// on a server where registering needs one.
    #[arg(long, value_name = "CODE")]
    invite_code: Option<String>,
    /// Ring the terminal bell for a private message or a mention (`@you`,
    /// `@here`), unless the conversation is muted.
    #[arg(long)]
    bell: bool,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("media-chat-cli: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    let password = password::read_password(args.password_file.as_deref())?;
    let address = if args.host.contains(':') && !args.host.starts_with('[') {
        format!("[{}]:{}", args.host, args.port)
    } else {
        format!("{}:{}", args.host, args.port)
    };
    let mut config = ClientConfig::new(&address, &args.user, password);
    config.cache_dir = args.cache_dir;
    config.invite_code = args.invite_code;
    // A share is followed by what the server learnt of the file.
    config.previews = true;
    config.auto_reconnect = !args.no_reconnect;
    config.transport = if args.plaintext {
        Transport::Plaintext
    } else {
        Transport::Tls {
            known_servers: default_known_servers(),
            trust: args.trust,
        }
    };
    let client = trust::connect(config)?;
    let (lines, input) = crossbeam_channel::bounded(16);
    thread::Builder::new()
        .name("stdin".into())
        .spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if lines.send(line).is_err() {
                    break;
                }
            }
        })
        .context("cannot start the input thread")?;
    app::App::new(client, args.bell).run(input);
    Ok(())
}
