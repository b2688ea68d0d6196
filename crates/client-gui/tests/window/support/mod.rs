//! What the kittest suites share: a real server on 127.0.0.1:0 in a temp
//! dir, windows logged in through the login screen, and stepping frames
//! until an expected event shows (bounded, never a sleep as the wait).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use media_chat_client::{Client, ClientConfig, Event, Fingerprint, Transport};
use media_chat_e2e::TestServer;
use media_chat_gui::{App, Paths, fonts};
use media_chat_tls::KnownServers;

pub const TIMEOUT: Duration = Duration::from_secs(10);
pub const PASSWORD: &str = "mật khẩu";

/// A real server (the shared end-to-end test server) and a window's
/// directories beside it.
pub struct World {
    pub server: TestServer,
    pub fingerprint: Fingerprint,
}

impl World {
    pub fn new() -> World {
        let server = TestServer::start();
        let fingerprint = server.fingerprint();
        World {
            server,
            fingerprint,
        }
    }

    pub fn port(&self) -> u16 {
        self.server.addr().port()
    }

    /// A path in the test's temporary dir.
    pub fn path(&self, name: &str) -> PathBuf {
        self.server.root().join(name)
    }

    pub fn cache(&self) -> PathBuf {
        self.path("gui-cache")
    }

    pub fn library_client(&self, user: &str) -> Client {
        let address = format!("127.0.0.1:{}", self.port());
        let mut config = ClientConfig::new(address, user, PASSWORD);
        config.cache_dir = Some(self.path(&format!("cache-{user}")));
        config.data_dir = Some(self.path(&format!("data-{user}")));
        config.transport = Transport::Tls {
            known_servers: None,
            trust: Some(self.fingerprint),
        };
        Client::connect(config).unwrap()
    }

    pub fn known_servers(&self) -> PathBuf {
        self.path("config/known_servers")
    }

    /// A window whose user already accepted the server's certificate.
    pub fn harness(&self) -> Harness<'static, App> {
        KnownServers::new(self.known_servers())
            .remember(&format!("127.0.0.1:{}", self.port()), self.fingerprint)
            .unwrap();
        self.fresh_harness()
    }

    /// A window that has never seen this server.
    pub fn fresh_harness(&self) -> Harness<'static, App> {
        let mut app = App::new(Paths {
            settings: Some(self.path("config/login.toml")),
            cache_dir: Some(self.cache()),
            data_dir: Some(self.path("gui-data")),
            host_data_dir: Some(self.path("hosted")),
            known_servers: Some(self.known_servers()),
        });
        app.set_open_downloads(false);
        app.set_notifications(false);
        // kittest panics on a glyph no font has: every Vietnamese letter and
        // emoji drawn in these tests proves the bundled fonts cover it.
        Harness::builder()
            .with_size(egui::vec2(980.0, 680.0))
            .with_context_setup(fonts::install)
            .build_ui_state(
                |ui, app: &mut App| {
                    app.tick(ui.ctx());
                    app.draw(ui);
                },
                app,
            )
    }

    /// A harness logged in as `user` through the login screen.
    pub fn logged_in(&self, user: &str) -> Harness<'static, App> {
        let mut harness = self.harness();
        log_in(&mut harness, self.port(), user, PASSWORD);
        step_until(&mut harness, "the chat window", |h| {
            h.state().state().is_some()
        });
        harness
    }
}

/// Fills the login form by typing, then clicks **Log in**.
pub fn log_in(harness: &mut Harness<'static, App>, port: u16, user: &str, password: &str) {
    let form = harness.state_mut().form_mut();
    form.port = port.to_string();
    // A window opened before remembers the name; type it afresh.
    form.user.clear();
    harness.run_steps(2);
    type_into(harness, "User name", user);
    let field = harness.get_by_role_and_label(Role::PasswordInput, "Password");
    field.focus();
    field.type_text(password);
    harness.run_steps(2);
    harness.get_by_label("Log in").click();
    harness.run_steps(2);
}

/// Fills the login form's fields directly and clicks the button labelled
/// `button` (the form of a window in another language than English).
pub fn log_in_as(
    harness: &mut Harness<'static, App>,
    port: u16,
    user: &str,
    password: &str,
    button: &str,
) {
    let form = harness.state_mut().form_mut();
    form.port = port.to_string();
    form.user = user.to_owned();
    form.password = password.to_owned();
    harness.run_steps(2);
    harness.get_by_label(button).click();
    harness.run_steps(2);
}

pub fn type_into(harness: &mut Harness<'static, App>, label: &str, text: &str) {
    // The message entry has several lines; the other fields one.
    let role = match label {
        "Message" => Role::MultilineTextInput,
        _ => Role::TextInput,
    };
    let field = harness.get_by_role_and_label(role, label);
    field.focus();
    field.type_text(text);
    harness.run_steps(2);
}

/// Types into the message entry and presses Enter.
pub fn say(harness: &mut Harness<'static, App>, text: &str) {
    let entry = harness.get_by_role_and_label(Role::MultilineTextInput, "Message");
    entry.focus();
    entry.type_text(text);
    harness.run_steps(2);
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
}

/// Runs frames until `done` holds; the client threads deliver events in
/// between. Panics after the time-out.
pub fn step_until(
    harness: &mut Harness<'static, App>,
    what: &str,
    mut done: impl FnMut(&Harness<'static, App>) -> bool,
) {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        harness.step();
        if done(harness) {
            harness.run_steps(2);
            return;
        }
        if Instant::now() >= deadline {
            let lines: Vec<String> = harness
                .state()
                .state()
                .map(|s| s.texts())
                .unwrap_or_default();
            let conversations: Vec<String> = harness
                .state()
                .state()
                .map(|s| {
                    s.conversations
                        .list()
                        .iter()
                        .map(|i| format!("{} {}/{}", i.conversation, i.unread, i.mentions))
                        .collect()
                })
                .unwrap_or_default();
            panic!(
                "timed out waiting for {what}; chat lines: {lines:#?}; conversations: {conversations:?}"
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Steps until a widget labelled `label` shows.
pub fn step_until_label(harness: &mut Harness<'static, App>, label: &str) {
    step_until(harness, label, |h| h.query_by_label(label).is_some());
}

pub fn step_until_label_contains(harness: &mut Harness<'static, App>, part: &str) {
    step_until(harness, part, |h| h.query_by_label_contains(part).is_some());
}

/// The conversation, author and text of a text message event as it
/// happened (not the welcome's backlog).
pub fn said_live(event: &Event) -> Option<(String, &str, &str)> {
    match event {
        Event::Message {
            origin: media_chat_client::Origin::Live,
            ..
        } => said(event),
        _ => None,
    }
}

/// The conversation, author and text of a text message event.
pub fn said(event: &Event) -> Option<(String, &str, &str)> {
    match event {
        Event::Message { message, .. } => message.text().map(|text| {
            (
                message.conversation.to_string(),
                message.author.as_str(),
                text,
            )
        }),
        _ => None,
    }
}

pub fn wait_for(client: &Client, mut wanted: impl FnMut(&Event) -> bool) -> Event {
    let deadline = Instant::now() + TIMEOUT;
    let mut seen = Vec::new();
    loop {
        match client
            .events()
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            Ok(event) if wanted(&event) => return event,
            Ok(event) => seen.push(event),
            Err(_) => panic!("event not seen; saw {seen:#?}"),
        }
    }
}

pub fn files_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A raw version 3 session of `user` (registering them), for setting up
/// rooms and history without a window.
pub fn raw(world: &World, user: &str) -> media_chat_e2e::RawClient {
    let mut session = world.server.connect();
    session.login_v3(user, PASSWORD, None);
    session
}

/// Sends `line` and reads until a line starting with `until`.
pub fn line_until(session: &mut media_chat_e2e::RawClient, line: &str, until: &str) -> String {
    session.send_line(line);
    loop {
        let got = session.read_line();
        if got.starts_with(until) {
            return got;
        }
    }
}

/// Posts each text to `conversation` (`#room`, `@user`, `+a,b,c`), each
/// acknowledged before the next.
pub fn post(session: &mut media_chat_e2e::RawClient, conversation: &str, texts: &[String]) {
    for text in texts {
        let token = media_chat_e2e::unique_token();
        line_until(
            session,
            &format!("SEND|{token}|{conversation}|{text}"),
            &format!("ACK|{token}|"),
        );
    }
}

/// Clicks the sidebar entry (or any widget) labelled `label` once it shows.
/// A button wins over a label of the same text (a room's name is both the
/// sidebar entry and the header's heading).
pub fn click(harness: &mut Harness<'static, App>, label: &str) {
    step_until_label(harness, label);
    match harness.query_by_role_and_label(Role::Button, label) {
        Some(button) => button.click(),
        None => harness.get_by_label(label).click(),
    }
    harness.run_steps(2);
}

/// Empties the message entry, as a user selecting all and deleting.
pub fn clear_entry(harness: &mut Harness<'static, App>) {
    let entry = harness.get_by_role_and_label(Role::MultilineTextInput, "Message");
    entry.focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.key_press(egui::Key::Backspace);
    harness.run_steps(2);
    assert_eq!(entry_text(harness), "");
}

/// The text formats (one per section) of every text drawn exactly as
/// `text`: what colour, font, background and underline it has.
pub fn formats_of<T>(harness: &Harness<'static, T>, text: &str) -> Vec<egui::TextFormat> {
    fn walk(shape: &egui::Shape, text: &str, found: &mut Vec<egui::TextFormat>) {
        match shape {
            egui::Shape::Vec(shapes) => shapes.iter().for_each(|s| walk(s, text, found)),
            egui::Shape::Text(shown) if shown.galley.text() == text => {
                found.extend(shown.galley.job.sections.iter().map(|s| s.format.clone()));
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    for clipped in &harness.output().shapes {
        walk(&clipped.shape, text, &mut found);
    }
    found
}

/// The colour of each section of every text drawn exactly as `text`.
pub fn colours_of<T>(harness: &Harness<'static, T>, text: &str) -> Vec<egui::Color32> {
    formats_of(harness, text).iter().map(|f| f.color).collect()
}

/// The chat window of a hand-made `state` (no server) and what it asked
/// for.
pub fn chat_window(
    state: media_chat_gui::State,
) -> Harness<'static, (media_chat_gui::window::Chat, Vec<media_chat_gui::Action>)> {
    Harness::builder()
        .with_size(egui::vec2(980.0, 680.0))
        .with_context_setup(fonts::install)
        .build_ui_state(
            |ui, (chat, asked): &mut (media_chat_gui::window::Chat, Vec<media_chat_gui::Action>)| {
                asked.extend(chat.draw(ui, "127.0.0.1:5000", None, &[]));
            },
            (media_chat_gui::window::Chat::new(state), Vec::new()),
        )
}

/// The message entry's text.
pub fn entry_text(harness: &Harness<'static, App>) -> String {
    harness
        .get_by_role_and_label(Role::MultilineTextInput, "Message")
        .value()
        .unwrap_or_default()
}

/// A file dropped on the window from `path`.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Drops the file at `path` on the window.
pub fn drop_file(harness: &mut Harness<'static, App>, path: PathBuf) {
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(path)));
    harness.run_steps(2);
}
