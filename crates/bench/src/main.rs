//! `media-chat-loadgen`: load scenarios against the media-chat server.
//!
//! By default it starts the release server binary found next to itself
//! (`target/release/media-chat-server`) as a child in a temporary data dir,
//! with flood control off and connection limits lifted, once per scenario
//! run, and reads its CPU time, threads and memory from `/proc/<pid>`.
//! `--addr` targets a running server instead; `--in-process` runs the
//! server on threads of this process (for the smoke test). `--tls` makes
//! every user speak TLS, pinned to the certificate the server generated;
//! `--sync` passes the server its durability.
//!
//! # Layout
//! - `target`: starting the server, `/proc` sampling, `RLIMIT_NOFILE`.
//! - `client`: logging users in with bounded concurrency (version 2);
//!   message texts.
//! - `session3`: version 3 sessions: logins, pages, rooms, read positions.
//! - `link`: a user's connection, plaintext or TLS.
//! - `sender`: paced and flat-out senders.
//! - `pool`: epoll receiver threads that check every delivery.
//! - `stats`: latency histogram, sequence tracking.
//! - `report`: table and JSON output.
//! - `seed`: a chat log of a million events for the server to import.
//! - `vocabulary`: Zipf-distributed Vietnamese and English message texts.
//! - `scenario`: `fanout`, `rooms`, `reactions`, `idle`, `files`, `login`,
//!   `history`, `unread`, `startup`, `search`.

mod client;
mod link;
mod pool;
mod report;
mod scenario;
mod seed;
mod sender;
mod session3;
mod stats;
mod target;
mod vocabulary;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use bytesize::ByteSize;
use clap::{Parser, Subcommand};
use serde_json::Value;

use crate::report::Report;
use crate::scenario::Env;
use crate::scenario::fanout::Fanout;
use crate::scenario::files::Files;
use crate::scenario::history::History;
use crate::scenario::idle::Idle;
use crate::scenario::login::Login;
use crate::scenario::reactions::Reactions;
use crate::scenario::rooms::Rooms;
use crate::scenario::search::Search;
use crate::scenario::startup::Startup;
use crate::scenario::unread::Unread;
use crate::target::{Mode, SyncMode, default_server_binary, raise_nofile_limit};

/// Load generator for the media-chat server.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Use a server already listening here instead of starting one.
    #[arg(long, global = true)]
    addr: Option<SocketAddr>,
    /// With --addr: the server's pid, to read its CPU and memory.
    #[arg(long, global = true, requires = "addr")]
    server_pid: Option<u32>,
    /// The server binary to start (default: media-chat-server next to this
    /// program).
    #[arg(long, global = true)]
    server_bin: Option<PathBuf>,
    /// Run the server inside this process (no binary needed; its CPU and
    /// memory numbers then include the load generator).
    #[arg(long, global = true, conflicts_with_all = ["addr", "server_bin"])]
    in_process: bool,
    /// Directory for the server's temporary data dirs (default: the system
    /// temp dir). /dev/shm keeps fsync out of file benchmarks.
    #[arg(long, global = true)]
    data_root: Option<PathBuf>,
    /// Print one JSON object per scenario run instead of a table.
    #[arg(long, global = true)]
    json: bool,
    /// Small sizes, so each scenario runs in a few seconds (for smoke tests).
    #[arg(long, global = true)]
    quick: bool,
    /// Run each scenario this many times and add the median of every number.
    #[arg(long, global = true, default_value_t = 1)]
    runs: usize,
    /// Cheap argon2 in the login scenario too.
    #[arg(long, global = true)]
    fast_hash: bool,
    /// Connections opened at once while logging users in.
    #[arg(long, global = true, default_value_t = 100)]
    connect_concurrency: usize,
    /// Receiver threads (each waits on many sockets with epoll).
    #[arg(long, global = true, default_value_t = 2)]
    receivers: usize,
    /// Every user connects over TLS, pinning the certificate the server
    /// prints (with --addr: the one it presents first).
    #[arg(long, global = true)]
    tls: bool,
    /// The server's `--sync` (`normal` or `full`); by default no flag is
    /// passed, so that servers from before the store run too.
    #[arg(long, global = true, value_enum)]
    sync: Option<SyncMode>,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Debug, Subcommand)]
enum Scenario {
    /// N users in one room, all sending: latency, throughput, loss.
    Fanout {
        /// Users in the room [default: 200; quick: 20].
        #[arg(long)]
        clients: Option<usize>,
        /// Messages each user sends [default: 200; quick: 20].
        #[arg(long)]
        messages: Option<u64>,
        /// Messages per second per user, 0 = as fast as possible [default:
        /// 20].
        #[arg(long)]
        rate: Option<f64>,
        /// Minimum message text length in bytes.
        #[arg(long, default_value_t = 64)]
        payload: usize,
        /// Sender threads when paced.
        #[arg(long, default_value_t = 1)]
        senders: usize,
    },
    /// Many rooms at once, each with its own members, all sending
    /// (version 3): latency, and that nothing reaches another room.
    Rooms {
        /// Rooms [default: 100; quick: 4].
        #[arg(long)]
        rooms: Option<usize>,
        /// Members of each room [default: 20; quick: 5].
        #[arg(long)]
        members: Option<usize>,
        /// Messages each member sends [default: 10; quick: 10].
        #[arg(long)]
        messages: Option<u64>,
        /// Messages per second per member, 0 = as fast as possible
        /// [default: 0.25, so 5 a second in a room of 20; quick: 5].
        #[arg(long)]
        rate: Option<f64>,
        /// Minimum message text length in bytes.
        #[arg(long, default_value_t = 64)]
        payload: usize,
        /// Sender threads when paced.
        #[arg(long, default_value_t = 1)]
        senders: usize,
    },
    /// Reaction toggles and typing notices in one room (version 3):
    /// latency of each kind to every other member, and that each arrived.
    Reactions {
        /// Members of the room [default: 200; quick: 10].
        #[arg(long)]
        members: Option<usize>,
        /// Messages posted to react to.
        #[arg(long, default_value_t = 5)]
        targets: usize,
        /// Lines each member writes, toggles and typing notices [default:
        /// 30; quick: 16].
        #[arg(long)]
        messages: Option<u64>,
        /// Lines per second per member [default: 0.75, so half a toggle a
        /// second; quick: 2].
        #[arg(long)]
        rate: Option<f64>,
        /// Seconds between one member's typing notices, at least 3 (the
        /// server drops closer ones); the other lines are toggles.
        #[arg(long, default_value_t = 4.0)]
        typing_every: f64,
        /// Sender threads.
        #[arg(long, default_value_t = 1)]
        senders: usize,
    },
    /// N logged-in users doing nothing: memory and threads per connection,
    /// and how long logging them all in takes.
    Idle {
        /// Users; several sizes (`1000,2000,4000`) run one after the other,
        /// each on a fresh server, and the report compares their login
        /// times [default: 1000; quick: 50].
        #[arg(long, value_delimiter = ',')]
        clients: Vec<usize>,
        /// Seconds to stay idle before measuring.
        #[arg(long)]
        settle: Option<f64>,
        /// The protocol version the users speak: 2 (everyone hears of
        /// everyone) or 3 (presence follows conversations).
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(2..=3))]
        protocol: u64,
    },
    /// Uploads then downloads with hash checks, chat latency meanwhile.
    Files {
        /// Bytes per file [default: 10MiB; quick: 1MiB].
        #[arg(long)]
        size: Option<ByteSize>,
        /// Files [default: 64; quick: 4].
        #[arg(long)]
        count: Option<usize>,
        /// Transfers at once [default: 2].
        #[arg(long)]
        parallel: Option<usize>,
        /// Chat messages per second during the transfers (enough samples
        /// for a p99 within a second or two of transfers).
        #[arg(long, default_value_t = 200.0)]
        chat_rate: f64,
    },
    /// A storm of first logins with the default argon2 cost, while a room
    /// chats.
    Login {
        /// Users logging in [default: 1000; quick: 20].
        #[arg(long)]
        clients: Option<usize>,
        /// Logins in flight at once [default: 100; quick: 10].
        #[arg(long)]
        concurrency: Option<usize>,
        /// Users already online and chatting.
        #[arg(long, default_value_t = 10)]
        room: usize,
        /// Messages per second per room user.
        #[arg(long, default_value_t = 10.0)]
        room_rate: f64,
    },
    /// A million stored events: logins that resume 100 missed events,
    /// and pages of 100 at random depths (version 3).
    History {
        /// Events in the seeded chat log [default: 1000000; quick: 20000].
        #[arg(long)]
        events: Option<u64>,
        /// Users who log in and resume [default: 20; quick: 5].
        #[arg(long)]
        users: Option<usize>,
        /// Resuming logins [default: 1000; quick: 50].
        #[arg(long)]
        logins: Option<usize>,
        /// `BEFORE` pages [default: 2000; quick: 50].
        #[arg(long)]
        pages: Option<usize>,
        /// Events per page.
        #[arg(long, default_value_t = 100)]
        limit: u64,
        /// Logins, and paging sessions, at once.
        #[arg(long, default_value_t = 1)]
        concurrency: usize,
    },
    /// Logins of users in 200 conversations over a million stored events:
    /// the unread counts of every conversation (version 3).
    Unread {
        /// Events in the seeded chat log [default: 1000000; quick: 20000].
        #[arg(long)]
        events: Option<u64>,
        /// Users in many conversations [default: 5; quick: 2].
        #[arg(long)]
        users: Option<usize>,
        /// Conversations of each, `#general` included [default: 200; quick:
        /// 20].
        #[arg(long)]
        conversations: Option<usize>,
        /// Logins of each kind [default: 1000; quick: 20].
        #[arg(long)]
        logins: Option<usize>,
        /// Logins at once.
        #[arg(long, default_value_t = 1)]
        concurrency: usize,
    },
    /// Importing a chat log of a million events, then starting with them
    /// stored: time to listening and to the first login.
    Startup {
        /// Events in the seeded chat log [default: 1000000; quick: 20000].
        #[arg(long)]
        events: Option<u64>,
        /// Starts after the import [default: 3; quick: 2].
        #[arg(long)]
        restarts: Option<usize>,
    },
    /// Full-text search over a million stored messages of Zipf-distributed
    /// Vietnamese and English words: a fixed mix of rare, common, two-word
    /// and prefix searches, alone and with `from:` or `in:` (version 3).
    Search {
        /// Messages stored [default: 1000000; quick: 20000].
        #[arg(long)]
        messages: Option<u64>,
        /// Of those, sent into rooms over the protocol (the rest are
        /// imported) [default: a twentieth].
        #[arg(long)]
        room_messages: Option<u64>,
        /// Rooms besides `#general`.
        #[arg(long, default_value_t = 4)]
        rooms: usize,
        /// Searching users (each may search 20 times at once, then twice a
        /// second) [default: 40; quick: 10].
        #[arg(long)]
        users: Option<usize>,
        /// Searches of each of the 12 classes [default: 200; quick: 10].
        #[arg(long)]
        queries: Option<usize>,
        /// Results asked for.
        #[arg(long, default_value_t = 50)]
        limit: u64,
        /// Searches in flight at once.
        #[arg(long, default_value_t = 1)]
        concurrency: usize,
    },
    /// Every scenario with its defaults (or quick sizes).
    All,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> anyhow::Result<bool> {
    raise_nofile_limit();
    let mode = if let Some(addr) = args.addr {
        Mode::Remote {
            addr,
            pid: args.server_pid,
        }
    } else if args.in_process {
        Mode::InProcess
    } else {
        let binary = args
            .server_bin
            .clone()
            .or_else(default_server_binary)
            .context(
                "no media-chat-server next to the load generator: build it with \
             `cargo build --release -p media-chat-server -p media-chat-bench`, \
             or pass --server-bin, --addr or --in-process",
            )?;
        Mode::Child { binary }
    };
    let env = Env {
        mode,
        data_root: args.data_root.clone(),
        fast_hash: args.fast_hash,
        concurrency: args.connect_concurrency,
        receivers: args.receivers,
        tls: args.tls,
        sync: args.sync,
    };
    let scenarios = match &args.scenario {
        Scenario::All => vec![
            Scenario::Fanout {
                clients: None,
                messages: None,
                rate: None,
                payload: 64,
                senders: 1,
            },
            Scenario::Rooms {
                rooms: None,
                members: None,
                messages: None,
                rate: None,
                payload: 64,
                senders: 1,
            },
            Scenario::Reactions {
                members: None,
                targets: 5,
                messages: None,
                rate: None,
                typing_every: 4.0,
                senders: 1,
            },
            Scenario::Idle {
                clients: Vec::new(),
                settle: None,
                protocol: 2,
            },
            Scenario::Idle {
                clients: Vec::new(),
                settle: None,
                protocol: 3,
            },
            Scenario::Files {
                size: None,
                count: None,
                parallel: None,
                chat_rate: 200.0,
            },
            Scenario::Login {
                clients: None,
                concurrency: None,
                room: 10,
                room_rate: 10.0,
            },
            Scenario::History {
                events: None,
                users: None,
                logins: None,
                pages: None,
                limit: 100,
                concurrency: 1,
            },
            Scenario::Unread {
                events: None,
                users: None,
                conversations: None,
                logins: None,
                concurrency: 1,
            },
            Scenario::Startup {
                events: None,
                restarts: None,
            },
            Scenario::Search {
                messages: None,
                room_messages: None,
                rooms: 4,
                users: None,
                queries: None,
                limit: 50,
                concurrency: 1,
            },
        ],
        _ => Vec::new(),
    };
    let list: Vec<&Scenario> = if scenarios.is_empty() {
        vec![&args.scenario]
    } else {
        scenarios.iter().collect()
    };
    let mut all_ok = true;
    for scenario in list {
        let mut runs = Vec::new();
        for _ in 0..args.runs.max(1) {
            let mut report = run_one(&env, scenario, args.quick)?;
            all_ok &= report.ok();
            report.print(args.json);
            runs.push(report);
        }
        if runs.len() > 1 {
            median_report(&runs).print(args.json);
        }
    }
    Ok(all_ok)
}

fn run_one(env: &Env, scenario: &Scenario, quick: bool) -> anyhow::Result<Report> {
    let pick = |full, small| choose(quick, full, small);
    match *scenario {
        Scenario::Fanout {
            clients,
            messages,
            rate,
            payload,
            senders,
        } => scenario::fanout::run(
            env,
            Fanout {
                clients: clients.unwrap_or(pick(200, 20)),
                messages: messages.unwrap_or(choose(quick, 200, 20)),
                rate: rate.unwrap_or(20.0),
                payload,
                senders,
            },
        ),
        Scenario::Rooms {
            rooms,
            members,
            messages,
            rate,
            payload,
            senders,
        } => scenario::rooms::run(
            env,
            Rooms {
                rooms: rooms.unwrap_or(pick(100, 4)),
                members: members.unwrap_or(pick(20, 5)),
                messages: messages.unwrap_or(10),
                rate: rate.unwrap_or(choose(quick, 0.25, 5.0)),
                payload,
                senders,
            },
        ),
        Scenario::Reactions {
            members,
            targets,
            messages,
            rate,
            typing_every,
            senders,
        } => scenario::reactions::run(
            env,
            Reactions {
                members: members.unwrap_or(pick(200, 10)),
                targets,
                messages: messages.unwrap_or(choose(quick, 30, 16)),
                rate: rate.unwrap_or(choose(quick, 0.75, 2.0)),
                typing_every,
                senders,
            },
        ),
        Scenario::Idle {
            ref clients,
            settle,
            protocol,
        } => scenario::idle::run(
            env,
            &Idle {
                clients: if clients.is_empty() {
                    vec![pick(1000, 50)]
                } else {
                    clients.clone()
                },
                settle: Duration::from_secs_f64(settle.unwrap_or(choose(quick, 2.0, 0.3))),
                protocol,
            },
        ),
        Scenario::Files {
            size,
            count,
            parallel,
            chat_rate,
        } => scenario::files::run(
            env,
            Files {
                size: size.map_or(choose(quick, 10 << 20, 1 << 20), |s| s.as_u64()),
                count: count.unwrap_or(pick(64, 4)),
                parallel: parallel.unwrap_or(2),
                chat_rate,
            },
        ),
        Scenario::Login {
            clients,
            concurrency,
            room,
            room_rate,
        } => scenario::login::run(
            env,
            Login {
                clients: clients.unwrap_or(pick(1000, 20)),
                concurrency: concurrency.unwrap_or(pick(100, 10)),
                room,
                room_rate,
            },
        ),
        Scenario::History {
            events,
            users,
            logins,
            pages,
            limit,
            concurrency,
        } => scenario::history::run(
            env,
            History {
                events: events.unwrap_or(choose(quick, 1_000_000, 20_000)),
                users: users.unwrap_or(pick(20, 5)),
                logins: logins.unwrap_or(pick(1000, 50)),
                pages: pages.unwrap_or(pick(2000, 50)),
                limit,
                concurrency,
            },
        ),
        Scenario::Unread {
            events,
            users,
            conversations,
            logins,
            concurrency,
        } => scenario::unread::run(
            env,
            Unread {
                events: events.unwrap_or(choose(quick, 1_000_000, 20_000)),
                users: users.unwrap_or(pick(5, 2)),
                conversations: conversations.unwrap_or(pick(200, 20)),
                logins: logins.unwrap_or(pick(1000, 20)),
                concurrency,
            },
        ),
        Scenario::Startup { events, restarts } => scenario::startup::run(
            env,
            Startup {
                events: events.unwrap_or(choose(quick, 1_000_000, 20_000)),
                restarts: restarts.unwrap_or(pick(3, 2)),
            },
        ),
        Scenario::Search {
            messages,
            room_messages,
            rooms,
            users,
            queries,
            limit,
            concurrency,
        } => {
            let messages = messages.unwrap_or(choose(quick, 1_000_000, 20_000));
            scenario::search::run(
                env,
                Search {
                    messages,
                    room_messages: room_messages.unwrap_or(messages / 20),
                    rooms,
                    users: users.unwrap_or(pick(40, 10)),
                    queries: queries.unwrap_or(pick(200, 10)),
                    limit,
                    concurrency,
                },
            )
        }
        Scenario::All => anyhow::bail!("`all` is expanded by the caller"),
    }
}

/// The full-size or the quick value.
fn choose<T>(quick: bool, full: T, small: T) -> T {
    if quick { small } else { full }
}

/// A report whose every number is the median over `runs`.
fn median_report(runs: &[Report]) -> Report {
    let first = runs[0].fields();
    let name = first
        .get("scenario")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_owned();
    let mut median = Report::new(&format!("{name} (median of {})", runs.len()));
    for (key, value) in first {
        if key == "scenario" || key == "notes" || key == "ok" {
            continue;
        }
        if value.is_number() {
            let mut values: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.fields().get(key).and_then(Value::as_f64))
                .collect();
            let m = stats::median(&mut values);
            if value.is_u64() {
                median.set(key, m.round() as u64);
            } else {
                median.float(key, m, 3);
            }
        } else {
            median.set(key, value.clone());
        }
    }
    median
}
