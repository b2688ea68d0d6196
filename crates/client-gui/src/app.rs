//! [`App`]: the login screen, then the chat window ([`Chat`]). Each frame
//! it drains the client's events into [`State`] (`tick`) and draws
//! (`draw`); the UI functions return [`Action`]s that `run` carries out
//! through [`Net`].
//! Nothing here waits on the network or the disk: logging in, starting a
//! hosted server and clearing the cache run on threads of their own and
//! report back; logging out and stopping the hosted server are handed to
//! [`Background`] and outlive the window.

use std::path::PathBuf;

use media_chat_client::display::Tone;
use media_chat_client::{
    ClientConfig, ConnectError, Fingerprint, Transport, default_data_dir, default_known_servers,
};

use crate::action::Action;
use crate::background::Background;
use crate::commands;
use crate::emoji;
use crate::host::{self, HostedServer};
use crate::i18n::{self, Language, tr};
use crate::message_link::MessageLink;
use crate::net::Net;
use crate::notifier::Notifier;
use crate::settings::{self, Appearance, Remembered, Theme};
use crate::state::State;
use crate::task::{Poll, Task};
use crate::ui::composer::entry_id;
use crate::ui::login::{LoginForm, login_screen};
use crate::ui::view_menu::view_menu;
use crate::window::Chat;

/// Where the app keeps things; tests point these at temporary directories.
#[derive(Debug, Clone, Default)]
pub struct Paths {
    /// The remembered login fields (`None`: remember nothing).
    pub settings: Option<PathBuf>,
    /// The download cache (`None`: the library's default).
    pub cache_dir: Option<PathBuf>,
    /// Where the client keeps resume points and undelivered messages
    /// (`None`: nowhere; nothing survives a restart).
    pub data_dir: Option<PathBuf>,
    /// Data of a server hosted from the login screen.
    pub host_data_dir: Option<PathBuf>,
    /// Fingerprints of accepted self-signed certificates (`None`: the
    /// library's default place).
    pub known_servers: Option<PathBuf>,
}

impl Paths {
    /// The user's config, cache and data directories.
    pub fn from_system() -> Self {
        Paths {
            settings: settings::default_path(),
            cache_dir: None,
            data_dir: default_data_dir(),
            host_data_dir: host::default_data_dir(),
            known_servers: default_known_servers(),
        }
    }
}

/// The desktop client.
pub struct App {
    paths: Paths,
    form: LoginForm,
    net: Net,
    hosted: Option<HostedServer>,
    /// A hosted server starting up.
    hosting: Option<Task<Result<HostedServer, String>>>,
    server: String,
    chat: Option<Chat>,
    title: String,
    open_downloads: bool,
    background: Background,
    closing: bool,
    /// What was remembered, kept up to date and written when it changes.
    remembered: Remembered,
    /// The window's language.
    language: Language,
    /// The remembered look has been given to the egui context.
    appearance_applied: bool,
    /// Whether to show desktop notifications (tests turn them off).
    notifications: bool,
    /// Shows them, started with the first.
    notifier: Option<Notifier>,
}

impl App {
    /// The login screen, filled with what was remembered.
    pub fn new(paths: Paths) -> Self {
        let remembered = paths
            .settings
            .as_deref()
            .map(settings::load)
            .unwrap_or_default();
        App {
            form: LoginForm {
                host: remembered.host.clone(),
                port: remembered.port.to_string(),
                user: remembered.user.clone(),
                tls: remembered.tls,
                ..LoginForm::default()
            },
            remembered,
            language: Language::from_env(),
            appearance_applied: false,
            paths,
            net: Net::default(),
            hosted: None,
            hosting: None,
            server: String::new(),
            chat: None,
            title: String::new(),
            open_downloads: true,
            background: Background::default(),
            closing: false,
            notifications: true,
            notifier: None,
        }
    }

    /// Speaks `language` instead of the system's (for tests).
    pub fn set_language(&mut self, language: Language) {
        self.language = language;
    }

    /// The work that outlives the window (logging out, stopping a hosted
    /// server): `main` waits for it once the window has closed.
    pub fn background(&self) -> Background {
        self.background.clone()
    }

    /// Whether the window is closing (Exit, or the window's close button).
    pub fn is_closing(&self) -> bool {
        self.closing
    }

    /// Closes without waiting: logging out (`QUIT` after what was sent,
    /// transfers cancelled) and then stopping a hosted server happen in
    /// the [`Background`]. Safe to call more than once.
    pub fn shut_down(&mut self) {
        self.closing = true;
        let client = self.net.take_client();
        let hosted = self.hosted.take();
        if client.is_none() && hosted.is_none() {
            return;
        }
        self.background.spawn("log-out", move || {
            if let Some(client) = client {
                client.quit();
            }
            // After the log-out, so the user's own QUIT reaches it.
            drop(hosted);
        });
    }

    /// Whether Get File opens what it downloads (as the seed did). Tests
    /// turn it off so no viewer pops up.
    pub fn set_open_downloads(&mut self, open: bool) {
        self.open_downloads = open;
    }

    /// Whether to show desktop notifications (tests keep them off the
    /// desktop of whoever runs them; they still queue in the state).
    pub fn set_notifications(&mut self, on: bool) {
        self.notifications = on;
    }

    /// The chat state, once logged in (for tests).
    pub fn state(&self) -> Option<&State> {
        self.chat.as_ref().map(|chat| &chat.state)
    }

    /// The window title as last set: the total unread count, the app and
    /// the user (for tests).
    pub fn window_title(&self) -> &str {
        &self.title
    }

    /// The login form (for tests).
    pub fn form_mut(&mut self) -> &mut LoginForm {
        &mut self.form
    }

    /// The address others use to join a chat hosted here.
    pub fn hosted_address(&self) -> Option<String> {
        self.hosted.as_ref().map(|h| h.lan_address.to_string())
    }

    /// Per-frame work that draws nothing: finish a login, drain events,
    /// finish thumbnails and dialogs, take dropped files, update the title.
    pub fn tick(&mut self, ctx: &egui::Context) {
        i18n::install(ctx, self.language);
        self.follow_appearance(ctx);
        self.poll_hosting(ctx);
        if let Some(outcome) = self.net.poll_login() {
            self.form.busy = false;
            match outcome {
                // Logged in after the window began to close: log out too.
                Ok(_) if self.closing => self.shut_down(),
                Ok(user) => self.logged_in(user, ctx),
                Err(ConnectError::Untrusted { fingerprint }) => {
                    self.form.untrusted = Some(fingerprint)
                }
                Err(reason @ ConnectError::Refused(_)) => {
                    // Typing again goes into the emptied password field.
                    self.form.error = Some(reason.to_string());
                    self.form.password.clear();
                    self.form.focus_password = true;
                }
                Err(reason) => self.form.error = Some(self.language.strings().connect(&reason)),
            }
        }
        let Some(chat) = &mut self.chat else { return };
        let (events, more) = self.net.drain();
        if more {
            ctx.request_repaint();
        }
        let actions = chat.tick(events, self.net.client(), self.open_downloads, ctx);
        if self.notifications {
            for alert in chat.state.alerts.drain(..) {
                self.notifier
                    .get_or_insert_with(Notifier::start)
                    .show(alert);
            }
        }
        let title = chat.title();
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
        for action in actions {
            self.run(action, ctx);
        }
    }

    /// Draws the current screen and carries out what the user asked for.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let action = match &mut self.chat {
            None => {
                egui::CentralPanel::default()
                    .show(ui, |ui| {
                        // In the top-right corner, taking no row of its
                        // own: the form stays where it would be without.
                        let mut corner = ui.new_child(
                            egui::UiBuilder::new()
                                .max_rect(ui.max_rect())
                                .layout(egui::Layout::right_to_left(egui::Align::Min)),
                        );
                        view_menu(&mut corner);
                        login_screen(ui, &mut self.form)
                    })
                    .inner
            }
            Some(chat) => chat.draw(
                ui,
                &self.server,
                self.hosted.as_ref(),
                &self.remembered.recent_emoji,
            ),
        };
        if let Some(action) = action {
            self.run(action, &ctx);
        }
    }

    /// Follows a link clicked in a message: a link to a message of this
    /// server opens it there; one of another server is said to be so;
    /// anything else goes to the system's browser.
    fn open_link(&mut self, address: &str, ctx: &egui::Context) {
        let Some(link) = MessageLink::parse(address) else {
            ctx.open_url(egui::OpenUrl::new_tab(address));
            return;
        };
        if link.server == self.server {
            let (conversation, id) = (link.conversation, link.id);
            return self.run(Action::OpenResult { conversation, id }, ctx);
        }
        if let Some(chat) = &mut self.chat {
            let line = (tr(ctx).messages.other_server)(&link.server);
            chat.state.push(Tone::Warning, line);
        }
    }

    /// The first frame gives the context the remembered theme and text
    /// size; from then on a change (the View menu, Ctrl +, Ctrl −, Ctrl 0)
    /// is remembered.
    fn follow_appearance(&mut self, ctx: &egui::Context) {
        let remembered = self.remembered.appearance;
        if !std::mem::replace(&mut self.appearance_applied, true) {
            ctx.set_theme(remembered.theme.preference());
            ctx.set_zoom_factor(remembered.zoom());
            return;
        }
        let now = Appearance {
            theme: Theme::of(ctx.options(|o| o.theme_preference)),
            text_size: (ctx.zoom_factor() * 100.0).round() as u16,
        };
        if now != remembered {
            self.remembered.appearance = now;
            self.remember();
        }
    }

    /// Writes what is remembered.
    fn remember(&self) {
        if let Some(path) = &self.paths.settings
            && let Err(e) = settings::save(path, &self.remembered)
        {
            tracing::warn!(error = %e, "cannot remember the settings");
        }
    }

    fn logged_in(&mut self, user: String, ctx: &egui::Context) {
        self.remembered = Remembered {
            host: self.form.host.trim().to_owned(),
            port: self.form.port.trim().parse().unwrap_or(5000),
            user: self.form.user.trim().to_owned(),
            tls: self.form.tls,
            appearance: self.remembered.appearance,
            recent_emoji: std::mem::take(&mut self.remembered.recent_emoji),
        };
        self.remember();
        self.form.password.clear();
        let mut state = State::new(&user);
        state.language = self.language;
        let notices = &self.language.strings().notices;
        if let Some(hosted) = &self.hosted {
            state.push(
                Tone::Notice,
                (notices.hosting_at)(&hosted.lan_address.to_string()),
            );
            if let Some(fingerprint) = hosted.fingerprint {
                state.push(
                    Tone::Notice,
                    (notices.expect_certificate)(&fingerprint.to_string()),
                );
            }
        }
        self.chat = Some(Chat::new(state));
        ctx.memory_mut(|m| m.request_focus(entry_id()));
    }

    fn run(&mut self, action: Action, ctx: &egui::Context) {
        match action {
            Action::LogIn => self.log_in(ctx, None),
            Action::TrustAndLogIn(fingerprint) => self.log_in(ctx, Some(fingerprint)),
            Action::HostAndLogIn => self.host_and_log_in(ctx),
            Action::Exit => {
                self.shut_down();
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            Action::LogOut => self.log_out(None, ctx),
            Action::TrustChanged(fingerprint) => self.trust_changed(fingerprint, ctx),
            Action::OpenLink(address) => self.open_link(&address, ctx),
            Action::UsedEmoji(glyph) => {
                emoji::used(&mut self.remembered.recent_emoji, &glyph);
                self.remember();
            }
            other => {
                if let (Some(chat), Some(client)) = (&mut self.chat, self.net.client()) {
                    for next in commands::run(other, chat, client, ctx) {
                        self.run(next, ctx);
                    }
                }
            }
        }
    }

    /// Back to the login screen: the client logs out in the background
    /// (a hosted server keeps running); `notice` is shown there.
    fn log_out(&mut self, notice: Option<String>, ctx: &egui::Context) {
        if let Some(client) = self.net.take_client() {
            self.background.spawn("log-out", move || client.quit());
        }
        self.chat = None;
        self.form.notice = notice;
        self.title = "media-chat".to_owned();
        ctx.send_viewport_cmd(egui::ViewportCommand::Title(self.title.clone()));
    }

    /// The user accepted the server's new certificate: it is remembered
    /// for the server, and they log in again (with their password, which
    /// the window does not keep).
    fn trust_changed(&mut self, fingerprint: Fingerprint, ctx: &egui::Context) {
        let mut config = ClientConfig::new(&self.server, self.form.user.trim(), String::new());
        config.transport = Transport::Tls {
            known_servers: self
                .paths
                .known_servers
                .clone()
                .or_else(default_known_servers),
            trust: None,
        };
        let notices = &self.language.strings().notices;
        match config.accept_certificate(fingerprint) {
            Ok(()) => self.log_out(Some(notices.certificate_trusted.to_owned()), ctx),
            Err(e) => {
                self.log_out(None, ctx);
                self.form.error = Some((notices.cannot_trust)(&e.to_string()));
            }
        }
    }

    /// Logs in with the form's fields; `trust` is a certificate the user
    /// just accepted (or that of the server hosted here).
    fn log_in(&mut self, ctx: &egui::Context, trust: Option<Fingerprint>) {
        let port: u16 = match self.form.port.trim().parse() {
            Ok(port) => port,
            Err(_) => {
                self.form.error = Some(self.language.strings().notices.bad_port.to_owned());
                return;
            }
        };
        let host = self.form.host.trim();
        let address = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let mut config =
            ClientConfig::new(&address, self.form.user.trim(), self.form.password.clone());
        config.cache_dir = self.paths.cache_dir.clone();
        config.data_dir = self.paths.data_dir.clone();
        config.auto_reconnect = true;
        config.transport = if self.form.tls {
            Transport::Tls {
                known_servers: self.paths.known_servers.clone(),
                trust,
            }
        } else {
            Transport::Plaintext
        };
        self.form.error = None;
        self.form.notice = None;
        self.form.untrusted = None;
        self.form.busy = true;
        self.server = address;
        let ctx = ctx.clone();
        self.net.connect(config, move || ctx.request_repaint());
    }

    /// Starts a server on this computer, off the UI thread (it reads its
    /// accounts and replays its chat log first); `poll_hosting`
    /// logs in once it is up.
    fn host_and_log_in(&mut self, ctx: &egui::Context) {
        if let Some(hosted) = &self.hosted {
            let own = hosted.fingerprint;
            return self.log_in(ctx, own);
        }
        if self.hosting.is_some() {
            return;
        }
        let Some(data_dir) = self.paths.host_data_dir.clone() else {
            self.form.error = Some(self.language.strings().notices.no_data_dir.to_owned());
            return;
        };
        let port = self.form.port.trim().parse().unwrap_or(5000);
        let wake = ctx.clone();
        match Task::spawn(
            "host-server",
            move || host::start(data_dir, port),
            move || wake.request_repaint(),
        ) {
            Ok(task) => {
                self.hosting = Some(task);
                self.form.error = None;
                self.form.hosting = true;
            }
            Err(e) => {
                let notices = &self.language.strings().notices;
                self.form.error = Some((notices.cannot_host)(&e.to_string()));
            }
        }
    }

    /// Logs in to the hosted server once it has started.
    fn poll_hosting(&mut self, ctx: &egui::Context) {
        let Some(task) = &self.hosting else { return };
        let started = match task.poll() {
            Poll::Running => return,
            Poll::Done(started) => started,
            Poll::Lost => Err(self
                .language
                .strings()
                .notices
                .stopped_while_starting
                .to_owned()),
        };
        self.hosting = None;
        self.form.hosting = false;
        match started {
            Ok(hosted) if self.closing => {
                self.background
                    .spawn("stop-hosted-server", move || drop(hosted));
            }
            Ok(hosted) => {
                self.form.host = "127.0.0.1".to_owned();
                self.form.port = hosted.port().to_string();
                let own = hosted.fingerprint;
                self.hosted = Some(hosted);
                self.log_in(ctx, own);
            }
            Err(e) => {
                let notices = &self.language.strings().notices;
                self.form.error = Some((notices.cannot_host)(&e));
            }
        }
    }
}

impl Drop for App {
    /// The window's close button, or a test's end: never wait here.
    fn drop(&mut self) {
        self.shut_down();
    }
}
