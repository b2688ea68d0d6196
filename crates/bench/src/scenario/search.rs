//! `search`: full-text search over a million stored messages (version 3).
//!
//! The messages' words come from a Zipf-distributed vocabulary of
//! Vietnamese and English (`vocabulary`), the same for every run. Most of
//! them are written into a seeded chat log (see `seed`: `#general`, about
//! 5 % direct messages between the log's 200 authors `h0`…`h199`, a file
//! share every 50,000 events), which the server imports on its first
//! start; its index takes them in behind the writer, and the first search
//! waits for it (`index_catch_up_s`). A chat log cannot hold rooms, so the
//! rest (`room_messages`, a twentieth by default) are sent over the
//! protocol, pipelined by up to 8 users, into `rooms` rooms `#s0`… that
//! every searching user is in.
//!
//! `users` users `h0`… (authors in the log, so each also searches its own
//! direct conversations) then run a fixed mix, one search at a time unless
//! `concurrency` says more, `queries` of each of twelve classes in turn:
//!
//! - `rare`: a word held by at most one message in 20,000 (at least one);
//! - `common`: a word held by 7 % to 14 % of the messages;
//! - `two`: two words each held by 1 % to 5 %;
//! - `prefix`: the first three letters of such a word, or of a common one
//!   (`ngu*`);
//!
//! each alone, with `from:` one of the searching users, and with `in:`
//! (half the time `#general`, else one of the rooms). Words are written
//! with their diacritics half the time, folded (`duoc`) the other half.
//! Each search asks for `limit` results and is timed from `SEARCH`
//! written to `SEARCH_END` read. The server lets a user make 20 searches
//! at once, then 2 a second; every user keeps under that.
//!
//! Checked: no search is refused, none returns more than `limit`, and
//! every plain `common` search returns `limit` with more to come. After the
//! server stops, the database's size, and the full-text index's within it
//! (SQLite's `dbstat`), are read from the data dir.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use media_chat_protocol::Conversation;

use crate::client::{lock, names};
use crate::report::Report;
use crate::scenario::history::Problems;
use crate::scenario::{Env, in_parallel};
use crate::seed::{self, XorShift};
use crate::session3::{Searched, Session3};
use crate::stats::Histogram;
use crate::target::{Setup, own_cpu_secs};
use crate::vocabulary::{self, Texts, Vocabulary};

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct Search {
    /// Messages stored in all.
    pub messages: u64,
    /// Of those, the ones sent into rooms over the protocol.
    pub room_messages: u64,
    /// Rooms besides `#general`.
    pub rooms: usize,
    /// Searching users (at most the log's 200 authors).
    pub users: usize,
    /// Searches of each class.
    pub queries: usize,
    /// Results asked for.
    pub limit: u64,
    /// Searches in flight at once.
    pub concurrency: usize,
}

/// The seed of the messages' words.
const TEXT_SEED: u64 = 0x5EA2_C4ED_0000_0001;

/// The seed of the mix.
const MIX_SEED: u64 = 0x5EA2_C4ED_0000_0002;

/// Users sending the rooms' messages.
const FILL_SENDERS: usize = 8;

/// `SEND`s a filling user keeps unanswered.
const WINDOW: usize = 512;

/// Searches a user makes at once, then a second: a little under the
/// server's 20 and 2, so that none is refused.
const PACE: (f64, f64) = (19.0, 1.9);

/// What a search looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rare,
    Common,
    Two,
    Prefix,
}

/// What narrows a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    None,
    From,
    In,
}

/// The mix's classes, in the order they take turns.
const CLASSES: [(Kind, Filter); 12] = [
    (Kind::Rare, Filter::None),
    (Kind::Rare, Filter::From),
    (Kind::Rare, Filter::In),
    (Kind::Common, Filter::None),
    (Kind::Common, Filter::From),
    (Kind::Common, Filter::In),
    (Kind::Two, Filter::None),
    (Kind::Two, Filter::From),
    (Kind::Two, Filter::In),
    (Kind::Prefix, Filter::None),
    (Kind::Prefix, Filter::From),
    (Kind::Prefix, Filter::In),
];

/// A class's name in the report: `rare`, `rare_from`, `rare_in`, ….
fn class_name((kind, filter): (Kind, Filter)) -> String {
    let kind = match kind {
        Kind::Rare => "rare",
        Kind::Common => "common",
        Kind::Two => "two",
        Kind::Prefix => "prefix",
    };
    match filter {
        Filter::None => kind.to_owned(),
        Filter::From => format!("{kind}_from"),
        Filter::In => format!("{kind}_in"),
    }
}

/// The words each kind of search draws from, by how many messages hold
/// them.
#[derive(Debug)]
struct Pools {
    rare: Vec<usize>,
    common: Vec<usize>,
    middle: Vec<usize>,
    prefixes: Vec<String>,
}

impl Pools {
    /// The pools of what `texts` wrote.
    fn of(texts: &Texts) -> Pools {
        let vocabulary = texts.vocabulary();
        let messages = texts.messages().max(1);
        let share = |i: usize| texts.holding(i) as f64 / messages as f64;
        let band = |low: f64, high: f64| -> Vec<usize> {
            (0..vocabulary.len())
                .filter(|&i| (low..high).contains(&share(i)))
                .collect()
        };
        let mut common = band(0.07, 0.14);
        if common.is_empty() {
            let closest = (0..vocabulary.len())
                .min_by(|&a, &b| (share(a) - 0.1).abs().total_cmp(&(share(b) - 0.1).abs()));
            common.extend(closest);
        }
        let most = (messages / 20_000).max(1);
        let mut rare: Vec<usize> = (0..vocabulary.len())
            .filter(|&i| (1..=most).contains(&texts.holding(i)))
            .collect();
        if rare.is_empty() {
            let mut held: Vec<usize> = (0..vocabulary.len())
                .filter(|&i| texts.holding(i) > 0)
                .collect();
            held.sort_by_key(|&i| texts.holding(i));
            rare = held.into_iter().take(100).collect();
        }
        let mut middle = band(0.01, 0.05);
        if middle.len() < 2 {
            middle = (20..200.min(vocabulary.len())).collect();
        }
        let prefixes: BTreeSet<String> = middle
            .iter()
            .chain(&common)
            .map(|&i| vocabulary.folded(i))
            .filter(|folded| folded.chars().count() >= 4)
            .map(|folded| folded.chars().take(3).collect())
            .collect();
        let mut prefixes: Vec<String> = prefixes.into_iter().collect();
        if prefixes.is_empty() {
            prefixes.push("ngu".to_owned());
        }
        Pools {
            rare,
            common,
            middle,
            prefixes,
        }
    }
}

/// One search of the mix.
#[derive(Debug, Clone)]
struct Query {
    /// Its index in [`CLASSES`].
    class: usize,
    /// What the user types.
    text: String,
}

/// `per_class` searches of each class, the classes taking turns; `from:`
/// names one of `users`, `in:` `#general` or one of `rooms`.
fn mix(
    pools: &Pools,
    vocabulary: &Vocabulary,
    per_class: usize,
    users: &[String],
    rooms: &[String],
) -> Vec<Query> {
    let mut random = XorShift(MIX_SEED);
    let mut queries = Vec::with_capacity(per_class * CLASSES.len());
    let pick =
        |pool: &[usize], random: &mut XorShift| pool[random.below(pool.len() as u64) as usize];
    let spell = |i: usize, random: &mut XorShift| {
        if random.below(2) == 0 {
            vocabulary.word(i).to_owned()
        } else {
            vocabulary.folded(i).to_owned()
        }
    };
    for _ in 0..per_class {
        for (class, &(kind, filter)) in CLASSES.iter().enumerate() {
            let mut text = match kind {
                Kind::Rare => spell(pick(&pools.rare, &mut random), &mut random),
                Kind::Common => spell(pick(&pools.common, &mut random), &mut random),
                Kind::Two => {
                    let first = random.below(pools.middle.len() as u64) as usize;
                    let other = 1 + random.below(pools.middle.len() as u64 - 1) as usize;
                    let second = (first + other) % pools.middle.len();
                    let first = spell(pools.middle[first], &mut random);
                    format!("{first} {}", spell(pools.middle[second], &mut random))
                }
                Kind::Prefix => {
                    let at = random.below(pools.prefixes.len() as u64) as usize;
                    format!("{}*", pools.prefixes[at])
                }
            };
            match filter {
                Filter::None => {}
                Filter::From => {
                    let user = &users[random.below(users.len() as u64) as usize];
                    text += &format!(" from:{user}");
                }
                Filter::In => {
                    let at = random.below(2 * rooms.len() as u64) as usize;
                    match rooms.get(at) {
                        Some(room) => text += &format!(" in:#{room}"),
                        None => text += " in:#general",
                    }
                }
            }
            queries.push(Query { class, text });
        }
    }
    queries
}

/// Keeps one user's searches under the server's limit.
struct Pacer {
    tokens: f64,
    at: Instant,
}

impl Pacer {
    fn new() -> Pacer {
        Pacer {
            tokens: PACE.0,
            at: Instant::now(),
        }
    }

    /// Waits until the user may search, and takes the search.
    fn take(&mut self) {
        let now = Instant::now();
        self.tokens = (self.tokens + (now - self.at).as_secs_f64() * PACE.1).min(PACE.0);
        self.at = now;
        if self.tokens < 1.0 {
            let wait = (1.0 - self.tokens) / PACE.1;
            thread::sleep(Duration::from_secs_f64(wait));
            self.tokens = 1.0;
            self.at = Instant::now();
        }
        self.tokens -= 1.0;
    }
}

/// The database's size, and its parts' (from SQLite's `dbstat`).
struct Sizes {
    file: u64,
    index: u64,
    events: u64,
    other: u64,
}

/// The store's database file in a data dir.
const DB_FILE: &str = "media-chat.db";

/// Reads the sizes of the database in `data_dir` (the server stopped).
fn database_sizes(data_dir: &Path) -> anyhow::Result<Sizes> {
    let path = data_dir.join(DB_FILE);
    let file = std::fs::metadata(&path)
        .with_context(|| format!("{}", path.display()))?
        .len();
    let db = rusqlite::Connection::open(&path)?;
    let mut statement = db.prepare(
        "SELECT coalesce(m.tbl_name, d.name), sum(d.pgsize) FROM dbstat d \
         LEFT JOIN sqlite_master m ON m.name = d.name GROUP BY 1",
    )?;
    let mut sizes = Sizes {
        file,
        index: 0,
        events: 0,
        other: 0,
    };
    let rows = statement.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (table, bytes) = row?;
        let bytes = u64::try_from(bytes).unwrap_or(0);
        if table.starts_with("search_index") {
            sizes.index += bytes;
        } else if table == "events" {
            sizes.events += bytes;
        } else {
            sizes.other += bytes;
        }
    }
    Ok(sizes)
}

/// Runs the scenario once.
pub fn run(env: &Env, args: Search) -> anyhow::Result<Report> {
    let users = args.users.clamp(1, seed::AUTHORS as usize);
    let room_messages = args.room_messages.min(args.messages);
    let user_names = names("h", users);
    let room_names = names("s", args.rooms.max(1));
    let place = env.scratch()?;
    let data = place.path().join("data");

    // Every text first, so that the mix knows how common each word is.
    let written = Instant::now();
    let mut texts = Texts::new(Vocabulary::new(vocabulary::SIZE), TEXT_SEED);
    let seeded = seed::write_log_texts(
        &data,
        args.messages - room_messages,
        &mut |t: &mut String| texts.fill(t),
    )?;
    let fillers = users.min(FILL_SENDERS);
    let mut posts: Vec<Vec<(Conversation, String)>> = vec![Vec::new(); fillers];
    let mut text = String::new();
    for m in 0..room_messages as usize {
        texts.fill(&mut text);
        let room = &room_names[(m / fillers + m) % room_names.len()];
        posts[m % fillers].push((Conversation::Room(room.clone()), text.clone()));
    }
    let write_s = written.elapsed().as_secs_f64();
    let pools = Pools::of(&texts);
    let queries = mix(
        &pools,
        texts.vocabulary(),
        args.queries.max(1),
        &user_names,
        &room_names,
    );

    let target = env.start_in(
        Setup {
            fast_hash: true,
            max_file_size: 10 << 20,
        },
        place.path(),
    )?;
    let import = target.boot;
    let listening = Instant::now();
    let connector = env.connector(&target)?;
    let mut problems = Problems::default();
    let common_word = texts.vocabulary().folded(pools.common[0]).to_owned();

    // The first search waits for the index to take in the import.
    let (mut first, welcome) = Session3::login(&connector, &user_names[0], None)?;
    if welcome.version < 3 {
        bail!(
            "the server does not speak version 3 (it answered HELLO|{})",
            welcome.version
        );
    }
    let catch_up = first.search("first", args.limit, &common_word)?;
    let index_ready = listening.elapsed();
    first.quit();

    // Everyone registers and is in every room.
    in_parallel(room_names.len(), env.concurrency, &|k| {
        let (mut session, _) = Session3::login(&connector, &user_names[k % users], None)?;
        session.create(&room_names[k])?;
        session.quit();
        Ok(())
    })?;
    in_parallel(users, env.concurrency, &|u| {
        let (mut session, _) = Session3::login(&connector, &user_names[u], None)?;
        for (k, room) in room_names.iter().enumerate() {
            if k % users != u {
                session.join(room)?;
            }
        }
        session.quit();
        Ok(())
    })?;
    let filling = Instant::now();
    in_parallel(fillers, fillers, &|j| {
        let (mut session, _) = Session3::login(&connector, &user_names[j], None)?;
        session.post_all(&posts[j], WINDOW)?;
        session.quit();
        Ok(())
    })?;
    let fill_s = filling.elapsed().as_secs_f64();
    let (mut second, _) = Session3::login(&connector, &user_names[0], None)?;
    let rooms_indexed = second.search("rooms", args.limit, &common_word)?;
    second.quit();

    // The mix, each worker with its own users.
    let workers = args.concurrency.clamp(1, users);
    let sessions = in_parallel(users, env.concurrency, &|u| {
        Ok(Session3::login(&connector, &user_names[u], None)?.0)
    })?;
    let mut groups: Vec<Vec<(Session3, Pacer)>> = (0..workers).map(|_| Vec::new()).collect();
    for (u, session) in sessions.into_iter().enumerate() {
        groups[u % workers].push((session, Pacer::new()));
    }
    let groups: Vec<Mutex<Vec<(Session3, Pacer)>>> = groups.into_iter().map(Mutex::new).collect();
    let quiet = target.sample();
    let cpu_before = own_cpu_secs();
    let started = Instant::now();
    let answers = in_parallel(workers, workers, &|w| {
        let mut group = lock(&groups[w]);
        let mut answers = Vec::new();
        for (n, i) in (w..queries.len()).step_by(workers).enumerate() {
            let at = n % group.len();
            let (session, pacer) = &mut group[at];
            pacer.take();
            answers.push((
                i,
                session.search(&format!("q{i}"), args.limit, &queries[i].text)?,
            ));
        }
        Ok(answers)
    })?;
    let wall = started.elapsed().as_secs_f64();
    let loadgen_s = own_cpu_secs() - cpu_before;
    let after = target.sample();
    for group in groups {
        for (session, _) in group.into_inner().unwrap_or_else(|e| e.into_inner()) {
            session.quit();
        }
    }
    let stop = target.stop();
    let sizes = database_sizes(&data)?;

    let mut mix_times = Histogram::default();
    let mut class_times = vec![Histogram::default(); CLASSES.len()];
    let mut results = vec![0u64; CLASSES.len()];
    for (i, searched) in answers.iter().flatten() {
        let query = &queries[*i];
        check(query, searched, args.limit, &mut problems);
        let micros = searched.took.as_micros() as u64;
        mix_times.record(micros);
        class_times[query.class].record(micros);
        results[query.class] += searched.results as u64;
    }

    let messages = seeded.events + room_messages;
    let mib = |bytes: u64| bytes as f64 / f64::from(1 << 20);
    let mut report = Report::new("search");
    report
        .set("transport", env.transport())
        .set("messages", messages)
        .set("imported_events", seeded.events)
        .set("room_messages", room_messages)
        .set("rooms", room_names.len())
        .set("vocabulary", texts.vocabulary().len())
        .set("users", users)
        .set("concurrency", workers)
        .set("limit", args.limit)
        .float("texts_s", write_s, 2)
        .float("import_s", import.as_secs_f64(), 2)
        .float("index_catch_up_s", catch_up.took.as_secs_f64(), 2)
        .float("index_ready_s", index_ready.as_secs_f64(), 2)
        .float("room_fill_s", fill_s, 2)
        .float(
            "room_fill_per_s",
            room_messages as f64 / fill_s.max(1e-9),
            0,
        )
        .float(
            "rooms_indexed_ms",
            rooms_indexed.took.as_secs_f64() * 1000.0,
            1,
        )
        .set("common_words", pools.common.len())
        .set("middle_words", pools.middle.len())
        .set("rare_words", pools.rare.len())
        .set("prefixes", pools.prefixes.len())
        .latency("mix", &mix_times)
        .float(
            "searches_per_s",
            mix_times.count() as f64 / wall.max(1e-9),
            0,
        );
    for (class, times) in class_times.iter().enumerate() {
        let name = class_name(CLASSES[class]);
        report.latency(&name, times).float(
            &format!("{name}_results"),
            results[class] as f64 / times.count().max(1) as f64,
            1,
        );
    }
    if let (Some(quiet), Some(after)) = (quiet, after) {
        report.float(
            "server_cpu_ms_per_search",
            (after.cpu_secs - quiet.cpu_secs) * 1000.0 / mix_times.count().max(1) as f64,
            3,
        );
        report.float("server_peak_rss_mib", after.hwm_kib as f64 / 1024.0, 1);
    }
    report.float("loadgen_cpu_s", loadgen_s, 2).float(
        "loadgen_cores",
        loadgen_s / wall.max(1e-9),
        2,
    );
    report
        .float("db_mib", mib(sizes.file), 1)
        .float("index_mib", mib(sizes.index), 1)
        .float("events_mib", mib(sizes.events), 1)
        .float("other_mib", mib(sizes.other), 1)
        .float(
            "index_bytes_per_message",
            sizes.index as f64 / messages.max(1) as f64,
            1,
        )
        .float("log_mib", mib(seeded.bytes), 1)
        .float("stop_s", stop.as_secs_f64(), 3);
    let (p50, p99) = (mix_times.quantile(0.5), mix_times.quantile(0.99));
    if p50 >= 10_000 || p99 >= 100_000 {
        let slow: Vec<String> = class_times
            .iter()
            .enumerate()
            .filter(|(_, t)| t.quantile(0.99) >= 100_000)
            .map(|(c, t)| format!("{} {} ms", class_name(CLASSES[c]), t.quantile(0.99) / 1000))
            .collect();
        report.note(format!(
            "over the targets (p50 < 10 ms, p99 < 100 ms): p50 {} ms, p99 {} ms; p99 over 100 ms: {}",
            p50 / 1000,
            p99 / 1000,
            slow.join(", ")
        ));
    }
    if crate::scenario::fanout::target_shared(env) {
        report.note("in-process server: CPU and memory include the load generator");
    }
    problems.finish(&mut report);
    Ok(report)
}

/// Records what is wrong with the answer to `query`.
fn check(query: &Query, searched: &Searched, limit: u64, problems: &mut Problems) {
    if let Some(reason) = &searched.failed {
        problems.add(format!("{:?} was refused: {reason}", query.text));
    } else if searched.results as u64 > limit {
        problems.add(format!(
            "{:?} found {} results, more than {limit}",
            query.text, searched.results
        ));
    } else if CLASSES[query.class] == (Kind::Common, Filter::None)
        && (searched.results as u64 != limit || !searched.more)
    {
        problems.add(format!(
            "{:?} found {} results (more: {}), not {limit} and more",
            query.text, searched.results, searched.more
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use media_chat_protocol::{SearchQuery, Term};

    #[test]
    fn the_mix_takes_turns_with_every_class_as_it_says() {
        let mut texts = Texts::new(Vocabulary::new(vocabulary::SIZE), TEXT_SEED);
        let mut text = String::new();
        for _ in 0..20_000 {
            texts.fill(&mut text);
        }
        let pools = Pools::of(&texts);
        assert!(
            !pools.common.is_empty() && pools.middle.len() > 10,
            "{pools:?}"
        );
        assert!(pools.rare.len() > 1000 && !pools.prefixes.is_empty());
        for &i in &pools.common {
            let share = texts.holding(i) as f64 / 20_000.0;
            assert!((0.07..0.14).contains(&share), "{share}");
        }
        let users = names("h", 3);
        let rooms = names("s", 2);
        let queries = mix(&pools, texts.vocabulary(), 20, &users, &rooms);
        assert_eq!(queries.len(), 20 * CLASSES.len());
        let (mut general, mut spelled) = (0, 0);
        for (n, query) in queries.iter().enumerate() {
            assert_eq!(query.class, n % CLASSES.len());
            let (kind, filter) = CLASSES[query.class];
            let parsed = SearchQuery::parse(&query.text).unwrap();
            let terms = match kind {
                Kind::Two => 2,
                _ => 1,
            };
            assert_eq!(parsed.terms.len(), terms, "{}", query.text);
            if kind == Kind::Prefix {
                assert!(
                    matches!(&parsed.terms[0], Term::Prefix(p) if p.chars().count() == 3),
                    "{}",
                    query.text
                );
            }
            assert_eq!(parsed.from.is_some(), filter == Filter::From);
            assert_eq!(parsed.conversation.is_some(), filter == Filter::In);
            if let Some(from) = &parsed.from {
                assert!(users.contains(from));
            }
            match parsed.conversation {
                Some(c) if c == Conversation::general() => general += 1,
                Some(Conversation::Room(room)) => assert!(rooms.contains(&room)),
                Some(other) => panic!("in:{other}"),
                None => {}
            }
            spelled += usize::from(!query.text.is_ascii());
        }
        assert!((20..60).contains(&general), "{general} of 80 in #general");
        assert!(spelled > 20, "{spelled} written with diacritics");
        assert_eq!(
            queries.iter().map(|q| &q.text).collect::<Vec<_>>(),
            mix(&pools, texts.vocabulary(), 20, &users, &rooms)
                .iter()
                .map(|q| &q.text)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn class_names_say_the_kind_and_the_filter() {
        let all: Vec<String> = CLASSES.into_iter().map(class_name).collect();
        assert_eq!(all[0], "rare");
        assert_eq!(all[4], "common_from");
        assert_eq!(all[11], "prefix_in");
        assert_eq!(all.iter().collect::<BTreeSet<_>>().len(), 12);
    }
}
