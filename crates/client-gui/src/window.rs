//! [`Chat`]: the chat window once logged in. It keeps what belongs to each
//! conversation besides its rows (the draft being typed, the pane's scroll
//! and layout), folds each frame's events into [`State`], reports what
//! the user has seen as read, and lays out the panels: the sidebar of
//! conversations on the left, members and files on the right, the
//! composer at the bottom and the current conversation (its header, then
//! its messages) in the middle.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use egui::{Align2, Color32};
use media_chat_client::{Client, Event, conversation_key, display};

use crate::action::Action;
use crate::draft_mode::{DraftMode, Drafts};
use crate::host::HostedServer;
use crate::i18n::tr;
use crate::picker::{Picked, Picker};
use crate::state::{Effect, State, is_image};
use crate::task::{Poll, Task};
use crate::thumbnails::Thumbnails;
use crate::ui::chat::{ChatView, chat_pane};
use crate::ui::composer::{ComposerView, composer};
use crate::ui::dialogs::{Dialogs, Prompt, dialogs};
use crate::ui::emoji_picker::EmojiPicker;
use crate::ui::files::files;
use crate::ui::header::{Header, header};
use crate::ui::hosting::hosting_panel;
use crate::ui::link::link_banner;
use crate::ui::members::members;
use crate::ui::paste::PastePrompt;
use crate::ui::reply::{edit_banner, reply_banner};
use crate::ui::search_panel::{self, SearchPanel, search_panel};
use crate::ui::sidebar::sidebar;
use crate::ui::switcher::{self, Switcher};
use crate::ui::transfers::transfers;
use crate::ui::typing::typing_line;
use crate::ui::unopened::Unopened;
use crate::ui::view_menu::view_menu;
use crate::ui::viewer::Viewer;

/// Below this width the window shows the conversations or the members,
/// not both.
const NARROW: f32 = 820.0;

/// The chat window's state.
pub struct Chat {
    /// What the window shows.
    pub state: State,
    /// Each conversation's pane, by conversation key: switching back finds
    /// it scrolled where it was.
    views: HashMap<String, ChatView>,
    /// Each conversation's draft and its mode (reply, edit), by
    /// conversation key: kept when switching.
    drafts: Drafts,
    /// The open dialogs.
    pub dialogs: Dialogs,
    /// The conversation header (the topic being edited).
    header: Header,
    /// In a narrow window: the members and files shown instead of the
    /// conversations.
    side_open: bool,
    /// The system file dialog.
    pub picker: Picker,
    /// Thumbnails of downloaded images.
    pub thumbnails: Thumbnails,
    /// Conversations whose member lists and files were asked for on this
    /// connection.
    asked: HashSet<String>,
    /// Folders asked to be shown (a failure to open one is said as such).
    folders_shown: HashSet<PathBuf>,
    /// The emoji picker beside the entry.
    emoji: EmojiPicker,
    /// The search panel, while open (Ctrl+F).
    pub search: Option<SearchPanel>,
    /// Pasted pictures being written to disk, to share once written.
    pub pasting: Vec<Task<Result<PathBuf, String>>>,
}

impl Chat {
    /// The window for a user just logged in.
    pub fn new(state: State) -> Self {
        Chat {
            state,
            views: HashMap::new(),
            drafts: Drafts::default(),
            dialogs: Dialogs::default(),
            header: Header::default(),
            side_open: false,
            picker: Picker::default(),
            thumbnails: Thumbnails::default(),
            asked: HashSet::new(),
            folders_shown: HashSet::new(),
            emoji: EmojiPicker::default(),
            search: None,
            pasting: Vec::new(),
        }
    }

    /// The message the current conversation's draft answers, in reply
    /// mode.
    pub fn replying(&self) -> Option<u64> {
        match self.drafts.mode(&self.key()) {
            Some(DraftMode::Reply(id)) => Some(*id),
            _ => None,
        }
    }

    /// The user's message the current conversation's draft replaces, in
    /// edit mode.
    pub fn editing(&self) -> Option<u64> {
        match self.drafts.mode(&self.key()) {
            Some(DraftMode::Edit { id, .. }) => Some(*id),
            _ => None,
        }
    }

    /// Puts the current conversation's composer in reply mode, answering
    /// message `id`.
    pub fn reply_to(&mut self, id: u64) {
        let key = self.key();
        self.drafts.reply(&key, id);
    }

    /// Puts the current conversation's composer in edit mode on the user's
    /// message `id`, whose text is `text`.
    pub fn edit(&mut self, id: u64, text: &str) {
        let key = self.key();
        self.drafts.edit(&key, id, text);
    }

    /// Leaves the current conversation's reply or edit mode.
    pub fn leave_mode(&mut self) {
        let key = self.key();
        self.drafts.leave(&key);
    }

    /// The pane of `conversation`, made if new.
    pub fn view_of(&mut self, conversation: &media_chat_client::Conversation) -> &mut ChatView {
        self.views
            .entry(conversation_key(conversation))
            .or_default()
    }

    fn key(&self) -> String {
        conversation_key(&self.state.current)
    }

    /// The current conversation's pane.
    pub fn view_mut(&mut self) -> &mut ChatView {
        let key = self.key();
        self.views.entry(key).or_default()
    }

    /// Whether the current conversation's pane showed its newest line last
    /// frame.
    fn at_bottom(&self) -> bool {
        self.views.get(&self.key()).is_some_and(ChatView::at_bottom)
    }

    /// The current conversation's draft.
    pub fn draft_mut(&mut self) -> &mut String {
        let key = self.key();
        self.drafts.text_mut(&key)
    }

    /// Opens a downloaded file: a picture in the window's viewer, anything
    /// else with the system's program for it.
    pub fn open(&mut self, path: PathBuf, client: &Client, ctx: &egui::Context) {
        if is_image(&path) {
            self.thumbnails.request_full(path.clone(), ctx);
            self.dialogs.viewer = Some(Viewer::new(path));
        } else {
            client.open(path);
        }
    }

    /// Shows the folder a download is in with the system's file manager.
    pub fn show_folder(&mut self, folder: PathBuf, client: &Client) {
        self.folders_shown.insert(folder.clone());
        client.open(folder);
    }

    /// Folds the frame's events in and does the bookkeeping that draws
    /// nothing; returns what the user asked for outside the panels (a
    /// picked or dropped file).
    pub fn tick(
        &mut self,
        events: Vec<Event>,
        client: Option<&Client>,
        open_downloads: bool,
        ctx: &egui::Context,
    ) -> Vec<Action> {
        if let Some(client) = client {
            self.state.v3 = client.protocol_version() >= 3;
        }
        let changed = !events.is_empty();
        let blocks_changed = events
            .iter()
            .any(|e| matches!(e, Event::Synced | Event::Blocked { .. }));
        for event in events {
            if matches!(event, Event::LoggedIn { .. }) {
                // A new connection: members and files are asked for again.
                self.asked.clear();
            }
            for effect in self.state.apply(event) {
                match effect {
                    Effect::Open(path) => {
                        if let Some(client) = client.filter(|_| open_downloads) {
                            self.open(path, client, ctx);
                        }
                    }
                    Effect::Thumbnail(path) => self.thumbnails.request(path, ctx),
                    Effect::Unopened(path) => {
                        let folder = self.folders_shown.remove(&path);
                        self.dialogs.unopened = Some(Unopened { path, folder });
                    }
                    Effect::FetchPreview(wanted) => {
                        if let Some(client) = client
                            && let Err(e) = client.fetch_preview(wanted.conversation, &wanted.name)
                        {
                            tracing::debug!(error = %e, "cannot ask for a preview");
                        }
                    }
                    Effect::Forget => {
                        self.thumbnails.clear();
                        self.dialogs.viewer = None;
                    }
                }
            }
        }
        if let Some(client) = client {
            self.follow_current(client, changed);
            if blocks_changed {
                self.state.blocked = client.blocked().iter().map(|u| u.to_lowercase()).collect();
            }
        }
        let at_bottom = self.at_bottom();
        self.state.trim(at_bottom);
        self.thumbnails.poll(ctx);
        let mut actions = Vec::new();
        match self.picker.poll() {
            Some(Picked::File(path)) => actions.push(Action::SendPath(path)),
            Some(Picked::Unavailable) => self.dialogs.send_path = Some(Prompt::default()),
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
        self.take_pasted(ctx, &mut actions);
        self.read(client, ctx);
        actions
    }

    /// A picture pasted this frame opens its dialog; a pasted picture
    /// written to disk is shared.
    fn take_pasted(&mut self, ctx: &egui::Context, actions: &mut Vec<Action>) {
        let pasted = ctx.input(|i| {
            i.events.iter().rev().find_map(|event| match event {
                egui::Event::PasteImage(image) => Some(image.clone()),
                _ => None,
            })
        });
        if let Some(image) = pasted {
            let time = chrono::Local::now().format("%Y-%m-%d %H.%M").to_string();
            let name = (tr(ctx).dialogs.pasted_name)(&time);
            self.dialogs.paste = Some(PastePrompt::new(image, name));
        }
        let strings = tr(ctx);
        self.pasting.retain(|task| match task.poll() {
            Poll::Running => true,
            Poll::Done(Ok(path)) => {
                actions.push(Action::SendPath(path));
                false
            }
            Poll::Done(Err(why)) => {
                let line = (strings.dialogs.paste_failed)(&why);
                self.state
                    .push(media_chat_client::display::Tone::Warning, line);
                false
            }
            Poll::Lost => {
                let line = (strings.dialogs.paste_failed)("the writer stopped");
                self.state
                    .push(media_chat_client::display::Tone::Warning, line);
                false
            }
        });
    }

    /// The current conversation's files and members: asked for once it is
    /// in view (a direct conversation needs no member list; a version 2
    /// server has none), then the members taken from the engine, which
    /// keeps them up to date.
    fn follow_current(&mut self, client: &Client, changed: bool) {
        let current = self.state.current.clone();
        let key = self.key();
        if self.asked.insert(key.clone()) {
            let listed = !matches!(current, media_chat_client::Conversation::Direct(_));
            let files = client.list_files_in(current.clone());
            let members = match listed && self.state.v3 {
                true => client.load_members(current.clone()),
                false => Ok(()),
            };
            if let Err(e) = files.and(members) {
                // Not connected: asked again once back.
                tracing::debug!(error = %e, "cannot ask for the files or members");
                self.asked.remove(&key);
            }
        }
        if changed && let Some(members) = client.members(&current) {
            self.state.members.insert(key, members);
        }
    }

    /// What a focused window shows at the bottom of the pane is read.
    fn read(&mut self, client: Option<&Client>, ctx: &egui::Context) {
        let focused = ctx.input(|i| i.viewport().focused.unwrap_or(true));
        let at_bottom = self.at_bottom();
        let state = &mut self.state;
        if state.focused && !focused {
            // Left: what comes from now on is marked new.
            let timeline = state.timeline_mut();
            timeline.read_marker = Some(timeline.read);
        }
        state.focused = focused;
        if !focused {
            return;
        }
        state.unread = 0;
        let timeline = state.timeline_mut();
        if at_bottom
            && let Some(newest) = timeline.newest()
            && newest > timeline.read
            && let Some(client) = client
        {
            client.mark_read(timeline.conversation.clone(), newest);
            timeline.read = newest;
        }
    }

    /// The window title: the total unread count ("99+" above 99), the app
    /// and the user.
    pub fn title(&self) -> String {
        match self.state.total_unread() {
            0 => format!("media-chat — {}", self.state.me),
            n => format!("({}) media-chat — {}", display::count(n), self.state.me),
        }
    }

    /// Lays out the window; `recent_emoji` are the emoji used lately, the
    /// latest first. Returns what the user asked for.
    pub fn draw(
        &mut self,
        ui: &mut egui::Ui,
        server: &str,
        hosted: Option<&HostedServer>,
        recent_emoji: &[String],
    ) -> Option<Action> {
        let mut action = None;
        let ctx = ui.ctx().clone();
        let strings = tr(&ctx);
        // Before the entry sees it (a text field's Ctrl+K deletes to the
        // end of the line).
        if switcher::wanted(&ctx) {
            self.dialogs.switcher = Some(Switcher::default());
        }
        if search_panel::wanted(&ctx) {
            self.search.get_or_insert_with(SearchPanel::default);
        }
        egui::Panel::top("header").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.strong("media-chat");
                ui.label((strings.on_server)(&self.state.me, server));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), view_menu);
            });
            if let Some(hosted) = hosted {
                hosting_panel(ui, hosted.lan_address, hosted.fingerprint);
            }
            if let Some(a) = link_banner(ui, &self.state.link) {
                action = Some(a);
            }
        });
        // Too narrow for three columns beside the messages: the members
        // and files take the sidebar's place while the header's toggle is
        // on.
        let narrow = ctx.content_rect().width() < NARROW;
        let (show_sidebar, show_side) = match (narrow, self.side_open) {
            (false, _) => (true, true),
            (true, open) => (!open, open),
        };
        // The search panel takes the members' place.
        let show_side = show_side && self.search.is_none();
        if show_sidebar {
            egui::Panel::left("conversations")
                .resizable(true)
                .default_size(200.0)
                .min_size(140.0)
                .max_size(300.0)
                .show(ui, |ui| {
                    if let Some(a) = sidebar(ui, &self.state) {
                        action = Some(a);
                    }
                });
        }
        if let Some(panel) = &mut self.search {
            let mut close = false;
            egui::Panel::right("search")
                .resizable(true)
                .default_size(280.0)
                .show(ui, |ui| {
                    if let Some(a) = search_panel(ui, panel, &self.state.search, &mut close) {
                        action = Some(a);
                    }
                });
            if close {
                self.search = None;
            }
        }
        if show_side {
            egui::Panel::right("side")
                .resizable(true)
                .default_size(200.0)
                .max_size(300.0)
                .show(ui, |ui| {
                    if let Some(a) = members(ui, &self.state) {
                        action = Some(a);
                    }
                    ui.separator();
                    if let Some(a) = files(ui, &self.state) {
                        action = Some(a);
                    }
                });
        }
        egui::Panel::bottom("composer").show(ui, |ui| {
            ui.add_space(4.0);
            if let Some(a) = transfers(ui, &self.state.transfers) {
                action = Some(a);
            }
            typing_line(ui, &self.state);
            if let Some(to) = self.replying() {
                let original = self.state.timeline().find(to);
                if let Some(a) = reply_banner(ui, original) {
                    action = Some(a);
                }
            }
            if self.editing().is_some()
                && let Some(a) = edit_banner(ui)
            {
                action = Some(a);
            }
            let key = self.key();
            let draft = self.drafts.text_mut(&key);
            let state = &self.state;
            let names = || state.names();
            let view = ComposerView {
                names: &names,
                recent_emoji,
                clearing: self.state.clearing,
            };
            if let Some(a) = composer(ui, draft, &mut self.emoji, view) {
                action = Some(a);
            }
            ui.add_space(4.0);
        });
        egui::CentralPanel::default().show(ui, |ui| {
            if narrow {
                ui.horizontal(|ui| {
                    ui.toggle_value(&mut self.side_open, strings.members_and_files)
                        .on_hover_text(strings.members_and_files_hint);
                });
            }
            if let Some(a) = header(ui, &mut self.header, &self.state) {
                action = Some(a);
            }
            ui.separator();
            let key = self.key();
            let view = self.views.entry(key).or_default();
            // The pane asks for older messages by itself while at the top:
            // a click elsewhere in the same frame (Reconnect now) comes
            // first.
            if let Some(a) = chat_pane(
                ui,
                view,
                &self.state,
                &self.thumbnails,
                recent_emoji,
                server,
            ) {
                action.get_or_insert(a);
            }
        });
        if let Some(a) = dialogs(&ctx, &mut self.dialogs, &self.state, &self.thumbnails) {
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
                strings.drop_to_share,
                egui::FontId::proportional(28.0),
                Color32::WHITE,
            );
        }
        action
    }
}
