//! `files`: uploads, then downloads, with hash checks on both ends, while
//! a separate pair of users chats and the chat's latency is measured.

use std::io::{BufReader, Read};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use media_chat_protocol::{ClientMessage, EncodeLine, MessageReader, ServerMessage, Sha256Digest};
use sha2::{Digest, Sha256};

use crate::client::{Client, connect_all, lock, names};
use crate::link::{Link, LinkReader};
use crate::pool::{BYSTANDER, MEASURED, Pool};
use crate::report::Report;
use crate::scenario::Env;
use crate::scenario::fanout::target_shared;
use crate::sender::{Plan, Senders, Writer};
use crate::stats::percentiles;
use crate::target::Setup;

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct Files {
    /// Bytes per file.
    pub size: u64,
    /// Files to upload (and then download).
    pub count: usize,
    /// Transfers at once (one connection each).
    pub parallel: usize,
    /// Chat messages per second during the transfers.
    pub chat_rate: f64,
}

struct Body {
    name: String,
    bytes: Vec<u8>,
    sha256: Sha256Digest,
}

type Reader = MessageReader<BufReader<Prefixed>>;

/// Runs the scenario once.
pub fn run(env: &Env, args: Files) -> anyhow::Result<Report> {
    let bodies = make_bodies(args.size, args.count.max(1));
    let target = env.start(Setup {
        fast_hash: true,
        max_file_size: args.size.max(10 << 20),
    })?;
    let connector = env.connector(&target)?;
    let epoch = Instant::now();
    let pool = Pool::start(env.receivers, epoch)?;
    // The chat pair: c0 talks, c1 listens (and is measured).
    let chat_writer = Mutex::new(None);
    connect_all(&connector, &names("c", 2), 2, &|c: Client| {
        if c.index == 0 {
            *lock(&chat_writer) = Some(Writer {
                sender: 0,
                link: c.link.try_clone()?,
                to: None,
            });
            pool.add(c, BYSTANDER)
        } else {
            pool.add(c, MEASURED)
        }
    })?;
    let movers = Mutex::new(Vec::new());
    connect_all(
        &connector,
        &names("f", args.parallel.max(1)),
        env.concurrency,
        &|c: Client| {
            lock(&movers).push(c);
            Ok(())
        },
    )?;
    let mut readers = movers
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        // Keep what arrived after the welcome in front of the stream.
        .map(|c| Ok(MessageReader::new(Prefixed::wrap(&c.link, c.leftover)?)))
        .collect::<anyhow::Result<Vec<Reader>>>()?;
    let writer = chat_writer
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .context("chat client missing")?;
    let chat = Senders::start(
        vec![writer],
        Plan {
            rate: args.chat_rate,
            messages: u64::MAX,
            payload: 64,
            start: Instant::now(),
            epoch,
        },
        1,
    )?;
    thread::sleep(Duration::from_millis(100));
    let before = target.sample();

    let up_started = Instant::now();
    let mut up_times = run_phase(&mut readers, &bodies, upload)?;
    let up_wall = up_started.elapsed().as_secs_f64();
    let down_started = Instant::now();
    let mut down_times = run_phase(&mut readers, &bodies, download)?;
    let down_wall = down_started.elapsed().as_secs_f64();

    let after = target.sample();
    thread::sleep(Duration::from_millis(100));
    chat.stop();
    let sent = chat.join()?;
    let expected = sent.per_sender.first().copied().unwrap_or(0);
    crate::scenario::wait_for_deliveries(
        &pool.progress.distinct,
        expected,
        Duration::from_secs(2),
        Instant::now() + Duration::from_secs(10),
        || true,
    );
    let received = pool.stop()?;
    drop(readers);
    target.stop();

    let total = args.size as f64 * bodies.len() as f64;
    let mb = |secs: f64| if secs > 0.0 { total / secs / 1e6 } else { 0.0 };
    let mut report = Report::new("files");
    report
        .set("transport", env.transport())
        .set("file_bytes", args.size)
        .set("files", bodies.len())
        .set("parallel", readers_len(args.parallel))
        .float("upload_mb_per_s", mb(up_wall), 0)
        .float("download_mb_per_s", mb(down_wall), 0);
    let (up50, up99, _) = percentiles(&mut up_times);
    let (down50, down99, _) = percentiles(&mut down_times);
    report
        .float("upload_p50_ms", up50 as f64 / 1000.0, 2)
        .float("upload_p99_ms", up99 as f64 / 1000.0, 2)
        .float("download_p50_ms", down50 as f64 / 1000.0, 2)
        .float("download_p99_ms", down99 as f64 / 1000.0, 2)
        .float("chat_rate", args.chat_rate, 1)
        .latency("chat", &received.latency[MEASURED])
        .integrity(received.integrity(Some(MEASURED), 1, |_, _| expected))
        .server(before, after);
    if target_shared(env) {
        report.note("in-process server: CPU and memory include the load generator");
    }
    let (error, closed) = received.problems();
    report.set("failures", closed as u64 + u64::from(sent.error.is_some()));
    if let Some(e) = sent.error.or(error) {
        report.note(e);
    }
    Ok(report)
}

fn readers_len(parallel: usize) -> usize {
    parallel.max(1)
}

/// `count` distinct pseudo-random bodies (distinct, so the server stores
/// each one instead of recognising a copy), hashed before the clock starts.
fn make_bodies(size: u64, count: usize) -> Vec<Body> {
    (0..count)
        .map(|i| {
            let mut state =
                0x9E37_79B9_7F4A_7C15u64 ^ (i as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03);
            let mut bytes = Vec::with_capacity(size as usize);
            while (bytes.len() as u64) < size {
                // xorshift64*: fast, and incompressible enough for a benchmark.
                state ^= state >> 12;
                state ^= state << 25;
                state ^= state >> 27;
                bytes.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
            }
            bytes.truncate(size as usize);
            // A PDF by its signature: the server checks contents.
            let signature = b"%PDF-1.7\n";
            let head = signature.len().min(bytes.len());
            bytes[..head].copy_from_slice(&signature[..head]);
            let sha256 = Sha256Digest(Sha256::digest(&bytes).into());
            Body {
                name: format!("bench-{i}.pdf"),
                bytes,
                sha256,
            }
        })
        .collect()
}

/// Runs `op` over every body, one worker thread per connection, and
/// returns each transfer's time in microseconds.
fn run_phase(
    readers: &mut [Reader],
    bodies: &[Body],
    op: impl Fn(&mut Reader, &Body) -> anyhow::Result<()> + Sync,
) -> anyhow::Result<Vec<u64>> {
    let next = AtomicUsize::new(0);
    let times = Mutex::new(Vec::new());
    thread::scope(|scope| {
        let workers: Vec<_> = readers
            .iter_mut()
            .map(|reader| {
                let (next, times, op) = (&next, &times, &op);
                scope.spawn(move || -> anyhow::Result<()> {
                    while let Some(body) = bodies.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let started = Instant::now();
                        op(reader, body).with_context(|| body.name.clone())?;
                        lock(times).push(started.elapsed().as_micros() as u64);
                    }
                    Ok(())
                })
            })
            .collect();
        for worker in workers {
            worker
                .join()
                .map_err(|_| anyhow::anyhow!("a transfer thread panicked"))??;
        }
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(times.into_inner().unwrap_or_else(|e| e.into_inner()))
}

/// Reads lines until `want` returns `Some`, skipping chat and announcements.
fn until<T>(
    reader: &mut Reader,
    mut want: impl FnMut(ServerMessage) -> Option<T>,
) -> anyhow::Result<T> {
    loop {
        match reader.read_message::<ServerMessage>()? {
            None => bail!("the server closed the connection"),
            Some(ServerMessage::Error { reason }) => bail!("server error: {reason}"),
            Some(message) => {
                if let Some(found) = want(message) {
                    return Ok(found);
                }
            }
        }
    }
}

fn upload(reader: &mut Reader, body: &Body) -> anyhow::Result<()> {
    let mut header = Vec::new();
    ClientMessage::File {
        name: body.name.clone(),
        size: body.bytes.len() as u64,
        sha256: body.sha256,
    }
    .encode(&mut header)?;
    let link = reader.get_ref().get_ref().link().try_clone()?;
    link.write_all(&header)?;
    until(reader, |m| {
        matches!(m, ServerMessage::FileReady { .. }).then_some(())
    })?;
    link.write_all(&body.bytes)?;
    link.write_all(b"\n")?;
    until(reader, |m| match m {
        ServerMessage::FileShared { sha256, .. } if sha256 == body.sha256 => Some(()),
        _ => None,
    })
}

fn download(reader: &mut Reader, body: &Body) -> anyhow::Result<()> {
    let mut line = Vec::new();
    ClientMessage::GetFile {
        name: body.name.clone(),
    }
    .encode(&mut line)?;
    reader.get_ref().get_ref().link().write_all(&line)?;
    let (size, announced) = until(reader, |m| match m {
        ServerMessage::FileTransfer { name, size, sha256 } if name == body.name => {
            Some((size, sha256))
        }
        _ => None,
    })?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut left = size;
    let mut content = reader.body(size);
    while left > 0 {
        let n = content.read(&mut buf)?;
        if n == 0 {
            bail!("the download ended early");
        }
        hasher.update(&buf[..n]);
        left -= n as u64;
    }
    reader.finish_body()?;
    let digest = Sha256Digest(hasher.finalize().into());
    if digest != body.sha256 || announced.is_some_and(|a| a != digest) {
        bail!("the download does not match the uploaded file");
    }
    Ok(())
}

/// A connection with some bytes to hand out first (what the login read
/// past the welcome).
pub struct Prefixed {
    prefix: Vec<u8>,
    at: usize,
    reader: LinkReader,
}

impl Prefixed {
    fn wrap(link: &Link, prefix: Vec<u8>) -> std::io::Result<BufReader<Prefixed>> {
        Ok(BufReader::with_capacity(
            256 * 1024,
            Prefixed {
                prefix,
                at: 0,
                reader: link.reader(256 * 1024)?,
            },
        ))
    }

    fn link(&self) -> &Link {
        self.reader.link()
    }
}

impl Read for Prefixed {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at < self.prefix.len() {
            let n = buf.len().min(self.prefix.len() - self.at);
            buf[..n].copy_from_slice(&self.prefix[self.at..self.at + n]);
            self.at += n;
            return Ok(n);
        }
        self.reader.read(buf)
    }
}
