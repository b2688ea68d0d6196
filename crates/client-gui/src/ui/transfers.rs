//! Running uploads and downloads: a progress bar and a Cancel button each;
//! once every byte has moved, "verifying…" until the server has the file
//! (upload) or its checksum matched (download).

use std::collections::BTreeMap;

use bytesize::ByteSize;
use egui::ProgressBar;
use media_chat_client::{Direction, TransferId};

use crate::action::Action;
use crate::i18n::tr;
use crate::state::Transfer;

/// Draws one row per running transfer.
pub fn transfers(ui: &mut egui::Ui, transfers: &BTreeMap<TransferId, Transfer>) -> Option<Action> {
    let mut action = None;
    let strings = tr(ui.ctx());
    for (id, transfer) in transfers {
        ui.horizontal(|ui| {
            let arrow = match transfer.direction {
                Direction::Upload => "↑",
                Direction::Download => "↓",
            };
            ui.label(format!("{arrow} {}", transfer.name));
            if transfer.total > 0 && transfer.done >= transfer.total {
                // Every byte moved; the file counts once the server has
                // stored it (upload) or its SHA-256 matched (download).
                ui.spinner();
                ui.label((strings.verifying)(&ByteSize(transfer.total).to_string()));
            } else {
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
            }
            if ui.small_button(strings.cancel).clicked() {
                action = Some(Action::Cancel(*id));
            }
        });
    }
    action
}
