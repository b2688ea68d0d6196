//! The picture viewer: a downloaded image at full size over the window,
//! zoomed with the buttons, `+` and `-`, or Ctrl and the wheel; Escape,
//! **Close** or a click beside it closes it.

use std::path::PathBuf;

use egui::{Image, Key, RichText, ScrollArea, vec2};

use crate::i18n::tr;
use crate::thumbnails::Thumbnails;

/// The smallest and largest zoom.
const ZOOM: std::ops::RangeInclusive<f32> = 0.05..=16.0;

/// An open viewer.
#[derive(Debug, Clone, PartialEq)]
pub struct Viewer {
    /// The picture.
    pub path: PathBuf,
    /// The zoom (1: one image pixel per point); `None` fits the window.
    pub zoom: Option<f32>,
}

impl Viewer {
    /// A viewer of `path`, fitted to the window.
    pub fn new(path: PathBuf) -> Self {
        Viewer { path, zoom: None }
    }
}

/// Draws the viewer if open; closes it once done.
pub fn viewer(ctx: &egui::Context, open: &mut Option<Viewer>, pictures: &Thumbnails) {
    let Some(viewer) = open.as_mut() else { return };
    let name = viewer
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let screen = ctx.content_rect().size();
    let strings = tr(ctx);
    let words = &strings.dialogs;
    let mut close = false;
    let response = egui::Modal::new(egui::Id::unique("picture-viewer")).show(ctx, |ui| {
        ui.set_max_size(screen - vec2(48.0, 64.0));
        let texture = pictures.get_full(&viewer.path);
        let fit = texture.map_or(1.0, |t| {
            let room = screen - vec2(72.0, 140.0);
            let size = t.size_vec2();
            (room.x / size.x)
                .min(room.y / size.y)
                .clamp(*ZOOM.start(), 1.0)
        });
        let zoom = viewer.zoom.unwrap_or(fit);
        ui.horizontal(|ui| {
            ui.strong(&name);
            if let Some(texture) = texture {
                let [w, h] = texture.size();
                ui.weak(format!("{w} × {h}"));
            }
            ui.separator();
            let mut set = |z: f32| viewer.zoom = Some(z.clamp(*ZOOM.start(), *ZOOM.end()));
            if ui.button("−").on_hover_text(words.zoom_out).clicked()
                || ui.input(|i| i.key_pressed(Key::Minus))
            {
                set(zoom / 1.25);
            }
            if ui
                .button(format!("{:.0} %", zoom * 100.0))
                .on_hover_text(words.actual_size)
                .clicked()
            {
                set(1.0);
            }
            if ui.button("+").on_hover_text(words.zoom_in).clicked()
                || ui.input(|i| i.key_pressed(Key::Plus) || i.key_pressed(Key::Equals))
            {
                set(zoom * 1.25);
            }
            let wheel = ui.input(|i| i.zoom_delta());
            if (wheel - 1.0).abs() > f32::EPSILON {
                set(zoom * wheel);
            }
            if ui.button(words.fit).on_hover_text(words.fit_hint).clicked() {
                viewer.zoom = None;
            }
            if ui
                .button(strings.close)
                .on_hover_text(words.close_hint)
                .clicked()
            {
                close = true;
            }
        });
        ui.separator();
        match texture {
            Some(texture) => {
                ScrollArea::both().auto_shrink([true, true]).show(ui, |ui| {
                    let image = Image::new(texture).fit_to_exact_size(texture.size_vec2() * zoom);
                    ui.add(image).widget_info(|| {
                        egui::WidgetInfo::labeled(egui::Role::Image, true, (words.picture)(&name))
                    });
                });
            }
            None if pictures.full_failed(&viewer.path) => {
                ui.label(RichText::new(words.unreadable_picture).strong());
            }
            None => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(words.opening_picture);
                });
            }
        }
    });
    if close || response.should_close() {
        *open = None;
    }
}
