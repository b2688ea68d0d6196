//! The current conversation's files, each with a Download button.

use std::collections::BTreeMap;

use bytesize::ByteSize;
use egui::{RichText, ScrollArea};

use crate::action::Action;
use crate::i18n::tr;
use crate::state::SharedFile;

/// Draws the file list.
pub fn files(ui: &mut egui::Ui, files: Option<&BTreeMap<String, SharedFile>>) -> Option<Action> {
    let mut action = None;
    let strings = tr(ui.ctx());
    let files: Vec<&SharedFile> = files.map(|f| f.values().collect()).unwrap_or_default();
    ui.heading((strings.shared_files)(files.len()));
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
