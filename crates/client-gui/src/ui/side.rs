//! The side panel: who is online (click a name to write to them) and the
//! shared files, each with a Download button.

use std::collections::BTreeMap;

use bytesize::ByteSize;
use egui::{RichText, ScrollArea};

use crate::action::Action;
use crate::state::SharedFile;

/// Draws the side panel.
pub fn side_panel(
    ui: &mut egui::Ui,
    me: &str,
    online: &BTreeMap<String, String>,
    files: Option<&BTreeMap<String, SharedFile>>,
) -> Option<Action> {
    let mut action = None;
    ui.heading(format!("Online ({})", online.len()));
    for name in online.values() {
        let label = if name == me {
            format!("{name} (you)")
        } else {
            name.clone()
        };
        if ui
            .selectable_label(false, label)
            .on_hover_text(format!("Write to {name} privately"))
            .clicked()
        {
            action = Some(Action::Mention(name.clone()));
        }
    }
    ui.separator();
    let files: Vec<&SharedFile> = files.map(|f| f.values().collect()).unwrap_or_default();
    ui.heading(format!("Shared files ({})", files.len()));
    ScrollArea::vertical().id_salt("files").show(ui, |ui| {
        if files.is_empty() {
            ui.weak("Nothing shared yet. Send File, or drop one on the window.");
        }
        for file in files {
            ui.horizontal(|ui| {
                if ui
                    .small_button("Download")
                    .on_hover_text(format!("Download {} into the cache", file.name))
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
