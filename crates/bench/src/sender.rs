//! The sending side: a few threads write every simulated user's messages.
//!
//! Each writes `TEXT` lines (`#general`) or, given a conversation,
//! version 3 `SEND` lines to it (their `ACK`s go to the receivers, which
//! ignore them); a scenario with lines of its own (reactions, typing
//! notices) paces them through [`Compose`].
//!
//! Paced (`rate > 0`): client `p` of `n` sends its `k`-th message at
//! `start + (k·n + p) / (n·rate)` ([`Plan::due`]), so sends are spread
//! evenly, and the text carries that *scheduled* time: a server (or a
//! sender) that falls behind shows it as latency. As fast as possible
//! (`rate == 0`): each client writes bursts of messages in one `write`,
//! stamped when encoded.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::anyhow;

use crate::client::Composer;
use crate::link::Link;
use crate::stats::Histogram;

/// Messages per `write` when sending as fast as possible.
const BURST: u64 = 16;

/// What to send.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Messages per second per client; 0 means as fast as possible.
    pub rate: f64,
    /// Messages per client; `u64::MAX` sends until stopped.
    pub messages: u64,
    /// Minimum text length in bytes.
    pub payload: usize,
    /// When the first message is due.
    pub start: Instant,
    /// The zero of the timestamps in the texts.
    pub epoch: Instant,
}

impl Plan {
    /// When the `k`-th line of the writer at `position` (of `total`,
    /// ordered by sender index) is due when paced, since the epoch.
    pub fn due(&self, k: u64, position: usize, total: usize) -> Duration {
        let slot = 1.0 / (total as f64 * self.rate);
        self.start.duration_since(self.epoch)
            + Duration::from_secs_f64((k as f64 * total as f64 + position as f64) * slot)
    }
}

/// The lines a paced sender writes.
pub trait Compose {
    /// Appends `writer`'s `k`-th line, due at `due_micros` (microseconds
    /// since the epoch), to `out`.
    fn compose(&mut self, out: &mut Vec<u8>, writer: &Writer, k: u64, due_micros: u64);
}

/// Chat messages: `TEXT` or `SEND` lines whose text carries the sender,
/// the sequence number and the time it was due.
struct Chat {
    composer: Composer,
    payload: usize,
}

impl Compose for Chat {
    fn compose(&mut self, out: &mut Vec<u8>, writer: &Writer, k: u64, due_micros: u64) {
        self.composer.encode(
            out,
            writer.to.as_deref(),
            (writer.sender, k, due_micros),
            self.payload,
        );
    }
}

/// One sending user: its sender index (as written in the texts), a
/// connection to write to, and where its messages go.
pub struct Writer {
    /// The index written into each text.
    pub sender: usize,
    /// A clone of the client's connection.
    pub link: Link,
    /// `None`: `TEXT` lines; a conversation (`#room`): `SEND` lines to it.
    pub to: Option<String>,
}

/// What the senders did.
#[derive(Default)]
pub struct Sent {
    /// Messages sent, by sender index.
    pub per_sender: Vec<u64>,
    /// How late sends were against their schedule, in microseconds (paced
    /// mode): the load generator's own lag, included in the latencies.
    pub lag: Histogram,
    /// The first write error.
    pub error: Option<String>,
    /// When the last message was written, microseconds since the epoch.
    pub last_send_micros: u64,
}

/// Sender threads; stop or join them to get what they sent.
pub struct Senders {
    threads: Vec<JoinHandle<Sent>>,
    stop: Arc<AtomicBool>,
}

impl Senders {
    /// Starts `threads` sender threads sharing `writers` (as fast as
    /// possible: one thread per writer, up to 64), writing chat messages.
    pub fn start(writers: Vec<Writer>, plan: Plan, threads: usize) -> anyhow::Result<Senders> {
        if plan.rate > 0.0 {
            return Senders::paced(writers, plan, threads, move || Chat {
                composer: Composer::default(),
                payload: plan.payload,
            });
        }
        let threads = writers.len().clamp(1, 64);
        Senders::spawn(writers, threads, move |group, _, stop| {
            flat_out(group, plan, stop)
        })
    }

    /// Starts `threads` sender threads sharing `writers`, paced by `plan`
    /// (`rate > 0`), each writing the lines of its own `make()`.
    pub fn paced<C: Compose + 'static>(
        writers: Vec<Writer>,
        plan: Plan,
        threads: usize,
        make: impl Fn() -> C + Send + Clone + 'static,
    ) -> anyhow::Result<Senders> {
        let threads = threads.clamp(1, writers.len().max(1));
        Senders::spawn(writers, threads, move |group, total, stop| {
            paced(group, total, plan, &mut make(), stop)
        })
    }

    /// Shares `writers` round robin among `threads` threads, each running
    /// `body(its writers with their positions, all writers, stop)`.
    fn spawn(
        writers: Vec<Writer>,
        threads: usize,
        body: impl Fn(Vec<(usize, Writer)>, usize, &AtomicBool) -> Sent + Send + Clone + 'static,
    ) -> anyhow::Result<Senders> {
        let stop = Arc::new(AtomicBool::new(false));
        let total = writers.len();
        let mut groups: Vec<Vec<(usize, Writer)>> = (0..threads).map(|_| Vec::new()).collect();
        for (position, writer) in writers.into_iter().enumerate() {
            groups[position % threads].push((position, writer));
        }
        let handles = groups
            .into_iter()
            .enumerate()
            .map(|(t, group)| {
                let (stop, body) = (stop.clone(), body.clone());
                thread::Builder::new()
                    .name(format!("send-{t}"))
                    .spawn(move || body(group, total, &stop))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Senders {
            threads: handles,
            stop,
        })
    }

    /// Whether every sender thread is done.
    pub fn finished(&self) -> bool {
        self.threads.iter().all(JoinHandle::is_finished)
    }

    /// Asks the threads to stop after their current message.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Release);
    }

    /// Waits for the threads and merges what they sent.
    pub fn join(self) -> anyhow::Result<Sent> {
        let mut all = Sent::default();
        for thread in self.threads {
            let sent = thread.join().map_err(|_| anyhow!("a sender panicked"))?;
            if all.per_sender.len() < sent.per_sender.len() {
                all.per_sender.resize(sent.per_sender.len(), 0);
            }
            for (mine, theirs) in all.per_sender.iter_mut().zip(&sent.per_sender) {
                *mine += theirs;
            }
            all.lag.merge(&sent.lag);
            all.error = all.error.or(sent.error);
            all.last_send_micros = all.last_send_micros.max(sent.last_send_micros);
        }
        Ok(all)
    }
}

fn record(sent: &mut Sent, sender: usize, count: u64) {
    if sent.per_sender.len() <= sender {
        sent.per_sender.resize(sender + 1, 0);
    }
    sent.per_sender[sender] += count;
}

fn paced(
    group: Vec<(usize, Writer)>,
    total: usize,
    plan: Plan,
    compose: &mut impl Compose,
    stop: &AtomicBool,
) -> Sent {
    let mut sent = Sent::default();
    let mut line = Vec::with_capacity(256);
    let mut alive: Vec<bool> = vec![true; group.len()];
    for k in 0..plan.messages {
        for (i, (position, writer)) in group.iter().enumerate() {
            if !alive[i] {
                continue;
            }
            if stop.load(Ordering::Relaxed) {
                return sent;
            }
            let due = plan.due(k, *position, total);
            let now = plan.epoch.elapsed();
            if due > now {
                thread::sleep(due - now);
            }
            let due_micros = due.as_micros() as u64;
            line.clear();
            compose.compose(&mut line, writer, k, due_micros);
            if let Err(e) = writer.link.write_all(&line) {
                sent.error
                    .get_or_insert_with(|| format!("sender {}: {e}", writer.sender));
                alive[i] = false;
                continue;
            }
            let done = plan.epoch.elapsed().as_micros() as u64;
            sent.lag.record(done.saturating_sub(due_micros));
            sent.last_send_micros = done;
            record(&mut sent, writer.sender, 1);
        }
        if !alive.iter().any(|&a| a) {
            break;
        }
    }
    sent
}

fn flat_out(group: Vec<(usize, Writer)>, plan: Plan, stop: &AtomicBool) -> Sent {
    let mut sent = Sent::default();
    let mut batch = Vec::with_capacity(BURST as usize * 128);
    let mut composer = Composer::default();
    let now = plan.start.saturating_duration_since(Instant::now());
    thread::sleep(now);
    let mut next: Vec<u64> = vec![0; group.len()];
    let mut alive: Vec<bool> = vec![true; group.len()];
    while alive.iter().any(|&a| a) && !stop.load(Ordering::Relaxed) {
        for (i, (_, writer)) in group.iter().enumerate() {
            if !alive[i] {
                continue;
            }
            let end = (next[i] + BURST).min(plan.messages);
            let micros = plan.epoch.elapsed().as_micros() as u64;
            batch.clear();
            for seq in next[i]..end {
                composer.encode(
                    &mut batch,
                    writer.to.as_deref(),
                    (writer.sender, seq, micros),
                    plan.payload,
                );
            }
            if let Err(e) = writer.link.write_all(&batch) {
                sent.error
                    .get_or_insert_with(|| format!("sender {}: {e}", writer.sender));
                alive[i] = false;
                continue;
            }
            record(&mut sent, writer.sender, end - next[i]);
            next[i] = end;
            if end == plan.messages {
                alive[i] = false;
            }
        }
    }
    sent.last_send_micros = plan.epoch.elapsed().as_micros() as u64;
    sent
}
