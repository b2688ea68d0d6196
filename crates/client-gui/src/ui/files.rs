//! The current conversation's files, each with a Download button and,
//! for the user's own uploads (or for a room's owner and moderators), a
//! Delete button; under them, how much of the user's file quota is left.

use bytesize::ByteSize;
use egui::{RichText, ScrollArea};

use crate::action::Action;
use crate::i18n::tr;
use crate::state::{SharedFile, State};
use crate::ui::delete::Doomed;

/// Draws the file list.
pub fn files(ui: &mut egui::Ui, state: &State) -> Option<Action> {
    let mut action = None;
    let strings = tr(ui.ctx());
    let files: Vec<&SharedFile> = state
        .current_files()
        .map(|f| f.values().collect())
        .unwrap_or_default();
    ui.heading((strings.shared_files)(files.len()));
    if let Some(quota) = state.quota {
        let used = ByteSize(quota.used).to_string();
        let left = ByteSize(quota.left).to_string();
        let line = match quota.limit {
            Some(limit) => (strings.quota_of)(&used, &ByteSize(limit).to_string(), &left),
            None => (strings.quota_unlimited)(&used, &left),
        };
        ui.weak(line);
    }
    let moderator = state.moderates_here();
    ScrollArea::vertical().id_salt("files").show(ui, |ui| {
        if files.is_empty() {
            ui.weak(strings.nothing_shared);
        }
        for file in files {
            ui.horizontal(|ui| {
                if ui
                    .small_button(strings.download)
                    .on_hover_text((strings.download_hint)(&file.name))
                    .clicked()
                {
                    action = Some(Action::Download {
                        name: file.name.clone(),
                        open: false,
                    });
                }
                let mine = file.uploader.to_lowercase() == state.me.to_lowercase();
                if (mine || moderator)
                    && ui
                        .small_button("🗑")
                        .on_hover_text((strings.messages.delete_file_title)(&file.name))
                        .clicked()
                {
                    action = Some(Action::Delete(Doomed::File(file.name.clone())));
                }
                ui.vertical(|ui| {
                    ui.label(RichText::new(&file.name).strong());
                    let by = if file.uploader.is_empty() {
                        "?"
                    } else {
                        &file.uploader
                    };
                    ui.weak(format!("{} · {by}", ByteSize(file.size)));
                });
            });
        }
    });
    action
}
