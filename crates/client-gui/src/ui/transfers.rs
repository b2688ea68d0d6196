//! Running uploads and downloads: a progress bar and a Cancel button each.

use std::collections::BTreeMap;

use bytesize::ByteSize;
use egui::ProgressBar;
use media_chat_client::{Direction, TransferId};

use crate::action::Action;
use crate::state::Transfer;

/// Draws one row per running transfer.
pub fn transfers(ui: &mut egui::Ui, transfers: &BTreeMap<TransferId, Transfer>) -> Option<Action> {
    let mut action = None;
    for (id, transfer) in transfers {
        ui.horizontal(|ui| {
            let arrow = match transfer.direction {
                Direction::Upload => "↑",
                Direction::Download => "↓",
            };
            ui.label(format!("{arrow} {}", transfer.name));
            let fraction = if transfer.total == 0 {
                0.0
            } else {
                transfer.done as f32 / transfer.total as f32
            };
            ui.add(
                ProgressBar::new(fraction)
                    .desired_width(220.0)
                    .text(format!(
                        "{} / {}",
                        ByteSize(transfer.done),
                        ByteSize(transfer.total)
                    )),
            );
            if ui.small_button("Cancel").clicked() {
                action = Some(Action::Cancel(*id));
            }
        });
    }
    action
}
