//! Who blocks whom, in memory for the check every direct message makes;
//! the store keeps it (see `preference_commands`).

use std::collections::HashSet;

use parking_lot::RwLock;

/// Every block, as `(blocker's key, blocked's key)`.
pub(crate) struct Blocks {
    pairs: RwLock<HashSet<(String, String)>>,
}

impl Blocks {
    /// The blocks the store holds.
    pub(crate) fn new(pairs: Vec<(String, String)>) -> Self {
        Blocks {
            pairs: RwLock::new(pairs.into_iter().collect()),
        }
    }

    /// Whether the user with key `by` blocks the one with key `user`.
    pub(crate) fn blocks(&self, by: &str, user: &str) -> bool {
        self.pairs
            .read()
            .contains(&(by.to_owned(), user.to_owned()))
    }

    /// Records that `by` blocks (`on`) or no longer blocks `user` (keys).
    pub(crate) fn set(&self, by: &str, user: &str, on: bool) {
        let pair = (by.to_owned(), user.to_owned());
        let mut pairs = self.pairs.write();
        if on {
            pairs.insert(pair);
        } else {
            pairs.remove(&pair);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_is_one_way_and_can_be_lifted() {
        let blocks = Blocks::new(vec![("an".into(), "bình".into())]);
        assert!(blocks.blocks("an", "bình"));
        assert!(!blocks.blocks("bình", "an"));
        blocks.set("an", "bình", false);
        assert!(!blocks.blocks("an", "bình"));
        blocks.set("bình", "an", true);
        assert!(blocks.blocks("bình", "an"));
    }
}
