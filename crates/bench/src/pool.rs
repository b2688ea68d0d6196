//! The receiving side: a few threads, each waiting on many sockets with
//! epoll, so a thousand simulated users cost two threads, not a thousand.
//! Every read takes whatever is buffered (up to 256 KiB; over TLS, the raw
//! bytes are decrypted by the same thread) and each complete line is
//! checked: the load generator's messages, as `TEXT|from|text` (versions 1
//! and 2) or `EVENT|id|ts|conversation|TEXT|from|text` (version 3, counted
//! per conversation), give a latency sample and a sequence number;
//! reaction toggles (`EVENT|…|REACT|…`) and typing notices (`TYPING|…`),
//! which carry nothing of their sender's, are kept with their arrival time
//! for the scenario to match with what it sent; everything else is
//! counted.

use std::io;
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver as Inbox, Sender};
use std::thread::{self, JoinHandle};
use std::time::Instant;

use anyhow::anyhow;
use media_chat_protocol::fields::{FieldReader, split_verb};

use crate::client::{Client, decode_text};
use crate::link::Link;
use crate::stats::{Histogram, Integrity, SeqTrack};

/// Bytes taken from a socket per read.
const READ_CHUNK: usize = 256 * 1024;

/// Latency classes: what a scenario measures, and everyone else.
pub const MEASURED: usize = 0;
/// Receivers whose latency is kept apart (storm clients, file movers).
pub const BYSTANDER: usize = 1;

/// Counters every pool thread adds to as it goes.
#[derive(Default)]
pub struct Progress {
    /// Distinct `(sender, seq)` received, summed over receivers.
    pub distinct: AtomicU64,
    /// Messages received, copies included.
    pub texts: AtomicU64,
    /// Time of the latest message's arrival, microseconds since the epoch.
    pub last_text_micros: AtomicU64,
    /// Bytes received, of any kind.
    pub bytes: AtomicU64,
    /// Reaction toggles and typing notices received, summed over
    /// receivers.
    pub notices: AtomicU64,
    stop: AtomicBool,
}

/// What one receiving connection saw.
pub struct ReceiverReport {
    /// The client's index.
    pub index: usize,
    /// Its latency class.
    pub class: usize,
    /// Per sender index: distinct sequence numbers, duplicates, reorders.
    pub tracks: Vec<SeqTrack>,
    /// Version 3 messages received, per conversation as written in the
    /// `EVENT` lines.
    pub conversations: Vec<(String, u64)>,
    /// Reaction toggles and typing notices, as received (without the
    /// newline), each with its arrival in microseconds since the epoch.
    pub notices: Vec<(u64, String)>,
    /// Lines other than the load generator's messages.
    pub other_lines: u64,
    /// `ERROR` and `REJECTED` lines.
    pub errors: u64,
    /// Whether the server closed the connection.
    pub closed: bool,
    /// The first `ERROR|…` reason or unreadable line, if any.
    pub error: Option<String>,
}

/// The pool's result: every receiver's report and a histogram per class.
pub struct PoolReport {
    /// One per receiving connection.
    pub receivers: Vec<ReceiverReport>,
    /// Latency in microseconds, per class.
    pub latency: [Histogram; 2],
}

impl PoolReport {
    /// Loss and order counts over receivers of `class` (or every class),
    /// where `expected(receiver, sender)` says how many messages that
    /// receiver should have from that sender; more than that (from a
    /// sender it should hear nothing of, say) is misdelivered.
    pub fn integrity(
        &self,
        class: Option<usize>,
        senders: usize,
        expected: impl Fn(usize, usize) -> u64,
    ) -> Integrity {
        let mut total = Integrity::default();
        for r in &self.receivers {
            if class.is_some_and(|c| c != r.class) {
                continue;
            }
            for sender in 0..senders.max(r.tracks.len()) {
                let got = r.tracks.get(sender);
                let want = if sender < senders {
                    expected(r.index, sender)
                } else {
                    0
                };
                let got = got.map_or(0, |t| t.distinct);
                total.lost += want.saturating_sub(got);
                total.misdelivered += got.saturating_sub(want);
            }
            for t in &r.tracks {
                total.duplicated += t.duplicated;
                total.reordered += t.reordered;
            }
        }
        total
    }

    /// The first error any receiver saw, and how many were closed.
    pub fn problems(&self) -> (Option<String>, usize) {
        let first = self.receivers.iter().find_map(|r| r.error.clone());
        let closed = self.receivers.iter().filter(|r| r.closed).count();
        (first, closed)
    }
}

/// Receiver threads; add clients to it, stop it to get the report.
pub struct Pool {
    inboxes: Vec<Sender<(Client, usize)>>,
    threads: Vec<JoinHandle<io::Result<Output>>>,
    next: AtomicUsize,
    /// Live counters.
    pub progress: Arc<Progress>,
}

impl Pool {
    /// Starts `threads` receiver threads; times are measured from `epoch`.
    pub fn start(threads: usize, epoch: Instant) -> anyhow::Result<Pool> {
        let progress = Arc::new(Progress::default());
        let mut inboxes = Vec::new();
        let mut handles = Vec::new();
        for t in 0..threads.max(1) {
            let (tx, rx) = mpsc::channel();
            let progress = progress.clone();
            handles.push(
                thread::Builder::new()
                    .name(format!("recv-{t}"))
                    .spawn(move || receive_loop(rx, progress, epoch))?,
            );
            inboxes.push(tx);
        }
        Ok(Pool {
            inboxes,
            threads: handles,
            next: AtomicUsize::new(0),
            progress,
        })
    }

    /// Hands a logged-in client to a receiver thread (round robin).
    pub fn add(&self, client: Client, class: usize) -> anyhow::Result<()> {
        let next = self.next.fetch_add(1, Ordering::Relaxed);
        let inbox = &self.inboxes[next % self.inboxes.len()];
        inbox
            .send((client, class))
            .map_err(|_| anyhow!("a receiver thread has stopped"))
    }

    /// Stops the threads and collects what they saw.
    pub fn stop(self) -> anyhow::Result<PoolReport> {
        self.progress.stop.store(true, Ordering::Release);
        drop(self.inboxes);
        let mut report = PoolReport {
            receivers: Vec::new(),
            latency: [Histogram::default(), Histogram::default()],
        };
        for thread in self.threads {
            let (receivers, latency) = thread
                .join()
                .map_err(|_| anyhow!("a receiver thread panicked"))??;
            report.receivers.extend(receivers);
            for (mine, theirs) in report.latency.iter_mut().zip(&latency) {
                mine.merge(theirs);
            }
        }
        report.receivers.sort_by_key(|r| r.index);
        Ok(report)
    }
}

struct Conn {
    link: Link,
    carry: Vec<u8>,
    report: ReceiverReport,
}

/// An epoll instance, closed on drop.
struct Epoll(libc::c_int);

impl Epoll {
    fn new() -> io::Result<Epoll> {
        // SAFETY: plain syscall.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Epoll(fd))
    }

    fn control(&self, op: libc::c_int, fd: libc::c_int, token: u64) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: token,
        };
        // SAFETY: `event` is valid for the call.
        if unsafe { libc::epoll_ctl(self.0, op, fd, &mut event) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    fn wait(&self, events: &mut [libc::epoll_event], timeout_ms: i32) -> io::Result<usize> {
        // SAFETY: the buffer is valid for `events.len()` entries.
        let n = unsafe {
            libc::epoll_wait(
                self.0,
                events.as_mut_ptr(),
                events.len() as libc::c_int,
                timeout_ms,
            )
        };
        if n < 0 {
            let e = io::Error::last_os_error();
            return if e.kind() == io::ErrorKind::Interrupted {
                Ok(0)
            } else {
                Err(e)
            };
        }
        Ok(n as usize)
    }
}

impl Drop for Epoll {
    fn drop(&mut self) {
        // SAFETY: we own the descriptor.
        unsafe {
            libc::close(self.0);
        }
    }
}

type Output = (Vec<ReceiverReport>, [Histogram; 2]);

fn receive_loop(
    inbox: Inbox<(Client, usize)>,
    progress: Arc<Progress>,
    epoch: Instant,
) -> io::Result<Output> {
    let epoll = Epoll::new()?;
    let mut conns: Vec<Conn> = Vec::new();
    let mut latency = [Histogram::default(), Histogram::default()];
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; 512];
    let mut buf = vec![0u8; READ_CHUNK + media_chat_protocol::MAX_LINE_LEN];
    // Over TLS, `buf` takes the raw bytes and this the carried partial
    // line followed by the plaintext.
    let mut plain = Vec::new();
    loop {
        while let Ok((client, class)) = inbox.try_recv() {
            let token = conns.len() as u64;
            epoll.control(libc::EPOLL_CTL_ADD, client.link.socket().as_raw_fd(), token)?;
            let mut conn = Conn {
                link: client.link,
                carry: Vec::new(),
                report: ReceiverReport {
                    index: client.index,
                    class,
                    tracks: Vec::new(),
                    conversations: Vec::new(),
                    notices: Vec::new(),
                    other_lines: 0,
                    errors: 0,
                    closed: false,
                    error: None,
                },
            };
            let now = epoch.elapsed().as_micros() as u64;
            let (new, texts) = conn.lines(&client.leftover, now, &mut latency[class]);
            publish(&progress, new, texts, now);
            progress
                .notices
                .fetch_add(conn.report.notices.len() as u64, Ordering::Relaxed);
            conns.push(conn);
        }
        if progress.stop.load(Ordering::Acquire) {
            break;
        }
        let ready = epoll.wait(&mut events, 20)?;
        if ready == 0 {
            continue;
        }
        let now = epoch.elapsed().as_micros() as u64;
        let (mut new, mut texts) = (0, 0);
        for event in &events[..ready] {
            let Some(conn) = conns.get_mut(event.u64 as usize) else {
                continue;
            };
            let received = match &conn.link {
                Link::Plain(stream) => {
                    let carried = conn.carry.len();
                    buf[..carried].copy_from_slice(&conn.carry);
                    recv_now(stream, &mut buf[carried..carried + READ_CHUNK])
                        .map(|n| (n, &buf[..carried + n], false))
                }
                Link::Tls(tls) => match recv_now(conn.link.socket(), &mut buf[..READ_CHUNK]) {
                    Ok(n) => {
                        plain.clear();
                        plain.extend_from_slice(&conn.carry);
                        match tls.decrypt(&buf[..n], &mut plain) {
                            Ok(closed) => Ok((n, &plain[..], closed)),
                            Err(e) => Err(e),
                        }
                    }
                    Err(e) => Err(e),
                },
            };
            match received {
                Ok((0, _, _)) => {
                    conn.report.closed = true;
                    let _ = epoll.control(libc::EPOLL_CTL_DEL, conn.link.socket().as_raw_fd(), 0);
                }
                Ok((n, bytes, closed)) => {
                    progress.bytes.fetch_add(n as u64, Ordering::Relaxed);
                    let class = conn.report.class;
                    let notices = conn.report.notices.len();
                    let (a, b) = conn.lines(bytes, now, &mut latency[class]);
                    new += a;
                    texts += b;
                    let kept = conn.report.notices.len() - notices;
                    if kept > 0 {
                        progress.notices.fetch_add(kept as u64, Ordering::Relaxed);
                    }
                    if closed {
                        conn.report.closed = true;
                        let _ =
                            epoll.control(libc::EPOLL_CTL_DEL, conn.link.socket().as_raw_fd(), 0);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    conn.report.closed = true;
                    conn.report.error.get_or_insert_with(|| e.to_string());
                    let _ = epoll.control(libc::EPOLL_CTL_DEL, conn.link.socket().as_raw_fd(), 0);
                }
            }
        }
        publish(&progress, new, texts, now);
    }
    Ok((conns.into_iter().map(|c| c.report).collect(), latency))
}

/// Reads what is buffered without blocking. The socket itself stays
/// blocking (`MSG_DONTWAIT` rather than `O_NONBLOCK`), because senders write
/// to clones of it and `O_NONBLOCK` would be shared with them.
fn recv_now(stream: &TcpStream, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: `buf` is valid for writes of its length.
    let n = unsafe {
        libc::recv(
            stream.as_raw_fd(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            libc::MSG_DONTWAIT,
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}

fn publish(progress: &Progress, new: u64, texts: u64, now: u64) {
    if texts > 0 {
        progress.distinct.fetch_add(new, Ordering::Relaxed);
        progress.texts.fetch_add(texts, Ordering::Relaxed);
        progress.last_text_micros.fetch_max(now, Ordering::Relaxed);
    }
}

impl Conn {
    /// Handles the complete lines in `bytes` (which starts with the carried
    /// partial line) and keeps the incomplete tail. Returns (new distinct
    /// messages, messages).
    fn lines(&mut self, bytes: &[u8], now: u64, latency: &mut Histogram) -> (u64, u64) {
        let (mut new, mut texts) = (0, 0);
        let mut rest = bytes;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            let line = &rest[..end];
            rest = &rest[end + 1..];
            match self.line(line, now, latency) {
                Some(fresh) => {
                    texts += 1;
                    new += u64::from(fresh);
                }
                None => self.report.other_lines += 1,
            }
        }
        self.carry.clear();
        self.carry.extend_from_slice(rest);
        if self.carry.len() >= media_chat_protocol::MAX_LINE_LEN {
            self.report
                .error
                .get_or_insert_with(|| "line too long".into());
            self.carry.clear();
        }
        (new, texts)
    }

    /// One line: `Some(new)` for one of the load generator's messages,
    /// `None` otherwise (a reaction toggle or typing notice is kept).
    fn line(&mut self, line: &[u8], now: u64, latency: &mut Histogram) -> Option<bool> {
        let Ok(line) = std::str::from_utf8(line) else {
            self.report
                .error
                .get_or_insert_with(|| "invalid UTF-8".into());
            return None;
        };
        let Ok((verb, rest)) = split_verb(line) else {
            return None;
        };
        let (conversation, text) = match verb {
            "TEXT" => {
                let mut fields = FieldReader::new("TEXT", rest);
                let text = fields.next("from").and_then(|_| fields.last("message"));
                (None, text.ok()?)
            }
            "EVENT" => {
                let mut fields = FieldReader::new("EVENT", rest);
                fields.next("id").ok()?;
                fields.next("ts").ok()?;
                let conversation = fields.next("conversation").ok()?;
                match fields.next("kind").ok()? {
                    "TEXT" => {}
                    "REACT" => {
                        self.report.notices.push((now, line.to_owned()));
                        return None;
                    }
                    _ => return None,
                }
                let text = fields.next("from").and_then(|_| fields.last("message"));
                (Some(conversation), text.ok()?)
            }
            "TYPING" => {
                self.report.notices.push((now, line.to_owned()));
                return None;
            }
            "ERROR" | "REJECTED" => {
                self.report.errors += 1;
                self.report.error.get_or_insert_with(|| line.to_owned());
                return None;
            }
            _ => return None,
        };
        let (sender, seq, sent) = decode_text(text)?;
        if sender > 1_000_000 {
            return None;
        }
        if let Some(conversation) = conversation {
            match self
                .report
                .conversations
                .iter_mut()
                .find(|(seen, _)| seen == conversation)
            {
                Some((_, count)) => *count += 1,
                None => self.report.conversations.push((conversation.to_owned(), 1)),
            }
        }
        latency.record(now.saturating_sub(sent));
        if self.report.tracks.len() <= sender {
            self.report.tracks.resize(sender + 1, SeqTrack::default());
        }
        Some(self.report.tracks[sender].record(seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receiver(index: usize, from: &[(usize, u64)]) -> ReceiverReport {
        let mut tracks = Vec::new();
        for &(sender, count) in from {
            if tracks.len() <= sender {
                tracks.resize(sender + 1, SeqTrack::default());
            }
            for seq in 0..count {
                tracks[sender].record(seq);
            }
        }
        ReceiverReport {
            index,
            class: MEASURED,
            tracks,
            conversations: Vec::new(),
            notices: Vec::new(),
            other_lines: 0,
            errors: 0,
            closed: false,
            error: None,
        }
    }

    #[test]
    fn more_than_expected_from_a_sender_is_misdelivered_and_less_is_lost() {
        let report = PoolReport {
            // Two rooms of two: 0 and 1, 2 and 3; each sent 5.
            receivers: vec![
                receiver(0, &[(1, 5)]),
                receiver(1, &[(0, 3)]),
                receiver(2, &[(3, 5), (0, 2)]),
                receiver(3, &[(2, 5)]),
            ],
            latency: [Histogram::default(), Histogram::default()],
        };
        let same_room = |r: usize, s: usize| u64::from(r != s && r / 2 == s / 2) * 5;
        let integrity = report.integrity(None, 4, same_room);
        assert_eq!(
            integrity,
            Integrity {
                lost: 2,
                misdelivered: 2,
                ..Integrity::default()
            }
        );
    }
}
