//! Progress bars for transfers, on stderr and only when it is a terminal,
//! so piped output stays one event per line.

use std::collections::HashMap;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use media_chat_client::{Direction, TransferId};

/// The bars of running transfers.
pub struct Bars {
    multi: MultiProgress,
    bars: HashMap<TransferId, ProgressBar>,
}

impl Bars {
    /// Bars drawn on stderr (indicatif draws nothing when stderr is not a
    /// terminal).
    pub fn new() -> Self {
        Bars {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            bars: HashMap::new(),
        }
    }

    /// Prints a line to stdout without tearing the bars.
    pub fn println(&self, line: &str) {
        self.multi.suspend(|| println!("{line}"));
    }

    /// Runs `f` (a prompt, say) with the bars out of the way.
    pub fn suspend(&self, f: impl FnOnce()) {
        self.multi.suspend(f);
    }

    /// Moves a transfer's bar, creating it on first progress.
    pub fn update(
        &mut self,
        id: TransferId,
        direction: Direction,
        name: &str,
        done: u64,
        total: u64,
    ) {
        let multi = &self.multi;
        let bar = self.bars.entry(id).or_insert_with(|| {
            let bar = multi.add(ProgressBar::new(total));
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            let arrow = match direction {
                Direction::Upload => "↑",
                Direction::Download => "↓",
            };
            bar.set_prefix(format!("{arrow} {name}"));
            bar
        });
        bar.set_position(done);
    }

    /// Removes a finished transfer's bar.
    pub fn finish(&mut self, id: TransferId) {
        if let Some(bar) = self.bars.remove(&id) {
            bar.finish_and_clear();
            self.multi.remove(&bar);
        }
    }
}
