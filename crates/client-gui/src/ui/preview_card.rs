//! The card under a shared file, from its preview, before anything is
//! downloaded: a picture's thumbnail and size (click: the full picture,
//! downloaded and verified), a sound's length with **Play**, a PDF's pages
//! and title, a text's first lines, each with a button that downloads,
//! verifies and opens the file as **Get File** does.

use egui::{Frame, Image, Label, RichText, Sense};
use media_chat_client::Preview;

use crate::action::Action;
use crate::i18n::Strings;
use crate::state::PreviewEntry;
use crate::thumbnails::Thumbnails;
use crate::ui::rich_text::emoji_label;
use crate::ui::row::THUMBNAIL_HEIGHT;

/// How many of a text's first lines a card shows.
const TEXT_LINES: usize = 6;

/// Draws the card of the file `name` whose preview is `entry`; returns a
/// click on it.
pub fn preview_card(
    ui: &mut egui::Ui,
    name: &str,
    entry: &PreviewEntry,
    thumbnails: &Thumbnails,
    strings: &Strings,
) -> Option<Action> {
    let words = &strings.messages;
    let counts = &strings.lines;
    let open = || Action::Download {
        name: name.to_owned(),
        open: true,
    };
    let Some(preview) = &entry.preview else {
        if entry.pending {
            ui.add(Label::new(
                RichText::new(words.preview_coming).italics().weak(),
            ));
        }
        return None;
    };
    let mut action = None;
    match preview {
        Preview::Image { width, height } => {
            let texture = entry
                .thumbnail
                .as_deref()
                .and_then(|path| thumbnails.get(path));
            if let Some(texture) = texture {
                let response = ui
                    .add(
                        Image::new(texture)
                            .max_height(THUMBNAIL_HEIGHT)
                            .sense(Sense::click()),
                    )
                    .on_hover_text(words.download_and_open)
                    .on_hover_cursor(egui::CursorIcon::PointingHand);
                response.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, (words.preview_of)(name))
                });
                if response.clicked() {
                    action = Some(open());
                }
            }
            ui.weak(format!("{width}×{height}"));
        }
        Preview::Audio { duration_ms } => {
            ui.horizontal(|ui| {
                emoji_label(ui, &format!("🔊 {}", duration(*duration_ms)));
                if ui
                    .button(words.play)
                    .on_hover_text(words.download_and_open)
                    .clicked()
                {
                    action = Some(open());
                }
            });
        }
        Preview::Pdf { pages, title } => {
            ui.horizontal(|ui| {
                emoji_label(
                    ui,
                    &format!("📄 {}", (words.pdf_details)(&(counts.pages)(*pages), title)),
                );
                if ui
                    .button(words.open_file)
                    .on_hover_text(words.download_and_open)
                    .clicked()
                {
                    action = Some(open());
                }
            });
        }
        Preview::Text { lines } => {
            Frame::group(ui.style()).show(ui, |ui| {
                if let Some(first) = &entry.first_lines {
                    let shown: Vec<&str> = first.lines().take(TEXT_LINES).collect();
                    ui.add(Label::new(RichText::new(shown.join("\n")).monospace()).wrap());
                }
                ui.horizontal(|ui| {
                    ui.weak((counts.lines)(*lines));
                    if ui
                        .button(words.open_file)
                        .on_hover_text(words.download_and_open)
                        .clicked()
                    {
                        action = Some(open());
                    }
                });
            });
        }
    }
    action
}

/// A length as `m:ss` (`h:mm:ss` from an hour).
fn duration(ms: u64) -> String {
    let seconds = ms / 1000;
    match seconds / 3600 {
        0 => format!("{}:{:02}", seconds / 60, seconds % 60),
        hours => format!("{hours}:{:02}:{:02}", seconds / 60 % 60, seconds % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::duration;

    #[test]
    fn lengths_read_as_minutes_and_seconds() {
        assert_eq!(duration(205_400), "3:25");
        assert_eq!(duration(9_000), "0:09");
        assert_eq!(duration(3_725_000), "1:02:05");
    }
}
