//! [`App`]: the login screen, then the chat window. Each frame it drains
//! the client's events into [`State`] (`tick`) and draws (`draw`); the UI
//! functions return [`Action`]s that `run` carries out through [`Net`].
//! Nothing here waits on the network or the disk: logging in, starting a
//! hosted server and clearing the cache run on threads of their own and
//! report back; logging out and stopping the hosted server are handed to
//! [`Background`] and outlive the window.

use std::path::PathBuf;

use egui::{Align2, Color32, RichText};
use media_chat_client::display::Tone;
use media_chat_client::{
    ClientConfig, ConnectError, Conversation, Direction, Fingerprint, InputError, SendError,
    Transport, default_data_dir, default_known_servers,
};

use crate::action::Action;
use crate::background::Background;
use crate::host::{self, HostedServer};
use crate::net::Net;
use crate::picker::{Picked, Picker};
use crate::settings::{self, Remembered};
use crate::state::{Effect, Link, State};
use crate::task::{Poll, Task};
use crate::thumbnails::Thumbnails;
use crate::ui::chat::{ChatView, chat_pane};
use crate::ui::composer::{composer, entry_id};
use crate::ui::dialogs::{Dialogs, Prompt, dialogs};
use crate::ui::login::{LoginForm, login_screen};
use crate::ui::side::side_panel;
use crate::ui::transfers::transfers;

/// How many older messages one scroll to the top loads.
const OLDER_PAGE: u64 = 50;

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
}

/// The chat window's state.
struct Chat {
    state: State,
    view: ChatView,
    draft: String,
    dialogs: Dialogs,
    picker: Picker,
    thumbnails: Thumbnails,
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
                host: remembered.host,
                port: remembered.port.to_string(),
                user: remembered.user,
                tls: remembered.tls,
                ..LoginForm::default()
            },
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
        }
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

    /// The chat state, once logged in (for tests).
    pub fn state(&self) -> Option<&State> {
        self.chat.as_ref().map(|chat| &chat.state)
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
                Err(reason) => self.form.error = Some(reason.to_string()),
            }
        }
        let Some(chat) = &mut self.chat else { return };
        let (events, more) = self.net.drain();
        if let Some(client) = self.net.client() {
            chat.state.v3 = client.protocol_version() >= 3;
        }
        for event in events {
            for effect in chat.state.apply(event) {
                match effect {
                    Effect::Open(path) => {
                        if let Some(client) = self.net.client().filter(|_| self.open_downloads) {
                            client.open(path);
                        }
                    }
                    Effect::Thumbnail(path) => chat.thumbnails.request(path, ctx),
                }
            }
        }
        if more {
            ctx.request_repaint();
        }
        chat.state.trim(chat.view.at_bottom());
        chat.thumbnails.poll(ctx);
        let mut actions = Vec::new();
        match chat.picker.poll() {
            Some(Picked::File(path)) => actions.push(Action::SendPath(path)),
            Some(Picked::Unavailable) => chat.dialogs.send_path = Some(Prompt::default()),
            Some(Picked::Cancelled) | None => {}
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|path| !path.as_os_str().is_empty())
                .collect()
        });
        actions.extend(dropped.into_iter().map(Action::SendPath));
        let focused = ctx.input(|i| i.viewport().focused.unwrap_or(true));
        if chat.state.focused && !focused {
            // Left: what comes from now on is marked new.
            chat.state.read_marker = Some(chat.state.read);
        }
        chat.state.focused = focused;
        if focused {
            chat.state.unread = 0;
            // Seen: the newest message at the bottom of a focused window.
            if chat.view.at_bottom()
                && let Some(newest) = chat.state.newest_general()
                && newest > chat.state.read
                && let Some(client) = self.net.client()
            {
                client.mark_read(Conversation::general(), newest);
                chat.state.read = newest;
            }
        }
        let title = match chat.state.unread {
            0 => format!("media-chat — {}", chat.state.me),
            n => format!("({n}) media-chat — {}", chat.state.me),
        };
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
                    .show(ui, |ui| login_screen(ui, &mut self.form))
                    .inner
            }
            Some(chat) => draw_chat(ui, chat, &self.server, self.hosted.as_ref()),
        };
        if let Some(action) = action {
            self.run(action, &ctx);
        }
    }

    fn logged_in(&mut self, user: String, ctx: &egui::Context) {
        if let Some(path) = &self.paths.settings {
            let remembered = Remembered {
                host: self.form.host.trim().to_owned(),
                port: self.form.port.trim().parse().unwrap_or(5000),
                user: self.form.user.trim().to_owned(),
                tls: self.form.tls,
            };
            if let Err(e) = settings::save(path, &remembered) {
                tracing::warn!(error = %e, "cannot remember the login fields");
            }
        }
        self.form.password.clear();
        let mut state = State::new(&user);
        if let Some(hosted) = &self.hosted {
            state.push(
                Tone::Notice,
                format!(
                    "[i] hosting a chat here: others join at {}",
                    hosted.lan_address
                ),
            );
            if let Some(fingerprint) = hosted.fingerprint {
                state.push(
                    Tone::Notice,
                    format!("[i] tell them to expect the certificate {fingerprint}"),
                );
            }
        }
        if let Some(client) = self.net.client() {
            let _ = client.list_files();
        }
        self.chat = Some(Chat {
            state,
            view: ChatView::default(),
            draft: String::new(),
            dialogs: Dialogs::default(),
            picker: Picker::default(),
            thumbnails: Thumbnails::default(),
        });
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
            other => {
                if let Some(chat) = &mut self.chat {
                    run_chat_action(other, chat, &self.net, ctx);
                }
            }
        }
    }

    /// Logs in with the form's fields; `trust` is a certificate the user
    /// just accepted (or that of the server hosted here).
    fn log_in(&mut self, ctx: &egui::Context, trust: Option<Fingerprint>) {
        let port: u16 = match self.form.port.trim().parse() {
            Ok(port) => port,
            Err(_) => {
                self.form.error = Some("The port must be a number from 1 to 65535".to_owned());
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
            self.form.error =
                Some("This system has no data directory to keep the chat in".to_owned());
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
            Err(e) => self.form.error = Some(format!("Cannot host a chat: {e}")),
        }
    }

    /// Logs in to the hosted server once it has started.
    fn poll_hosting(&mut self, ctx: &egui::Context) {
        let Some(task) = &self.hosting else { return };
        let started = match task.poll() {
            Poll::Running => return,
            Poll::Done(started) => started,
            Poll::Lost => Err("the server stopped while starting".to_owned()),
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
            Err(e) => self.form.error = Some(format!("Cannot host a chat: {e}")),
        }
    }
}

fn draw_chat(
    ui: &mut egui::Ui,
    chat: &mut Chat,
    server: &str,
    hosted: Option<&HostedServer>,
) -> Option<Action> {
    let mut action = None;
    let ctx = ui.ctx().clone();
    egui::Panel::top("header").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.strong("media-chat");
            ui.label(format!("— {} on {server}", chat.state.me));
            if let Some(hosted) = hosted {
                ui.separator();
                ui.label(RichText::new(format!("Hosting: others join at {}", hosted.lan_address)).strong());
            }
        });
        match &chat.state.link {
            Link::Up => {}
            Link::Lost { reason } => {
                banner(
                    ui,
                    &format!("Connection lost: {reason}. What you send waits until it is back."),
                );
            }
            Link::Reconnecting { attempt, delay } => banner(
                ui,
                &format!(
                    "Connection lost — reconnecting in {:.1} s (attempt {attempt}). What you send waits and goes out then.",
                    delay.as_secs_f32()
                ),
            ),
        }
    });
    egui::Panel::right("side")
        .resizable(true)
        .default_size(220.0)
        .show(ui, |ui| {
            if let Some(a) = side_panel(ui, &chat.state.me, &chat.state.online, &chat.state.files) {
                action = Some(a);
            }
        });
    egui::Panel::bottom("composer").show(ui, |ui| {
        ui.add_space(4.0);
        if let Some(a) = transfers(ui, &chat.state.transfers) {
            action = Some(a);
        }
        if let Some(a) = composer(ui, &mut chat.draft, &chat.state.online, chat.state.clearing) {
            action = Some(a);
        }
        ui.add_space(4.0);
    });
    egui::CentralPanel::default().show(ui, |ui| {
        if let Some(a) = chat_pane(ui, &mut chat.view, &chat.state, &chat.thumbnails) {
            action = Some(a);
        }
    });
    if let Some(a) = dialogs(&ctx, &mut chat.dialogs) {
        action = Some(a);
    }
    if ctx.input(|i| !i.raw.hovered_files.is_empty()) {
        let painter = ctx.layer_painter(egui::LayerId::new(
            egui::Order::Foreground,
            egui::Id::unique("drop"),
        ));
        let rect = ctx.content_rect();
        painter.rect_filled(rect, 0.0, Color32::from_black_alpha(160));
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            "Drop to share",
            egui::FontId::proportional(28.0),
            Color32::WHITE,
        );
    }
    action
}

fn banner(ui: &mut egui::Ui, text: &str) {
    ui.colored_label(ui.visuals().warn_fg_color, RichText::new(text).strong());
}

fn run_chat_action(action: Action, chat: &mut Chat, net: &Net, ctx: &egui::Context) {
    let state = &mut chat.state;
    let Some(client) = net.client() else {
        return;
    };
    match action {
        Action::LogIn | Action::TrustAndLogIn(_) | Action::HostAndLogIn | Action::Exit => {}
        Action::Send => {
            if chat.draft.trim().is_empty() {
                return;
            }
            match client.send_input(&chat.draft) {
                Ok(message) => {
                    state.sent(&message);
                    chat.draft.clear();
                    chat.view.scroll_to_bottom();
                }
                Err(SendError::Input(InputError::MissingMessage)) => {
                    state.push(
                        Tone::Warning,
                        "[!] Write it as @user message (Nhập dạng @user nội_dung)",
                    );
                }
                Err(e) => state.push(Tone::Warning, format!("[!] {e}")),
            }
            ctx.memory_mut(|m| m.request_focus(entry_id()));
        }
        Action::PickFile => {
            let ctx = ctx.clone();
            chat.picker.open(move || ctx.request_repaint());
        }
        Action::SendPath(path) => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match client.send_file(&path) {
                Ok(id) => state.started(id, Direction::Upload, &name),
                Err(e) => state.push(Tone::Warning, format!("[!] Cannot send {name}: {e}")),
            }
        }
        Action::AskFileName => chat.dialogs.get_file = Some(Prompt::default()),
        Action::Download { name, open } => match client.get_file(&name) {
            Ok(id) => {
                state.started(id, Direction::Download, &name);
                if open {
                    state.open_when_done.insert(id);
                }
            }
            Err(e) => state.push(Tone::Warning, format!("[!] Cannot get {name}: {e}")),
        },
        Action::Clear => {
            if !state.clearing {
                state.clearing = true;
                client.clear_cache_in_background();
            }
        }
        Action::Cancel(id) => client.cancel(id),
        Action::Mention(name) => {
            chat.draft = format!("@{name} ");
            ctx.memory_mut(|m| m.request_focus(entry_id()));
        }
        Action::Open(path) => client.open(path),
        Action::LoadOlder => {
            if state.history.loading || !state.history.more {
                return;
            }
            match client.load_before(Conversation::general(), state.history.oldest, OLDER_PAGE) {
                Ok(()) => state.history.loading = true,
                Err(SendError::OldServer) => state.history.more = false,
                // Not connected: asked again once back.
                Err(e) => tracing::debug!(error = %e, "cannot ask for older messages"),
            }
        }
        Action::Retry(token) => {
            if let Err(e) = client.retry(&token) {
                state.push(Tone::Warning, format!("[!] {e}"));
            }
        }
        Action::Discard(token) => {
            let _ = client.discard(&token);
            state.discard(&token);
        }
    }
}

impl Drop for App {
    /// The window's close button, or a test's end: never wait here.
    fn drop(&mut self) {
        self.shut_down();
    }
}
