//! The login screen: host, port, user name, masked password; Enter or
//! **Log in**; or host a chat on this computer.

use egui::{Align, Key, Layout, RichText, TextEdit};

use media_chat_client::Fingerprint;

use crate::action::Action;
use crate::i18n::tr;

/// The login form's fields and status.
#[derive(Debug, Clone, Default)]
pub struct LoginForm {
    /// Server host.
    pub host: String,
    /// Server port, as typed.
    pub port: String,
    /// User name.
    pub user: String,
    /// Password (never saved).
    pub password: String,
    /// The server's reason for the last refusal, or a local problem.
    pub error: Option<String>,
    /// News for the user that is no error (why they are back here).
    pub notice: Option<String>,
    /// A login is under way.
    pub busy: bool,
    /// A chat server is starting on this computer (it reads its data
    /// first: accounts, the chat log).
    pub hosting: bool,
    /// Use TLS (off only for old servers).
    pub tls: bool,
    /// Give the password field the focus on the next frame (after a
    /// refused login, so the password can be typed again at once).
    pub focus_password: bool,
    /// A self-signed certificate the user is asked to trust.
    pub untrusted: Option<Fingerprint>,
}

/// Draws the login screen.
pub fn login_screen(ui: &mut egui::Ui, form: &mut LoginForm) -> Option<Action> {
    let mut action = None;
    let strings = tr(ui.ctx());
    let words = &strings.screens;
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.12);
        ui.heading(RichText::new("media-chat").size(28.0));
        ui.label(words.tagline);
        ui.add_space(16.0);
    });
    let width = 320.0;
    ui.allocate_ui_with_layout(
        egui::vec2(ui.available_width(), ui.available_height()),
        Layout::top_down(Align::Center),
        |ui| {
            ui.set_max_width(width);
            let mut enter = false;
            egui::Grid::new("login-fields")
                .num_columns(2)
                .spacing([8.0, 8.0])
                .show(ui, |ui| {
                    enter |= field(ui, words.host, &mut form.host, false, false);
                    ui.end_row();
                    enter |= field(ui, words.port, &mut form.port, false, false);
                    ui.end_row();
                    enter |= field(ui, words.user_name, &mut form.user, false, false);
                    ui.end_row();
                    let focus = std::mem::take(&mut form.focus_password);
                    enter |= field(ui, words.password, &mut form.password, true, focus);
                    ui.end_row();
                    ui.label("");
                    ui.checkbox(&mut form.tls, words.encrypted)
                        .on_hover_text(words.encrypted_hint);
                    ui.end_row();
                });
            ui.add_space(8.0);
            let idle = !form.busy && !form.hosting;
            ui.add_enabled_ui(idle, |ui| {
                if ui.button(RichText::new(words.log_in).size(16.0)).clicked() || (enter && idle) {
                    action = Some(Action::LogIn);
                }
            });
            if form.hosting {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(words.starting_server);
                });
            } else if form.busy {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(words.logging_in);
                });
            }
            if let Some(notice) = &form.notice {
                ui.label(notice);
            }
            if let Some(error) = &form.error {
                ui.colored_label(ui.visuals().error_fg_color, error);
            }
            if let Some(fingerprint) = form.untrusted {
                ui.add_space(8.0);
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.strong(words.right_server);
                    ui.label(words.compare_fingerprint);
                    ui.monospace(fingerprint.to_string());
                    ui.horizontal(|ui| {
                        if ui.button(words.trust_and_log_in).clicked() {
                            action = Some(Action::TrustAndLogIn(fingerprint));
                        }
                        if ui.button(strings.cancel).clicked() {
                            form.untrusted = None;
                        }
                    });
                });
            }
            ui.add_space(20.0);
            ui.separator();
            ui.label(words.no_server_yet);
            ui.add_enabled_ui(idle, |ui| {
                if ui
                    .button(words.host_here)
                    .on_hover_text(words.host_here_hint)
                    .clicked()
                {
                    action = Some(Action::HostAndLogIn);
                }
            });
        },
    );
    action
}

/// One labelled field, given the focus if `focus`; returns whether Enter
/// was pressed in it.
fn field(ui: &mut egui::Ui, label: &str, value: &mut String, password: bool, focus: bool) -> bool {
    let label = ui.label(label);
    let response = ui
        .add(
            TextEdit::singleline(value)
                .password(password)
                .desired_width(220.0),
        )
        .labelled_by(label.id);
    if focus {
        response.request_focus();
    }
    response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter))
}
