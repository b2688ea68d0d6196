//! How the pane sets rows out among their neighbours: consecutive messages
//! of one sender form a group whose name is shown once, and a day
//! separator comes before the first row of each day. Plain data, decided
//! from the row and the one before it, so the pane works it out for the
//! rows in view only.

use chrono::NaiveDate;
use media_chat_client::{Body, Conversation, Message, same};

use crate::state::Row;

/// A pause this long (or longer) between two messages of one sender starts
/// a new group.
pub const GROUP_GAP_SECS: u64 = 5 * 60;

/// What comes with a row besides itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// A day separator above it, for this day.
    pub day: Option<NaiveDate>,
    /// It opens a sender's group: their name is shown above it.
    pub starts_group: bool,
}

/// The message of a row that belongs to a sender's group: a text (a
/// reply, edited or deleted too) of the conversation in view. Shares, room events and
/// lines of other conversations read as notices, whole.
pub fn spoken<'a>(row: &'a Row, here: &Conversation) -> Option<&'a Message> {
    row.message().filter(|m| {
        same(&m.conversation, here)
            && matches!(
                m.body,
                Body::Text(_) | Body::Edited { .. } | Body::Reply { .. } | Body::Deleted
            )
    })
}

/// Where `row` stands after `previous`; `marked` when the "new since you
/// left" line is above it (a group starts after it).
pub fn placement(
    previous: Option<&Row>,
    row: &Row,
    here: &Conversation,
    marked: bool,
) -> Placement {
    let day_of = |row: &Row| row.local_time().map(|t| t.date_naive());
    let day = match previous {
        None => day_of(row),
        Some(previous) if day_of(previous) != day_of(row) => day_of(row),
        Some(_) => None,
    };
    let starts_group = match (spoken(row, here), previous.and_then(|p| spoken(p, here))) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(message), Some(before)) => {
            marked
                || day.is_some()
                || message.author.to_lowercase() != before.author.to_lowercase()
                || message.ts.abs_diff(before.ts) >= GROUP_GAP_SECS
        }
    };
    Placement { day, starts_group }
}

#[cfg(test)]
mod tests {
    use media_chat_client::display::Tone;
    use media_chat_client::{Delivery, Origin};

    use super::*;
    use crate::state::Timeline;

    fn text(author: &str, ts: u64, id: u64) -> Message {
        Message {
            conversation: Conversation::general(),
            author: author.into(),
            body: Body::Text(format!("tin {id}")),
            ts,
            state: Delivery::Sent { id: Some(id) },
        }
    }

    fn placements(timeline: &Timeline) -> Vec<(bool, bool)> {
        let here = &timeline.conversation;
        (0..timeline.rows.len())
            .map(|i| {
                let previous = i.checked_sub(1).map(|p| &timeline.rows[p]);
                let placed = placement(previous, &timeline.rows[i], here, false);
                (placed.day.is_some(), placed.starts_group)
            })
            .collect()
    }

    #[test]
    fn a_sender_s_run_is_one_group_until_someone_else_a_pause_or_a_new_day() {
        // 2026-03-04 10:00 UTC, and the next day.
        let morning = 1_772_618_400;
        let next_day = morning + 24 * 3600;
        let mut timeline = Timeline::new(Conversation::general());
        let messages = [
            text("Đăng", morning, 1),
            text("đăng", morning + 60, 2),
            text("Minh", morning + 90, 3),
            text("Minh", morning + 90 + GROUP_GAP_SECS, 4),
            text("Minh", next_day, 5),
        ];
        for message in messages {
            timeline.message(message, Origin::Live);
        }
        timeline.push(Tone::Notice, "[i] an joined");
        assert_eq!(
            placements(&timeline),
            [
                (true, true),   // the first day, Đăng
                (false, false), // Đăng again (any spelling)
                (false, true),  // Minh
                (false, true),  // Minh after a pause
                (true, true),   // Minh the next day
                (true, false),  // a notice, today
            ]
        );
        let here = Conversation::general();
        let marked = placement(Some(&timeline.rows[0]), &timeline.rows[1], &here, true);
        assert!(marked.starts_group, "after the new-since line");
    }
}
