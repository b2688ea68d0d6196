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
                warn(ui, "The server's certificate has changed: not reconnecting");
                ui.label(
                    "Someone may be intercepting the connection. Ask the server's administrator whether they replaced the certificate, and compare the new fingerprint.",
                );
                // Wrapped, not cut: at the window's minimum width a
                // fingerprint is wider than the window.
                for (what, fingerprint) in [("Accepted before:", pinned), ("Presented now:", presented)] {
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
                        .button("Log out")
                        .on_hover_text("Back to the login screen; the new certificate is not trusted")
                        .clicked()
                    {
                        action = Some(Action::LogOut);
                    }
                    if ui
                        .button("Trust the new certificate and log in again")
                        .on_hover_text("Only if the administrator confirmed the new fingerprint")
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
