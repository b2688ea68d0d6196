//! Message texts for the `search` scenario: words drawn from a
//! Zipf-distributed vocabulary of Vietnamese (with its diacritics) and
//! English, the way words are spread in real chat: a few words in most
//! messages, a long tail of words in a handful.
//!
//! The vocabulary is [`HEAD`], common words in a rough order of
//! frequency, then generated words standing in for the long tail (names,
//! slang, typos, rare words): Vietnamese syllables with a tone, alone or
//! joined in twos, and English stems with affixes. Every word folds
//! (no case, no diacritics, as the server's search does) to a form no
//! other word has, so the number of messages that hold a word is the
//! number the index holds for its folded term, and [`Texts`] counts it as
//! it writes, to pick the queries' words by how common they are.
//!
//! Everything is deterministic: the same vocabulary and the same texts for
//! the same seed, so runs are comparable.

use std::collections::HashSet;

use media_chat_protocol::fold::fold;

use crate::seed::XorShift;

/// The vocabulary's size, common words and generated tail together.
pub const SIZE: usize = 50_000;

/// The exponent of the Zipf law: the word of rank `r` is drawn with a
/// probability proportional to `1 / r^EXPONENT`.
const EXPONENT: f64 = 1.0;

/// Words in a message: 2 to 20, evenly.
const WORDS: (u64, u64) = (2, 20);

/// Common words, the most frequent first, Vietnamese and English mixed.
/// No two fold to the same form (`có` and `cô` would both be `co`).
const HEAD: [&str; 179] = [
    "và",
    "là",
    "the",
    "không",
    "có",
    "được",
    "to",
    "người",
    "của",
    "cho",
    "you",
    "này",
    "is",
    "một",
    "mình",
    "bạn",
    "it",
    "anh",
    "em",
    "những",
    "với",
    "and",
    "trong",
    "đã",
    "thì",
    "để",
    "chị",
    "gì",
    "we",
    "nhé",
    "rồi",
    "chưa",
    "làm",
    "đi",
    "về",
    "this",
    "nói",
    "biết",
    "thấy",
    "cũng",
    "khi",
    "nào",
    "ở",
    "ra",
    "that",
    "vào",
    "lại",
    "còn",
    "đến",
    "sẽ",
    "phải",
    "muốn",
    "tôi",
    "nhiều",
    "ok",
    "hôm",
    "mai",
    "ngày",
    "giờ",
    "chào",
    "bài",
    "tập",
    "học",
    "lớp",
    "giáo",
    "nộp",
    "Đăng",
    "xong",
    "sáng",
    "chiều",
    "build",
    "test",
    "ăn",
    "cơm",
    "nhà",
    "trường",
    "việc",
    "công",
    "ty",
    "họp",
    "gửi",
    "file",
    "đọc",
    "xem",
    "hỏi",
    "trả",
    "vui",
    "buồn",
    "đẹp",
    "tốt",
    "hay",
    "mới",
    "thanks",
    "please",
    "cũ",
    "nhanh",
    "chậm",
    "tiền",
    "mua",
    "quán",
    "cà",
    "phê",
    "nước",
    "điện",
    "thoại",
    "máy",
    "tính",
    "mạng",
    "lỗi",
    "sửa",
    "chạy",
    "dự",
    "kế",
    "hoạch",
    "tuần",
    "tháng",
    "năm",
    "Hà",
    "Sài",
    "Gòn",
    "Huế",
    "Nẵng",
    "Việt",
    "bóng",
    "phim",
    "nhạc",
    "sinh",
    "nhật",
    "quà",
    "bánh",
    "mì",
    "phở",
    "bún",
    "chả",
    "đó",
    "meeting",
    "lunch",
    "today",
    "tomorrow",
    "yes",
    "done",
    "fix",
    "bug",
    "merge",
    "review",
    "code",
    "release",
    "issue",
    "branch",
    "green",
    "again",
    "see",
    "later",
    "call",
    "send",
    "check",
    "update",
    "time",
    "good",
    "new",
    "now",
    "just",
    "will",
    "what",
    "when",
    "how",
    "team",
    "project",
    "chat",
    "search",
    "coffee",
    "weekend",
    "morning",
    "happy",
    "birthday",
    "photo",
    "link",
    "laptop",
    "phone",
];

/// Onsets of the generated Vietnamese syllables.
const ONSETS: [&str; 25] = [
    "", "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "nh", "ph", "qu",
    "r", "s", "t", "th", "tr", "v", "x",
];

/// Rhymes of the generated Vietnamese syllables, without their tone.
const RHYMES: [&str; 60] = [
    "a", "ai", "am", "an", "ang", "anh", "ao", "at", "ay", "ac", "ăn", "ăm", "ăng", "âm", "ân",
    "âu", "ây", "e", "em", "en", "eo", "ê", "ên", "ênh", "êu", "i", "ia", "im", "in", "inh", "iêu",
    "iên", "o", "oa", "oai", "oan", "oi", "om", "on", "ong", "ô", "ôi", "ôm", "ông", "ơ", "ơi",
    "ơn", "u", "ui", "un", "ung", "uy", "uyên", "ư", "ưa", "ưng", "ươi", "ương", "ươc", "ưu",
];

/// Each vowel with its six tones (level, grave, acute, hook, tilde, dot).
const TONES: [[char; 6]; 12] = [
    ['a', 'à', 'á', 'ả', 'ã', 'ạ'],
    ['ă', 'ằ', 'ắ', 'ẳ', 'ẵ', 'ặ'],
    ['â', 'ầ', 'ấ', 'ẩ', 'ẫ', 'ậ'],
    ['e', 'è', 'é', 'ẻ', 'ẽ', 'ẹ'],
    ['ê', 'ề', 'ế', 'ể', 'ễ', 'ệ'],
    ['i', 'ì', 'í', 'ỉ', 'ĩ', 'ị'],
    ['o', 'ò', 'ó', 'ỏ', 'õ', 'ọ'],
    ['ô', 'ồ', 'ố', 'ổ', 'ỗ', 'ộ'],
    ['ơ', 'ờ', 'ớ', 'ở', 'ỡ', 'ợ'],
    ['u', 'ù', 'ú', 'ủ', 'ũ', 'ụ'],
    ['ư', 'ừ', 'ứ', 'ử', 'ữ', 'ự'],
    ['y', 'ỳ', 'ý', 'ỷ', 'ỹ', 'ỵ'],
];

/// Stems, prefixes and suffixes of the generated English words.
const STEMS: [&str; 40] = [
    "play", "load", "port", "form", "work", "read", "write", "sync", "mark", "view", "pack",
    "host", "scan", "sort", "store", "track", "chart", "patch", "print", "parse", "frame", "route",
    "shift", "trace", "watch", "queue", "cache", "stream", "render", "commit", "deploy", "shape",
    "point", "count", "light", "sound", "plan", "draw", "stack", "ship",
];
const PREFIXES: [&str; 8] = ["", "re", "un", "pre", "over", "sub", "auto", "multi"];
const SUFFIXES: [&str; 8] = ["", "s", "ed", "ing", "er", "able", "less", "ness"];

/// The words, in order of rank, and the law they are drawn by.
pub struct Vocabulary {
    words: Vec<String>,
    folded: Vec<String>,
    /// `cumulative[r]`: the probability of drawing a word of rank `r` or
    /// better.
    cumulative: Vec<f64>,
}

impl Vocabulary {
    /// [`HEAD`] and generated words up to `size` in all (at least the
    /// head), the same every time.
    pub fn new(size: usize) -> Vocabulary {
        let mut random = XorShift(0x00C0_FFEE_D00D_F00D);
        let mut seen = HashSet::new();
        let (mut words, mut folded) = (Vec::with_capacity(size), Vec::with_capacity(size));
        let mut add = |word: String, words: &mut Vec<String>, folded: &mut Vec<String>| {
            let key = fold(&word);
            if seen.insert(key.clone()) {
                words.push(word);
                folded.push(key);
            }
        };
        for word in HEAD {
            add(word.to_owned(), &mut words, &mut folded);
        }
        while words.len() < size {
            let word = match random.below(4) {
                0 => syllable(&mut random),
                1 => syllable(&mut random) + &syllable(&mut random),
                2 => {
                    let prefix = PREFIXES[random.below(8) as usize];
                    let stem = STEMS[random.below(40) as usize];
                    format!("{prefix}{stem}{}", SUFFIXES[random.below(8) as usize])
                }
                _ => {
                    let first = STEMS[random.below(40) as usize];
                    let second = STEMS[random.below(40) as usize];
                    format!("{first}{second}{}", SUFFIXES[random.below(8) as usize])
                }
            };
            add(word, &mut words, &mut folded);
        }
        let mut cumulative = Vec::with_capacity(words.len());
        let mut sum = 0.0;
        for rank in 1..=words.len() {
            sum += 1.0 / (rank as f64).powf(EXPONENT);
            cumulative.push(sum);
        }
        for c in &mut cumulative {
            *c /= sum;
        }
        Vocabulary {
            words,
            folded,
            cumulative,
        }
    }

    /// How many words there are.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// The word of rank `i` (0 the most common), as people write it.
    pub fn word(&self, i: usize) -> &str {
        &self.words[i]
    }

    /// The word of rank `i` folded, as the index holds it.
    pub fn folded(&self, i: usize) -> &str {
        &self.folded[i]
    }

    /// A word's rank, drawn by the Zipf law.
    pub fn draw(&self, random: &mut XorShift) -> usize {
        let u = (random.next() >> 11) as f64 / (1u64 << 53) as f64;
        self.cumulative
            .partition_point(|&c| c < u)
            .min(self.words.len() - 1)
    }
}

/// A Vietnamese syllable with one of the six tones on its main vowel.
fn syllable(random: &mut XorShift) -> String {
    let onset = ONSETS[random.below(ONSETS.len() as u64) as usize];
    let rhyme: Vec<char> = RHYMES[random.below(RHYMES.len() as u64) as usize]
        .chars()
        .collect();
    let tone = random.below(6) as usize;
    let row = |c: char| TONES.iter().position(|row| row[0] == c);
    let vowels: Vec<usize> = (0..rhyme.len())
        .filter(|&i| row(rhyme[i]).is_some())
        .collect();
    // The tone sits on a vowel with a hat, horn or breve (the last one:
    // "ươ" takes it on "ơ"); else on the last vowel before a final
    // consonant; else on the first of two vowels, but the second of
    // "oa", "oe" and "uy".
    let marked = vowels
        .iter()
        .rev()
        .find(|&&i| "ăâêôơư".contains(rhyme[i]))
        .copied()
        .or_else(|| {
            let last = *vowels.last()?;
            if last + 1 < rhyme.len() || vowels.len() == 1 {
                return Some(last);
            }
            let pair: String = rhyme.iter().collect();
            Some(if ["oa", "oe", "uy"].contains(&pair.as_str()) {
                last
            } else {
                vowels[0]
            })
        });
    let mut out = String::from(onset);
    for (i, &c) in rhyme.iter().enumerate() {
        match (Some(i) == marked).then(|| row(c)).flatten() {
            Some(r) => out.push(TONES[r][tone]),
            None => out.push(c),
        }
    }
    out
}

/// Writes message texts and counts, for every word, the messages that
/// hold it.
pub struct Texts {
    vocabulary: Vocabulary,
    random: XorShift,
    /// Messages holding each word.
    holding: Vec<u32>,
    /// The last message (counted from 1) that counted each word.
    last: Vec<u32>,
    messages: u32,
}

impl Texts {
    /// Texts from `vocabulary`, the same for the same `seed`.
    pub fn new(vocabulary: Vocabulary, seed: u64) -> Texts {
        let n = vocabulary.len();
        Texts {
            vocabulary,
            random: XorShift(seed | 1),
            holding: vec![0; n],
            last: vec![0; n],
            messages: 0,
        }
    }

    /// Replaces `text` with the next message: 2 to 20 words, the first
    /// capitalised every other time.
    pub fn fill(&mut self, text: &mut String) {
        text.clear();
        self.messages += 1;
        let count = WORDS.0 + self.random.below(WORDS.1 - WORDS.0 + 1);
        let capital = self.random.below(2) == 0;
        for n in 0..count {
            let rank = self.vocabulary.draw(&mut self.random);
            if self.last[rank] != self.messages {
                self.last[rank] = self.messages;
                self.holding[rank] += 1;
            }
            let word = self.vocabulary.word(rank);
            if n > 0 {
                text.push(' ');
                text.push_str(word);
            } else if capital {
                let mut chars = word.chars();
                text.extend(chars.next().into_iter().flat_map(char::to_uppercase));
                text.push_str(chars.as_str());
            } else {
                text.push_str(word);
            }
        }
    }

    /// Messages written so far.
    pub fn messages(&self) -> u64 {
        u64::from(self.messages)
    }

    /// How many of them hold the word of rank `i`.
    pub fn holding(&self, i: usize) -> u64 {
        u64::from(self.holding[i])
    }

    /// The words.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_folds_to_distinct_forms() {
        let folded: HashSet<String> = HEAD.iter().map(|w| fold(w)).collect();
        assert_eq!(folded.len(), HEAD.len());
    }

    #[test]
    fn the_vocabulary_is_the_same_every_time_and_folds_apart() {
        let (a, b) = (Vocabulary::new(5000), Vocabulary::new(5000));
        assert_eq!(a.len(), 5000);
        assert_eq!(a.words, b.words);
        let folded: HashSet<&str> = (0..a.len()).map(|i| a.folded(i)).collect();
        assert_eq!(folded.len(), a.len());
        assert_eq!(a.word(66), "Đăng");
        assert_eq!(a.folded(66), "dang");
        let accented = (HEAD.len()..a.len())
            .filter(|&i| a.word(i) != a.folded(i))
            .count();
        assert!(
            accented > 1000,
            "{accented} generated words with diacritics"
        );
    }

    #[test]
    fn syllables_carry_their_tone_where_vietnamese_puts_it() {
        let mut random = XorShift(7);
        let all: Vec<String> = (0..2000).map(|_| syllable(&mut random)).collect();
        assert!(
            all.iter()
                .any(|s| s.ends_with("ường") || s.ends_with("ưởng"))
        );
        for s in &all {
            let toned = s
                .chars()
                .filter(|c| TONES.iter().any(|row| row[1..].contains(c)));
            assert!(toned.count() <= 1, "{s}");
        }
    }

    #[test]
    fn words_are_spread_by_the_zipf_law() {
        let mut texts = Texts::new(Vocabulary::new(SIZE), 42);
        let mut text = String::new();
        let mut tokens = 0;
        for _ in 0..20_000 {
            texts.fill(&mut text);
            tokens += text.split(' ').count();
        }
        assert_eq!(texts.messages(), 20_000);
        // With 11 words a message, the top word is in most messages, the
        // tenth in about one in ten.
        let share = |i| texts.holding(i) as f64 / 20_000.0;
        assert!(share(0) > 0.5, "{}", share(0));
        assert!((0.06..0.16).contains(&share(9)), "{}", share(9));
        assert!(share(20_000) < 0.001);
        assert!((200_000..240_000).contains(&tokens), "{tokens}");
        let mut again = Texts::new(Vocabulary::new(SIZE), 42);
        let mut first = String::new();
        again.fill(&mut first);
        assert_ne!(first, text);
        let mut other = Texts::new(Vocabulary::new(SIZE), 42);
        let mut same = String::new();
        other.fill(&mut same);
        assert_eq!(first, same);
    }
}
