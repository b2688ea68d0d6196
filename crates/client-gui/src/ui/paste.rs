//! A picture pasted into the window (Ctrl+V with a picture on the
//! clipboard) is offered for sharing: the picture, a name to give it
//! (prefilled from the time) and **Share** or **Cancel**.

use std::sync::Arc;

use egui::{ColorImage, Image, Key, TextEdit, TextureHandle, TextureOptions};

use crate::action::Action;
use crate::i18n::tr;

/// The widest the dialog shows the picture.
const SHOWN: f32 = 320.0;

/// A pasted picture waiting for its name.
pub struct PastePrompt {
    /// The picture.
    pub image: Arc<ColorImage>,
    /// The name it will be shared under.
    pub name: String,
    texture: Option<TextureHandle>,
    focused: bool,
}

impl PastePrompt {
    /// Offers `image`, named `name` until the user changes it.
    pub fn new(image: Arc<ColorImage>, name: String) -> Self {
        PastePrompt {
            image,
            name,
            texture: None,
            focused: false,
        }
    }
}

impl std::fmt::Debug for PastePrompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PastePrompt")
            .field("size", &self.image.size)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Draws the dialog if a picture was pasted; returns
/// [`Action::SharePasted`] on **Share** (the prompt stays, for the app to
/// take the picture from); closes it on **Cancel** or Esc.
pub fn paste_dialog(ctx: &egui::Context, open: &mut Option<PastePrompt>) -> Option<Action> {
    let prompt = open.as_mut()?;
    let strings = tr(ctx);
    let words = &strings.dialogs;
    let mut action = None;
    let mut close = false;
    egui::Window::new(words.paste_title)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .show(ctx, |ui| {
            let texture = prompt.texture.get_or_insert_with(|| {
                let image = ColorImage::clone(&prompt.image);
                ui.ctx()
                    .load_texture("pasted-picture", image, TextureOptions::LINEAR)
            });
            ui.add(Image::new(&*texture).max_width(SHOWN).max_height(SHOWN));
            let field = ui
                .add(TextEdit::singleline(&mut prompt.name).desired_width(SHOWN))
                .accessible_name(words.paste_name);
            if !std::mem::replace(&mut prompt.focused, true) {
                field.request_focus();
            }
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            let name = prompt.name.trim();
            ui.horizontal(|ui| {
                let share = ui.add_enabled(!name.is_empty(), egui::Button::new(words.share));
                if share.clicked() || (enter && !name.is_empty()) {
                    action = Some(Action::SharePasted);
                }
                if ui.button(strings.cancel).clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                    close = true;
                }
            });
        });
    if close {
        *open = None;
    }
    action
}
