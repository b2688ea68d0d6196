//! `reactions`: reaction toggles and typing notices in one room of
//! `members`, over version 3 (issue 12: a room of 200, p99 ≤ 15 ms).
//!
//! Every member logs in (`HELLO|3`, `LOGIN`); the first creates the public
//! room `#react`, the others join it, and the first then posts `targets`
//! messages there to react to. Then each member writes `messages` lines,
//! `rate` a second, paced as in `fanout` ([`Plan::due`]): reaction toggles
//! (`REACT|r<k>|id|reaction`) and, one line in `cycle`, a typing notice
//! (`TYPING|#react`), so that a member's notices are `typing_every`
//! seconds apart. The others receive each toggle as
//! `EVENT|id|ts|#react|REACT|by|target|on|reaction` (version 3 gets no
//! `REACTIONS` line live) and each notice as `TYPING|#react|by`.
//!
//! Neither line carries anything of the sender's, so each is matched with
//! its send by what it names: a toggle by `(by, target, reaction)` and its
//! place among the toggles with that key a receiver has seen (the `n`-th
//! arrival is the `n`-th send; `on` must then be what the `n`-th toggle
//! does, which checks the matching), a notice by `by` and its place among
//! that member's notices. One member's toggles are applied in the order it
//! sends them (the session waits for the store's answer to each), and its
//! notices go out in order, so the places agree unless something is lost.
//! The latency of a line is its arrival minus the time its send was due;
//! the sender's own copy of its toggle is not counted.
//!
//! Each member keeps under the server's limits: toggles at most 30 at once
//! then one a second (`reaction_command.rs`), notices one per user and
//! conversation every 3 seconds, others dropped without a word
//! (`typing.rs`). A member's pairs of message and reaction are [`PAIRS`]
//! different ones in turn, so the second round takes back what the first
//! gave.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::bail;
use media_chat_protocol::{
    ClientMessage, Conversation, EncodeLine, EventBody, ParseLine as _, ServerMessage,
};

use crate::client::{lock, names};
use crate::pool::{MEASURED, Pool, ReceiverReport};
use crate::report::Report;
use crate::scenario::fanout::{login_section, target_shared};
use crate::scenario::{Env, in_parallel, loadgen_cpu, settle, wait_for_deliveries};
use crate::sender::{Compose, Plan, Senders, Writer};
use crate::session3::Session3;
use crate::stats::{Histogram, Integrity};
use crate::target::{Setup, own_cpu_secs};

/// The room, without its `#`.
const ROOM: &str = "react";

/// Emoji and short texts, all within the server's rules (1 to 16
/// characters).
const REACTIONS: [&str; 12] = [
    "👍", "❤️", "😂", "🎉", "🙏", "👀", "🔥", "ok", "+1", "lol", "đúng", "hay quá",
];

/// Pairs of message and reaction each member toggles in turn.
const PAIRS: u64 = 4;

/// The least time between two typing notices of one member the server
/// passes on (`typing.rs`, `EVERY`).
const TYPING_EVERY_MIN: f64 = 3.0;

/// Toggles a user may send at once before the limit of one a second
/// (`reaction_command.rs`, `REACTIONS`).
const REACTION_BURST: u64 = 30;

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct Reactions {
    /// Members of the room (at least 2).
    pub members: usize,
    /// Messages posted to react to.
    pub targets: usize,
    /// Lines each member writes: toggles and typing notices.
    pub messages: u64,
    /// Lines per second per member.
    pub rate: f64,
    /// Seconds between one member's typing notices (rounded to a whole
    /// number of lines).
    pub typing_every: f64,
    /// Sender threads.
    pub senders: usize,
}

/// The two kinds of line measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Reaction = 0,
    Typing = 1,
}

/// One line a member writes.
enum Line {
    /// A toggle of `REACTIONS[reaction]` on `target`: giving it (`on`) or
    /// taking it back.
    React {
        target: u64,
        reaction: usize,
        on: bool,
    },
    /// A typing notice.
    Typing,
}

/// Which line each member writes when: the same for the senders and for
/// the matching.
#[derive(Clone)]
struct Script {
    /// One line in `cycle` is a typing notice (the last of each cycle).
    cycle: u64,
    /// The ids of the messages reacted to.
    targets: Vec<u64>,
    /// `#react`.
    room: Conversation,
}

impl Script {
    /// Member `member`'s `k`-th line.
    fn line(&self, member: usize, k: u64) -> Line {
        if k % self.cycle == self.cycle - 1 {
            return Line::Typing;
        }
        let nth = k - k / self.cycle;
        let pair = (nth % PAIRS) as usize;
        Line::React {
            target: self.targets[(member + pair) % self.targets.len()],
            reaction: (member + 3 * pair) % REACTIONS.len(),
            on: (nth / PAIRS).is_multiple_of(2),
        }
    }
}

impl Compose for Script {
    fn compose(&mut self, out: &mut Vec<u8>, writer: &Writer, k: u64, _due_micros: u64) {
        let message = match self.line(writer.sender, k) {
            Line::React {
                target, reaction, ..
            } => ClientMessage::React {
                token: format!("r{k}"),
                id: target,
                reaction: REACTIONS[reaction].to_owned(),
            },
            Line::Typing => ClientMessage::Typing {
                conversation: self.room.clone(),
            },
        };
        // A token of digits, an id and a reaction from the list: encoding
        // cannot fail.
        let _ = message.encode(out);
    }
}

/// Toggles keyed by who, on what and which reaction.
type ToggleKey = (usize, u64, usize);

/// What was sent, keyed as a receiver can tell it apart, in the order sent:
/// the due time (microseconds since the epoch) of each toggle with whether
/// it gives, and of each member's typing notices.
#[derive(Default)]
struct Sends {
    toggles: HashMap<ToggleKey, Vec<(u64, bool)>>,
    typing: Vec<Vec<u64>>,
    /// Lines sent of each kind.
    count: [u64; 2],
}

impl Sends {
    /// The lines each member sent (`per_member[p]` of them, from the
    /// first), as `script` and `plan` say.
    fn of(script: &Script, plan: &Plan, per_member: &[u64], members: usize) -> Sends {
        let mut sends = Sends {
            typing: vec![Vec::new(); members],
            ..Sends::default()
        };
        for (member, &sent) in per_member.iter().enumerate().take(members) {
            for k in 0..sent {
                let due = plan.due(k, member, members).as_micros() as u64;
                match script.line(member, k) {
                    Line::React {
                        target,
                        reaction,
                        on,
                    } => {
                        sends
                            .toggles
                            .entry((member, target, reaction))
                            .or_default()
                            .push((due, on));
                        sends.count[Kind::Reaction as usize] += 1;
                    }
                    Line::Typing => {
                        sends.typing[member].push(due);
                        sends.count[Kind::Typing as usize] += 1;
                    }
                }
            }
        }
        sends
    }
}

/// What the receivers' lines matched, summed over receivers.
#[derive(Default)]
struct Matched {
    /// Latency in microseconds, per kind.
    latency: [Histogram; 2],
    /// Lines matched with a send, per kind.
    matched: [u64; 2],
    /// Lines past the last send of their key (copies), per kind.
    extra: [u64; 2],
    /// Toggles whose `on` is not what their place says.
    wrong_state: u64,
    /// Lines of another conversation, or from no member.
    misdelivered: u64,
    /// Lines that did not parse.
    unreadable: u64,
}

impl Matched {
    /// Matches one receiver's toggles and notices with `sends`.
    fn add(&mut self, receiver: &ReceiverReport, sends: &Sends, members: &HashMap<&str, usize>) {
        let room = Conversation::Room(ROOM.to_owned());
        let mut toggles: HashMap<ToggleKey, usize> = HashMap::new();
        let mut typing = vec![0usize; sends.typing.len()];
        for (at, line) in &receiver.notices {
            let (kind, due) = match ServerMessage::parse_line(line) {
                Ok(ServerMessage::Event(event)) => {
                    let EventBody::React {
                        by,
                        target,
                        on,
                        reaction,
                    } = &event.body
                    else {
                        continue;
                    };
                    let (Some(&by), Some(reaction)) = (
                        members.get(by.as_str()),
                        REACTIONS.iter().position(|r| r == reaction),
                    ) else {
                        self.misdelivered += 1;
                        continue;
                    };
                    if event.conversation != room {
                        self.misdelivered += 1;
                        continue;
                    }
                    if by == receiver.index {
                        continue;
                    }
                    let key = (by, *target, reaction);
                    let place = toggles.entry(key).or_default();
                    let sent = sends.toggles.get(&key).and_then(|s| s.get(*place));
                    *place += 1;
                    let Some(&(due, gives)) = sent else {
                        self.extra[Kind::Reaction as usize] += 1;
                        continue;
                    };
                    if gives != *on {
                        self.wrong_state += 1;
                    }
                    (Kind::Reaction, due)
                }
                Ok(ServerMessage::Typing { conversation, user }) => {
                    let Some(&by) = members.get(user.as_str()) else {
                        self.misdelivered += 1;
                        continue;
                    };
                    if conversation != room {
                        self.misdelivered += 1;
                        continue;
                    }
                    let sent = sends.typing[by].get(typing[by]);
                    typing[by] += 1;
                    let Some(&due) = sent else {
                        self.extra[Kind::Typing as usize] += 1;
                        continue;
                    };
                    (Kind::Typing, due)
                }
                Ok(_) => continue,
                Err(_) => {
                    self.unreadable += 1;
                    continue;
                }
            };
            self.matched[kind as usize] += 1;
            self.latency[kind as usize].record(at.saturating_sub(due));
        }
    }
}

/// Runs the scenario once.
pub fn run(env: &Env, args: Reactions) -> anyhow::Result<Report> {
    let args = Reactions {
        members: args.members.max(2),
        targets: args.targets.max(1),
        ..args
    };
    if args.rate <= 0.0 {
        bail!("reactions: --rate must be above 0 (lines are paced)");
    }
    let cycle = (args.typing_every * args.rate).round().max(2.0) as u64;
    let typing_every = cycle as f64 / args.rate;
    if typing_every < TYPING_EVERY_MIN {
        bail!(
            "reactions: typing notices {typing_every:.2} s apart; the server passes one per \
             user every {TYPING_EVERY_MIN} s and drops the rest"
        );
    }
    let reactions_per_member = args.messages - args.messages / cycle;
    let reaction_rate = args.rate * (cycle - 1) as f64 / cycle as f64;
    if reaction_rate > 1.0 && reactions_per_member > REACTION_BURST {
        bail!(
            "reactions: {reaction_rate:.2} toggles a second per member, {reactions_per_member} \
             in all: over the server's limit of {REACTION_BURST} at once, then one a second"
        );
    }
    let members = args.members;
    let target = env.start(Setup {
        fast_hash: true,
        max_file_size: 10 << 20,
    })?;
    let connector = env.connector(&target)?;
    let epoch = Instant::now();
    let pool = Pool::start(env.receivers, epoch)?;
    let room = Conversation::Room(ROOM.to_owned());
    let user_names = names("r", members);
    let writers = Mutex::new(Vec::with_capacity(members));
    let writer = |session: Session3, member: usize, micros: u64| -> anyhow::Result<()> {
        let client = session.into_client(member, micros)?;
        lock(&writers).push(Writer {
            sender: member,
            link: client.link.try_clone()?,
            to: Some(room.to_string()),
        });
        pool.add(client, MEASURED)
    };

    let login_started = Instant::now();
    let started = Instant::now();
    let (mut creator, _) = Session3::login(&connector, &user_names[0], None)?;
    creator.create(ROOM)?;
    let creator_micros = started.elapsed().as_micros() as u64;
    let mut login_times = in_parallel(members - 1, env.concurrency, &|n| {
        let member = n + 1;
        let started = Instant::now();
        let (mut session, _) = Session3::login(&connector, &user_names[member], None)?;
        session.join(ROOM)?;
        let micros = started.elapsed().as_micros() as u64;
        writer(session, member, micros)?;
        Ok(micros)
    })?;
    login_times.push(creator_micros);
    let login_wall = login_started.elapsed().as_secs_f64();
    let posts: Vec<(Conversation, String)> = (0..args.targets)
        .map(|i| (room.clone(), format!("react to message {i}")))
        .collect();
    let ids = creator.post_all(&posts, 16)?;
    writer(creator, 0, creator_micros)?;
    // Let the MEMBER events of the joins and the posts drain first.
    settle(
        &pool.progress,
        Duration::from_millis(300),
        Duration::from_secs(30),
    );

    let before = target.sample();
    let cpu_before = own_cpu_secs();
    let start = Instant::now() + Duration::from_millis(20);
    let plan = Plan {
        rate: args.rate,
        messages: args.messages,
        payload: 0,
        start,
        epoch,
    };
    let script = Script {
        cycle,
        targets: ids,
        room: room.clone(),
    };
    let mut writers = writers.into_inner().unwrap_or_else(|e| e.into_inner());
    writers.sort_by_key(|w| w.sender);
    let make = script.clone();
    let senders = Senders::paced(writers, plan, args.senders, move || make.clone())?;
    // Every toggle reaches every member, its sender too; a notice, the
    // others.
    let typing_per_member = args.messages / cycle;
    let expected = members as u64
        * (reactions_per_member * members as u64 + typing_per_member * (members as u64 - 1));
    let schedule = args.messages as f64 / args.rate;
    let complete = wait_for_deliveries(
        &pool.progress.notices,
        expected,
        Duration::from_secs(5),
        start + Duration::from_secs_f64(schedule + 60.0),
        || senders.finished(),
    );
    let after = target.sample();
    senders.stop();
    let sent = senders.join()?;
    let received = pool.stop()?;
    target.stop();
    let wall = start.elapsed().as_secs_f64();

    let sends = Sends::of(&script, &plan, &sent.per_sender, members);
    let by_name: HashMap<&str, usize> = user_names
        .iter()
        .enumerate()
        .map(|(i, name)| (name.as_str(), i))
        .collect();
    let mut matched = Matched::default();
    for receiver in &received.receivers {
        matched.add(receiver, &sends, &by_name);
    }
    let others = members as u64 - 1;
    let missing = |kind: Kind| {
        (sends.count[kind as usize] * others).saturating_sub(matched.matched[kind as usize])
    };

    let mut report = Report::new("reactions");
    report
        .set("transport", env.transport())
        .set("members", members)
        .set("targets", args.targets)
        .set("lines_per_member", args.messages)
        .float("rate_per_member", args.rate, 2)
        .float("reactions_per_s_per_member", reaction_rate, 3)
        .float("typing_every_s", typing_every, 2);
    login_section(&mut report, login_wall, &mut login_times);
    for (kind, name) in [(Kind::Reaction, "reaction"), (Kind::Typing, "typing")] {
        let i = kind as usize;
        report
            .set(&format!("{name}_sent"), sends.count[i])
            .set(&format!("{name}_expected"), sends.count[i] * others)
            .set(&format!("{name}_received"), matched.matched[i])
            .set(&format!("{name}_missing"), missing(kind))
            .latency(name, &matched.latency[i]);
    }
    report
        .integrity(Integrity {
            lost: missing(Kind::Reaction) + missing(Kind::Typing),
            duplicated: matched.extra.iter().sum(),
            reordered: matched.wrong_state,
            misdelivered: matched.misdelivered,
        })
        .float(
            "sender_lag_p99_ms",
            sent.lag.quantile(0.99) as f64 / 1000.0,
            3,
        )
        .server(before, after);
    if target_shared(env) {
        report.note("in-process server: CPU and memory include the load generator");
    }
    loadgen_cpu(&mut report, cpu_before, wall);
    let (error, closed) = received.problems();
    let refused: u64 = received.receivers.iter().map(|r| r.errors).sum();
    report.set("refused", refused);
    report.set(
        "failures",
        u64::from(!complete)
            + closed as u64
            + u64::from(sent.error.is_some())
            + refused
            + matched.unreadable,
    );
    if let Some(e) = sent.error.or(error) {
        report.note(e);
    }
    if !complete {
        report.note("not every toggle and notice arrived before the time-out");
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(cycle: u64) -> Script {
        Script {
            cycle,
            targets: vec![10, 11, 12],
            room: Conversation::Room(ROOM.to_owned()),
        }
    }

    #[test]
    fn one_line_in_a_cycle_is_a_typing_notice_and_the_rest_toggle_in_turn() {
        let script = script(3);
        let kinds: Vec<bool> = (0..9)
            .map(|k| matches!(script.line(5, k), Line::Typing))
            .collect();
        assert_eq!(
            kinds,
            [false, false, true, false, false, true, false, false, true]
        );
        // The toggles 0..4 give four different pairs; 4..8 take them back.
        let toggles: Vec<(u64, usize, bool)> = (0..12)
            .filter_map(|k| match script.line(5, k) {
                Line::React {
                    target,
                    reaction,
                    on,
                } => Some((target, reaction, on)),
                Line::Typing => None,
            })
            .collect();
        assert_eq!(toggles.len(), 8);
        for (given, taken) in toggles[..4].iter().zip(&toggles[4..]) {
            assert_eq!((given.0, given.1), (taken.0, taken.1));
            assert!(given.2 && !taken.2);
        }
        let pairs: std::collections::HashSet<_> = toggles[..4].iter().map(|t| (t.0, t.1)).collect();
        assert_eq!(pairs.len(), 4);
    }

    #[test]
    fn every_reaction_is_one_the_server_takes() {
        for reaction in REACTIONS {
            assert_eq!(
                media_chat_protocol::reaction::check_reaction(reaction),
                Ok(())
            );
        }
    }

    #[test]
    fn arrivals_match_their_sends_by_key_and_place() {
        let script = script(3);
        let epoch = Instant::now();
        let plan = Plan {
            rate: 1.0,
            messages: 6,
            payload: 0,
            start: epoch,
            epoch,
        };
        // Two members; member 1 sent 6 lines: toggles 0, 1, 3, 4 and
        // notices 2, 5.
        let sends = Sends::of(&script, &plan, &[0, 6], 2);
        assert_eq!(sends.count, [4, 2]);
        let due = |k: u64| plan.due(k, 1, 2).as_micros() as u64;
        let mut lines = Vec::new();
        for k in 0..6 {
            let line = match script.line(1, k) {
                Line::React {
                    target,
                    reaction,
                    on,
                } => format!(
                    "EVENT|{}|0|#react|REACT|r1|{target}|{}|{}",
                    100 + k,
                    u8::from(on),
                    REACTIONS[reaction]
                ),
                Line::Typing => "TYPING|#react|r1".to_owned(),
            };
            lines.push((due(k) + 700, line));
        }
        lines.push((0, "TYPING|#other|r1".to_owned()));
        lines.push((due(5) + 800, "TYPING|#react|r1".to_owned()));
        let receiver = ReceiverReport {
            index: 0,
            class: MEASURED,
            tracks: Vec::new(),
            conversations: Vec::new(),
            notices: lines,
            other_lines: 0,
            errors: 0,
            closed: false,
            error: None,
        };
        let members = HashMap::from([("r0", 0), ("r1", 1)]);
        let mut matched = Matched::default();
        matched.add(&receiver, &sends, &members);
        assert_eq!(matched.matched, [4, 2]);
        assert_eq!(matched.extra, [0, 1]);
        assert_eq!(matched.misdelivered, 1);
        assert_eq!(matched.wrong_state, 0);
        assert_eq!(matched.latency[0].max(), 700);
        assert_eq!(matched.latency[1].max(), 700);
    }
}
