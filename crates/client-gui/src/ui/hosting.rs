//! The hosting panel under the header while this window hosts the chat:
//! the address others join at and the certificate's fingerprint, each
//! whole (they wrap rather than being cut), and **Copy invite**, which
//! copies both in one text to send to guests.

use std::net::SocketAddr;

use egui::RichText;
use media_chat_client::Fingerprint;

/// What a guest needs, in one text: the address and, with TLS, the
/// fingerprint their client will ask them to compare.
pub fn invite_text(address: SocketAddr, fingerprint: Option<Fingerprint>) -> String {
    match fingerprint {
        Some(fingerprint) => format!(
            "Join my media-chat at {address}. When your client asks, the certificate's fingerprint must be {fingerprint}"
        ),
        None => format!("Join my media-chat at {address}"),
    }
}

/// Draws the panel.
pub fn hosting_panel(ui: &mut egui::Ui, address: SocketAddr, fingerprint: Option<Fingerprint>) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            ui.label("Hosting here — others join at");
            ui.label(RichText::new(address.to_string()).strong());
            if ui
                .button("Copy invite")
                .on_hover_text("The address and the certificate's fingerprint, to send to guests")
                .clicked()
            {
                ui.ctx().copy_text(invite_text(address, fingerprint));
            }
        });
        if let Some(fingerprint) = fingerprint {
            ui.horizontal_wrapped(|ui| {
                ui.weak("Certificate:");
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
        assert_eq!(
            invite_text(address, None),
            "Join my media-chat at 192.0.2.2:5000"
        );
    }
}
