//! A scenario's results: printed as a two-column table for people, or as
//! one JSON object per line with `--json`.

use serde_json::{Map, Value};

use crate::stats::{Histogram, Integrity};
use crate::target::ProcSample;

/// What went wrong in a run: each must be 0 for the run to count.
const COUNTS: [&str; 5] = [
    "lost",
    "duplicated",
    "reordered",
    "misdelivered",
    "failures",
];

/// Named results in the order they were added.
pub struct Report {
    fields: Map<String, Value>,
    notes: Vec<String>,
}

impl Report {
    /// A report for `scenario`.
    pub fn new(scenario: &str) -> Report {
        let mut fields = Map::new();
        fields.insert("scenario".into(), scenario.into());
        Report {
            fields,
            notes: Vec::new(),
        }
    }

    /// The fields so far.
    pub fn fields(&self) -> &Map<String, Value> {
        &self.fields
    }

    /// Adds a field.
    pub fn set(&mut self, key: &str, value: impl Into<Value>) -> &mut Self {
        self.fields.insert(key.into(), value.into());
        self
    }

    /// Adds a float rounded to `digits` decimals.
    pub fn float(&mut self, key: &str, value: f64, digits: i32) -> &mut Self {
        let scale = 10f64.powi(digits);
        self.set(key, (value * scale).round() / scale)
    }

    /// Adds `<prefix>_samples`, `_p50_ms`, `_p90_ms`, `_p99_ms`, `_p999_ms`
    /// and `_max_ms`.
    pub fn latency(&mut self, prefix: &str, h: &Histogram) -> &mut Self {
        let ms = |us: u64| us as f64 / 1000.0;
        self.set(&format!("{prefix}_samples"), h.count());
        self.float(&format!("{prefix}_p50_ms"), ms(h.quantile(0.5)), 3);
        self.float(&format!("{prefix}_p90_ms"), ms(h.quantile(0.9)), 3);
        self.float(&format!("{prefix}_p99_ms"), ms(h.quantile(0.99)), 3);
        self.float(&format!("{prefix}_p999_ms"), ms(h.quantile(0.999)), 3);
        self.float(&format!("{prefix}_max_ms"), ms(h.max()), 3)
    }

    /// Adds `lost`, `duplicated`, `reordered` and `misdelivered`.
    pub fn integrity(&mut self, integrity: Integrity) -> &mut Self {
        self.set("lost", integrity.lost);
        self.set("duplicated", integrity.duplicated);
        self.set("reordered", integrity.reordered);
        self.set("misdelivered", integrity.misdelivered)
    }

    /// Adds the server's CPU seconds between two samples, its threads and
    /// memory at `after`.
    pub fn server(&mut self, before: Option<ProcSample>, after: Option<ProcSample>) -> &mut Self {
        if let (Some(before), Some(after)) = (before, after) {
            self.float("server_cpu_s", after.cpu_secs - before.cpu_secs, 2);
            self.set("server_threads", after.threads);
            self.float("server_rss_mib", after.rss_kib as f64 / 1024.0, 1);
            self.float("server_peak_rss_mib", after.hwm_kib as f64 / 1024.0, 1);
        }
        self
    }

    /// Takes in the report of one part of a run: its numbers under
    /// `<prefix>_<key>`, its counts of what went wrong (`lost`, …,
    /// `failures`) added to this report's own, its notes prefixed.
    pub fn absorb(&mut self, prefix: &str, part: &Report) {
        for (key, value) in &part.fields {
            if COUNTS.contains(&key.as_str()) {
                let mine = self.fields.get(key).and_then(Value::as_u64).unwrap_or(0);
                let theirs = value.as_u64().unwrap_or(0);
                self.set(key, mine + theirs);
            } else if value.is_number() {
                self.set(&format!("{prefix}_{key}"), value.clone());
            }
        }
        for note in &part.notes {
            self.notes.push(format!("{prefix}: {note}"));
        }
    }

    /// A free-text remark printed under the table (and kept in the JSON).
    pub fn note(&mut self, note: impl Into<String>) -> &mut Self {
        self.notes.push(note.into());
        self
    }

    /// Whether the run counts as correct: nothing lost, duplicated,
    /// reordered or misdelivered, and no failure recorded.
    pub fn ok(&self) -> bool {
        let zero = |key: &str| self.fields.get(key).and_then(Value::as_u64).unwrap_or(0) == 0;
        COUNTS.into_iter().all(zero)
    }

    /// Prints the report.
    pub fn print(&mut self, json: bool) {
        let ok = self.ok();
        self.set("ok", ok);
        if !self.notes.is_empty() {
            let notes = self.notes.clone();
            self.set("notes", notes);
        }
        if json {
            println!("{}", Value::Object(self.fields.clone()));
            return;
        }
        let width = self.fields.keys().map(String::len).max().unwrap_or(0);
        for (key, value) in &self.fields {
            if key == "notes" {
                continue;
            }
            let shown = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            println!("  {key:<width$}  {shown}");
        }
        for note in &self.notes {
            println!("  note: {note}");
        }
        println!();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_adds_its_numbers_under_a_prefix_and_its_failures_to_the_whole() {
        let mut part = Report::new("idle");
        part.set("clients", 1000u64)
            .float("login_wall_s", 1.25, 2)
            .set("transport", "plaintext")
            .set("lost", 2u64)
            .set("failures", 1u64)
            .note("slow");
        let mut whole = Report::new("idle");
        whole.set("failures", 1u64);
        whole.absorb("c1000", &part);
        let fields = whole.fields();
        assert_eq!(fields["c1000_clients"], 1000);
        assert_eq!(fields["c1000_login_wall_s"], 1.25);
        assert!(!fields.contains_key("c1000_transport"));
        assert_eq!(fields["lost"], 2);
        assert_eq!(fields["failures"], 2);
        assert!(!whole.ok());
        assert_eq!(whole.notes, ["c1000: slow"]);
    }

    #[test]
    fn a_misdelivered_message_fails_the_run() {
        let mut report = Report::new("rooms");
        report.integrity(Integrity::default());
        assert!(report.ok());
        report.integrity(Integrity {
            misdelivered: 1,
            ..Integrity::default()
        });
        assert!(!report.ok());
    }
}
