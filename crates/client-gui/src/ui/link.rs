//! The connection banner under the window's header: lost or reconnecting
//! (both with **Reconnect now**), or stopped because the server's certificate
//! changed (then the two fingerprints and the user's choices).

use egui::RichText;

use crate::action::Action;
use crate::i18n::tr;
use crate::state::Link;

/// Draws the banner for `link` (nothing while connected).
pub fn link_banner(ui: &mut egui::Ui, link: &Link) -> Option<Action> {
    let mut action = None;
    let strings = tr(ui.ctx());
    match link {
        Link::Up => {}
        // Not reconnecting by itself (the server refused, or the engine
        // stopped): the user may try again.
        Link::Lost { reason } => {
            ui.horizontal_wrapped(|ui| {
                warn(ui, &(strings.link_lost)(reason));
                if ui.button(strings.reconnect_now).clicked() {
                    action = Some(Action::Reconnect);
                }
            });
        }
        // Waiting out the backoff: the user may cut the wait short.
        Link::Reconnecting { attempt, delay } => {
            ui.horizontal_wrapped(|ui| {
                warn(
                    ui,
                    &(strings.link_reconnecting)(delay.as_secs_f32(), *attempt),
                );
                if ui.button(strings.reconnect_now).clicked() {
                    action = Some(Action::Reconnect);
                }
            });
        }
        Link::CertificateChanged { pinned, presented } => {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                warn(ui, strings.screens.certificate_changed_banner);
                ui.label(strings.screens.certificate_changed_advice);
                // Wrapped, not cut: at the window's minimum width a
                // fingerprint is wider than the window.
                for (what, fingerprint) in [
                    (strings.screens.accepted_before, pinned),
                    (strings.screens.presented_now, presented),
                ] {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(what);
                        ui.add(
                            egui::Label::new(RichText::new(fingerprint.to_string()).monospace())
                                .wrap(),
                        );
                    });
                }
                ui.horizontal_wrapped(|ui| {
                    if ui
                        .button(strings.screens.log_out)
                        .on_hover_text(strings.screens.log_out_hint)
                        .clicked()
                    {
                        action = Some(Action::LogOut);
                    }
                    if ui
                        .button(strings.screens.trust_new)
                        .on_hover_text(strings.screens.trust_new_hint)
                        .clicked()
                    {
                        action = Some(Action::TrustChanged(*presented));
                    }
                });
            });
        }
    }
    action
}

fn warn(ui: &mut egui::Ui, text: &str) {
    ui.colored_label(ui.visuals().warn_fg_color, RichText::new(text).strong());
}
