//! The hosting panel under the header while this window hosts the chat:
//! the address others join at and the certificate's fingerprint, each
//! whole (they wrap rather than being cut), and **Copy invite**, which
//! copies both in one text to send to guests.

use std::net::SocketAddr;

use egui::RichText;
use media_chat_client::Fingerprint;

use crate::i18n::{Screens, tr};

/// What a guest needs, in one text: the address and, with TLS, the
/// fingerprint their client will ask them to compare.
pub fn invite_text(
    address: SocketAddr,
    fingerprint: Option<Fingerprint>,
    words: &Screens,
) -> String {
    let address = address.to_string();
    match fingerprint {
        Some(fingerprint) => (words.invite_text_pinned)(&address, &fingerprint.to_string()),
        None => (words.invite_text)(&address),
    }
}

/// Draws the panel.
pub fn hosting_panel(ui: &mut egui::Ui, address: SocketAddr, fingerprint: Option<Fingerprint>) {
    let words = &tr(ui.ctx()).screens;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            ui.label(words.hosting_here);
            ui.label(RichText::new(address.to_string()).strong());
            if ui
                .button(words.copy_invite)
                .on_hover_text(words.copy_invite_hint)
                .clicked()
            {
                ui.ctx().copy_text(invite_text(address, fingerprint, words));
            }
        });
        if let Some(fingerprint) = fingerprint {
            ui.horizontal_wrapped(|ui| {
                ui.weak(words.certificate);
                ui.add(
                    egui::Label::new(RichText::new(fingerprint.to_string()).small().monospace())
                        .wrap(),
                );
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invite_names_the_address_and_the_fingerprint() {
        let address: SocketAddr = "192.0.2.2:5000".parse().unwrap();
        let en = &crate::i18n::Language::English.strings().screens;
        assert_eq!(
            invite_text(address, None, en),
            "Join my media-chat at 192.0.2.2:5000"
        );
        let vi = &crate::i18n::Language::Vietnamese.strings().screens;
        assert_eq!(
            invite_text(address, None, vi),
            "Mời vào media-chat của mình tại 192.0.2.2:5000"
        );
    }
}
