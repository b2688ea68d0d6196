//! Counting what arrived: a latency histogram and per-sender sequence
//! tracking (lost, duplicated, reordered).

/// Sub-buckets per power of two: values are kept to 1/64 (about 1.6 %).
const SUB_BITS: u32 = 6;
const SUB: usize = 1 << SUB_BITS;
const BUCKETS: usize = (64 - SUB_BITS as usize + 1) * SUB;

/// A log-linear histogram of non-negative integers (microseconds here), in
/// the manner of HdrHistogram: exact below 64, then 64 buckets per power of
/// two. Recording is one index computation and one increment.
#[derive(Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; BUCKETS],
            total: 0,
            max: 0,
        }
    }
}

impl Histogram {
    /// Adds one value.
    pub fn record(&mut self, value: u64) {
        self.counts[index(value)] += 1;
        self.total += 1;
        self.max = self.max.max(value);
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    /// How many values were recorded.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The largest value recorded (exact).
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The value at quantile `q` (0..=1), to the bucket's precision; never
    /// more than the maximum. 0 when empty.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, &count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return bucket_top(i).min(self.max);
            }
        }
        self.max
    }
}

fn index(value: u64) -> usize {
    if value < SUB as u64 {
        return value as usize;
    }
    let exp = 63 - value.leading_zeros();
    let shift = exp - SUB_BITS;
    let sub = ((value >> shift) as usize) & (SUB - 1);
    (shift as usize + 1) * SUB + sub
}

/// The largest value that falls in bucket `i`.
fn bucket_top(i: usize) -> u64 {
    if i < SUB {
        return i as u64;
    }
    let shift = (i / SUB - 1) as u32;
    let low = ((SUB + i % SUB) as u64) << shift;
    low + (1u64 << shift) - 1
}

/// What one receiver saw from one sender: a bit per sequence number.
#[derive(Default, Clone)]
pub struct SeqTrack {
    seen: Vec<u64>,
    highest: Option<u64>,
    /// Distinct sequence numbers received.
    pub distinct: u64,
    /// Sequence numbers received more than once (each extra copy counts).
    pub duplicated: u64,
    /// Messages that arrived after a higher sequence number.
    pub reordered: u64,
}

impl SeqTrack {
    /// Records sequence number `seq`; returns whether it was new.
    pub fn record(&mut self, seq: u64) -> bool {
        let (word, bit) = ((seq / 64) as usize, seq % 64);
        if self.seen.len() <= word {
            self.seen.resize(word + 1, 0);
        }
        if self.seen[word] & (1 << bit) != 0 {
            self.duplicated += 1;
            return false;
        }
        self.seen[word] |= 1 << bit;
        self.distinct += 1;
        match self.highest {
            Some(high) if seq < high => self.reordered += 1,
            _ => self.highest = Some(seq),
        }
        true
    }
}

/// Loss and order counts summed over receivers.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Integrity {
    /// Messages a receiver should have got and did not.
    pub lost: u64,
    /// Extra copies received.
    pub duplicated: u64,
    /// Messages received after a later message from the same sender.
    pub reordered: u64,
    /// Messages a receiver got that were not for it (from a conversation
    /// it is not in).
    pub misdelivered: u64,
}

impl Integrity {
    /// How `got` (event ids as received) differs from `expected` (the ids
    /// that should have come, in order): ids missing, ids received more
    /// than once, and ids received after a higher one.
    pub fn of_ids(expected: &[u64], got: &[u64]) -> Integrity {
        let mut seen = std::collections::HashSet::new();
        let mut integrity = Integrity::default();
        let mut highest = 0;
        for &id in got {
            if !seen.insert(id) {
                integrity.duplicated += 1;
            } else if id < highest {
                integrity.reordered += 1;
            }
            highest = highest.max(id);
        }
        integrity.lost = expected.iter().filter(|id| !seen.contains(id)).count() as u64;
        integrity
    }

    /// Adds `other`'s counts.
    pub fn add(&mut self, other: Integrity) {
        self.lost += other.lost;
        self.duplicated += other.duplicated;
        self.reordered += other.reordered;
        self.misdelivered += other.misdelivered;
    }
}

/// Summary of a list of durations in microseconds: p50, p99 and max.
pub fn percentiles(values: &mut [u64]) -> (u64, u64, u64) {
    if values.is_empty() {
        return (0, 0, 0);
    }
    values.sort_unstable();
    let at = |q: f64| {
        let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
        values[rank - 1]
    };
    (at(0.5), at(0.99), values[values.len() - 1])
}

/// The median of a few measurements (the middle one, or the lower middle).
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    values[(values.len() - 1) / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_lists_are_compared_for_loss_duplicates_and_order() {
        let same = Integrity::of_ids(&[1, 2, 3], &[1, 2, 3]);
        assert_eq!(same, Integrity::default());
        let bad = Integrity::of_ids(&[1, 2, 3, 4], &[1, 3, 3, 2, 9]);
        assert_eq!(
            bad,
            Integrity {
                lost: 1,
                duplicated: 1,
                reordered: 1,
                misdelivered: 0
            }
        );
    }

    #[test]
    fn histogram_quantiles_are_within_the_bucket_precision() {
        let mut h = Histogram::default();
        for v in 1..=10_000u64 {
            h.record(v);
        }
        for (q, exact) in [(0.5, 5_000.0), (0.99, 9_900.0), (0.999, 9_990.0)] {
            let got = h.quantile(q) as f64;
            assert!((got - exact).abs() / exact < 0.02, "q{q}: {got} vs {exact}");
        }
        assert_eq!(h.quantile(1.0), 10_000);
        assert_eq!(h.max(), 10_000);
        assert_eq!(h.count(), 10_000);
        let mut small = Histogram::default();
        small.record(3);
        assert_eq!(small.quantile(0.5), 3);
        assert_eq!(Histogram::default().quantile(0.99), 0);
    }

    #[test]
    fn bucket_tops_bound_their_values() {
        for v in [0u64, 63, 64, 65, 127, 128, 1_000, 123_456, u64::MAX / 3] {
            let top = bucket_top(index(v));
            assert!(
                top >= v && (top - v) as f64 <= v as f64 / 63.0,
                "{v} -> {top}"
            );
        }
    }

    #[test]
    fn sequence_tracking_counts_duplicates_and_reordering() {
        let mut t = SeqTrack::default();
        for seq in [0, 1, 3, 2, 3, 4, 200] {
            t.record(seq);
        }
        assert_eq!(t.distinct, 6);
        assert_eq!(t.duplicated, 1);
        assert_eq!(t.reordered, 1);
    }
}
