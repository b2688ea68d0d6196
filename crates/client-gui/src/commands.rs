//! Carrying out what the user asked for in the chat window, through the
//! client library (which never blocks): sends, transfers, paging, going to
//! a conversation.

use bytesize::ByteSize;
use media_chat_client::display::Tone;
use media_chat_client::{
    ChatCommand, Client, Conversation, Direction, InputError, ModerationAction, SendError,
};

use crate::action::Action;
use crate::i18n::tr;
use crate::slash::{self, Slash};
use crate::task::Task;
use crate::ui::clear::ClearPrompt;
use crate::ui::composer::entry_id;
use crate::ui::delete::Doomed;
use crate::ui::dialogs::Prompt;
use crate::ui::entry::cursor_to_end;
use crate::ui::invite::InviteForm;
use crate::ui::rooms::{Browse, CreateForm};
use crate::ui::switcher::Switcher;
use crate::window::Chat;

/// How many older messages one scroll to the top loads.
const OLDER_PAGE: u64 = 50;

/// Carries out one of the chat window's actions; returns what follows
/// from it for the app (a typed `/quit`).
pub fn run(action: Action, chat: &mut Chat, client: &Client, ctx: &egui::Context) -> Vec<Action> {
    match action {
        Action::LogIn
        | Action::TrustAndLogIn(_)
        | Action::HostAndLogIn
        | Action::Exit
        | Action::LogOut
        | Action::TrustChanged(_)
        | Action::UsedEmoji(_)
        | Action::OpenLink(_) => {}
        Action::Send => return send(chat, client, ctx),
        Action::PickFile => {
            let ctx = ctx.clone();
            chat.picker.open(move || ctx.request_repaint());
        }
        Action::SendPath(path) => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match client.send_file_to(chat.state.current.clone(), &path) {
                Ok(id) => chat.state.started(id, Direction::Upload, &name),
                Err(e) => {
                    let strings = tr(ctx);
                    let line = (strings.cannot_send)(&name, &strings.transfer(&e));
                    chat.state.push(Tone::Warning, line);
                }
            }
        }
        Action::AskFileName => chat.dialogs.get_file = Some(Prompt::default()),
        Action::Download { name, open } => {
            match client.get_file_from(chat.state.current.clone(), &name) {
                Ok(id) => {
                    chat.state.started(id, Direction::Download, &name);
                    if open {
                        chat.state.open_when_done.insert(id);
                    }
                }
                Err(e) => {
                    let strings = tr(ctx);
                    let line = (strings.cannot_get)(&name, &strings.transfer(&e));
                    chat.state.push(Tone::Warning, line);
                }
            }
        }
        Action::Clear => {
            let (files, bytes) = cache_usage(client.cache_dir());
            chat.dialogs.clear = Some(ClearPrompt { files, bytes });
        }
        Action::Reconnect => client.reconnect(),
        Action::ClearConfirmed => {
            if !chat.state.clearing {
                chat.state.clearing = true;
                client.clear_cache_in_background();
            }
        }
        Action::Cancel(id) => client.cancel(id),
        Action::Mention(name) => {
            *chat.draft_mut() = format!("@{name} ");
            ctx.memory_mut(|m| m.request_focus(entry_id()));
        }
        Action::Open(path) => chat.open(path, client, ctx),
        Action::ShowFolder(folder) => chat.show_folder(folder, client),
        Action::LoadOlder => load_older(chat, client),
        Action::Retry(token) => {
            if let Err(e) = client.retry(&token) {
                report(chat, Err(e));
            }
        }
        Action::Discard(token) => {
            let _ = client.discard(&token);
            chat.state.discard(&token);
        }
        Action::Go(conversation) => go(chat, client, conversation, ctx),
        Action::Leave(room) => report(chat, client.leave(room)),
        Action::SetTopic(topic) => match chat.state.current.clone() {
            room @ Conversation::Room(_) => report(chat, client.set_topic(room, &topic)),
            other => chat.state.push(
                Tone::Warning,
                (tr(ctx).notices.no_topic_here)(&other.to_string()),
            ),
        },
        Action::OpenInvite => match chat.state.current.clone() {
            room @ Conversation::Room(_) => chat.dialogs.invite = Some(InviteForm::new(room)),
            other => chat.state.push(
                Tone::Warning,
                (tr(ctx).notices.no_invite_here)(&other.to_string()),
            ),
        },
        Action::Invite { room, user } => {
            report(chat, client.moderate(ModerationAction::Invite, room, &user))
        }
        Action::Join(room) => report(chat, client.join(room)),
        Action::NewRoom => chat.dialogs.create = Some(CreateForm::default()),
        Action::CreateRoom {
            room,
            visibility,
            topic,
        } => report(chat, client.create_room(room, visibility, &topic)),
        Action::BrowseRooms => {
            chat.state.rooms = None;
            chat.dialogs.browse = Some(Browse::default());
            report(chat, client.list_rooms());
        }
        Action::OpenSwitcher => chat.dialogs.switcher = Some(Switcher::default()),
        Action::React { id, reaction } => report(chat, client.react(id, &reaction)),
        Action::ReplyTo(id) => {
            chat.reply_to(id);
            ctx.memory_mut(|m| m.request_focus(entry_id()));
        }
        Action::LeaveMode => chat.leave_mode(),
        Action::Edit(id) => start_edit(chat, id, ctx),
        Action::EditLast => {
            if let Some(id) = chat.state.timeline().last_own_text(&chat.state.me) {
                start_edit(chat, id, ctx);
            }
        }
        Action::Delete(doomed) => chat.dialogs.delete = Some(doomed),
        Action::DeleteConfirmed(Doomed::Message(id)) => {
            let outcome = client.delete(chat.state.current.clone(), id);
            report(chat, outcome);
        }
        Action::DeleteConfirmed(Doomed::File(name)) => {
            let outcome = client.delete_file(chat.state.current.clone(), &name);
            report(chat, outcome);
        }
        Action::SharePasted => share_pasted(chat, client, ctx),
        Action::Typing => client.typing(chat.state.current.clone()),
        Action::Block { user, on } => report(chat, client.block(&user, on)),
        Action::Mute { conversation, on } => report(chat, client.mute(conversation, on)),
        Action::ShowMessage(id) => chat.view_mut().show_message(id),
        Action::Search(query) => match client.search(&query) {
            Ok(token) => chat.state.search.asked(token),
            Err(e) => chat
                .state
                .search
                .refused(chat.state.language.strings().send(&e)),
        },
        Action::OpenResult { conversation, id } => {
            go(chat, client, conversation, ctx);
            let current = chat.state.current.clone();
            chat.view_of(&current).show_message(id);
        }
    }
    Vec::new()
}

/// Puts the user's message `id` of the conversation in view in the entry
/// to be edited, the cursor after its last word.
fn start_edit(chat: &mut Chat, id: u64, ctx: &egui::Context) {
    let Some(text) = chat
        .state
        .timeline()
        .find(id)
        .filter(|m| m.author.to_lowercase() == chat.state.me.to_lowercase())
        .and_then(|m| m.text())
        .map(str::to_owned)
    else {
        return;
    };
    chat.edit(id, &text);
    cursor_to_end(ctx, &text);
    ctx.memory_mut(|m| m.request_focus(entry_id()));
}

/// Sends the entry as the new text of the user's message `id` and leaves
/// edit mode (the draft from before comes back). A message is one line:
/// the entry's lines are joined. An empty entry sends nothing.
fn send_edit(chat: &mut Chat, client: &Client, id: u64) {
    let text = chat
        .draft_mut()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if text.is_empty() {
        return;
    }
    let unchanged = chat.state.timeline().find(id).and_then(|m| m.text()) == Some(text.as_str());
    if !unchanged {
        let outcome = client.edit(chat.state.current.clone(), id, &text);
        if outcome.is_err() {
            return report(chat, outcome);
        }
    }
    chat.leave_mode();
}

/// Writes the pasted picture as a PNG under the name its dialog gives it
/// (in the download cache's `pasted` folder, off the UI thread); the
/// window shares it once written (see [`Chat::tick`]).
fn share_pasted(chat: &mut Chat, client: &Client, ctx: &egui::Context) {
    let Some(prompt) = chat.dialogs.paste.take() else {
        return;
    };
    let mut name = prompt.name.trim().replace(['/', '\\'], "-");
    if !name.to_lowercase().ends_with(".png") {
        name.push_str(".png");
    }
    let path = client.cache_dir().join("pasted").join(name);
    let image = prompt.image;
    let wake = ctx.clone();
    let written = Task::spawn(
        "paste",
        move || write_png(&image, &path).map(|()| path),
        move || wake.request_repaint(),
    );
    match written {
        Ok(task) => chat.pasting.push(task),
        Err(e) => {
            let line = (tr(ctx).dialogs.paste_failed)(&e.to_string());
            chat.state.push(Tone::Warning, line);
        }
    }
}

/// Writes `image` to `path` as a PNG, making its folder.
fn write_png(image: &egui::ColorImage, path: &std::path::Path) -> Result<(), String> {
    let [width, height] = image.size;
    let bytes: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(|pixel| pixel.to_srgba_unmultiplied())
        .collect();
    let too_big = || "the picture is too big".to_owned();
    let width = u32::try_from(width).map_err(|_| too_big())?;
    let height = u32::try_from(height).map_err(|_| too_big())?;
    let picture = image::RgbaImage::from_raw(width, height, bytes).ok_or_else(too_big)?;
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(|e| e.to_string())?;
    }
    picture
        .save_with_format(path, image::ImageFormat::Png)
        .map_err(|e| e.to_string())
}

/// Shows a refusal made before anything reached the server, in plain
/// words (the server's own answer comes as an event).
fn report(chat: &mut Chat, outcome: Result<(), SendError>) {
    if let Err(e) = outcome {
        let why = chat.state.language.strings().send(&e);
        chat.state.push(Tone::Warning, format!("[!] {why}"));
    }
}

/// Sends the draft of the current conversation, one message per line
/// (a message is one line on the wire), by the terminal client's rules:
/// `@name text` privately, `#room text` to a room the user is in, a `/`
/// command carried out here, anything else to the current conversation.
/// What stops a line keeps it and the lines after it in the entry.
/// Returns what a command asks of the app.
fn send(chat: &mut Chat, client: &Client, ctx: &egui::Context) -> Vec<Action> {
    ctx.memory_mut(|m| m.request_focus(entry_id()));
    if let Some(id) = chat.editing() {
        send_edit(chat, client, id);
        return Vec::new();
    }
    let lines = lines_to_send(chat.draft_mut());
    let mut follow = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        // In reply mode the first line answers the message; a command
        // stays a command.
        let sent = match chat.replying() {
            Some(to) if n == 0 && !line.starts_with('/') => reply(line, to, chat, client),
            _ => send_line(line, chat, client, ctx),
        };
        match sent {
            Some(actions) => follow.extend(actions),
            None => {
                *chat.draft_mut() = lines[n..].join("\n");
                return follow;
            }
        }
    }
    if !lines.is_empty() {
        chat.draft_mut().clear();
        chat.view_mut().scroll_to_bottom();
    }
    follow
}

/// The draft's lines to send, blank ones left out. A first line that
/// starts with `@name` or `#room` sends every line there, so the rest of
/// a private message does not go to everyone.
pub fn lines_to_send(draft: &str) -> Vec<String> {
    let mut lines: Vec<&str> = draft
        .lines()
        .map(str::trim_end)
        .filter(|line| !line.trim().is_empty())
        .collect();
    let target = lines
        .first()
        .and_then(|first| first.split_whitespace().next())
        .filter(|word| word.len() > 1 && (word.starts_with('@') || word.starts_with('#')));
    let Some(target) = target else {
        return lines.into_iter().map(str::to_owned).collect();
    };
    if lines.len() > 1 && lines[0].trim() == target {
        lines.remove(0);
        return lines
            .iter()
            .map(|line| format!("{target} {line}"))
            .collect();
    }
    lines
        .iter()
        .enumerate()
        .map(|(n, line)| match n {
            0 => (*line).to_owned(),
            _ => format!("{target} {line}"),
        })
        .collect()
}

/// Sends `line` as the answer to message `to` of the current
/// conversation and leaves reply mode; `None` if it was refused (the
/// reason is shown, reply mode stays).
fn reply(line: &str, to: u64, chat: &mut Chat, client: &Client) -> Option<Vec<Action>> {
    match client.reply(chat.state.current.clone(), to, line) {
        Ok(message) => {
            chat.state.sent(&message);
            chat.leave_mode();
            Some(Vec::new())
        }
        Err(e) => {
            report(chat, Err(e));
            None
        }
    }
}

/// Sends one line or carries out its command; `None` if it was refused
/// (the reason is shown).
fn send_line(
    line: &str,
    chat: &mut Chat,
    client: &Client,
    ctx: &egui::Context,
) -> Option<Vec<Action>> {
    if let Some(parsed) = slash::parse(line) {
        return match parsed {
            Ok(command) => Some(slash_command(command, chat, client, ctx)),
            Err(e) => {
                let why = e.words(&tr(ctx).notices);
                chat.state.push(Tone::Warning, format!("[!] {why}"));
                None
            }
        };
    }
    match client.send_input(line) {
        Ok(message) => {
            chat.state.sent(&message);
            Some(Vec::new())
        }
        Err(SendError::Input(InputError::MissingMessage)) => {
            chat.state.push(Tone::Warning, tr(ctx).write_as_private);
            None
        }
        Err(e) => {
            report(chat, Err(e));
            None
        }
    }
}

/// Carries out a typed command: the desktop's own here or as the action
/// its button is, a shared one through the library.
fn slash_command(
    command: Slash,
    chat: &mut Chat,
    client: &Client,
    ctx: &egui::Context,
) -> Vec<Action> {
    let state = &mut chat.state;
    let notices = &tr(ctx).notices;
    let follow = match command {
        Slash::Help => {
            for line in notices.help {
                state.push(Tone::Notice, *line);
            }
            return Vec::new();
        }
        Slash::Files => {
            let here = state.current.to_string();
            let lines: Vec<String> = state
                .current_files()
                .map(|files| {
                    files
                        .values()
                        .map(|f| format!("    {} · {} · {}", f.name, ByteSize(f.size), f.uploader))
                        .collect()
                })
                .unwrap_or_default();
            if lines.is_empty() {
                state.push(Tone::Notice, (notices.no_files)(&here));
            } else {
                state.push(Tone::Notice, (notices.files_in)(&here));
                for line in lines {
                    state.push(Tone::Notice, line);
                }
            }
            return Vec::new();
        }
        Slash::Users => {
            let users: Vec<String> = state.online.values().cloned().collect();
            state.push(Tone::Notice, (notices.online_users)(&users.join(", ")));
            return Vec::new();
        }
        Slash::Clear => vec![Action::Clear],
        Slash::Cancel => state
            .transfers
            .keys()
            .map(|id| Action::Cancel(*id))
            .collect(),
        Slash::More => vec![Action::LoadOlder],
        Slash::Retry => state
            .failed_tokens()
            .into_iter()
            .map(Action::Retry)
            .collect(),
        Slash::Discard => state
            .failed_tokens()
            .into_iter()
            .map(Action::Discard)
            .collect(),
        Slash::Send(path) => vec![Action::SendPath(path.into())],
        Slash::Get(name) => vec![Action::Download { name, open: true }],
        Slash::Open(name) => {
            let path = client.cache_dir().join(&name);
            if !path.is_file() {
                state.push(Tone::Warning, (notices.not_downloaded)(&name));
                return Vec::new();
            }
            vec![Action::Open(path)]
        }
        Slash::Quit => return vec![Action::Exit],
        Slash::TerminalOnly(verb) => {
            let why = (notices.terminal_only)(&verb);
            state.push(Tone::Warning, format!("[!] {why}"));
            return Vec::new();
        }
        Slash::Shared(ChatCommand::Go { conversation }) => vec![Action::Go(conversation)],
        Slash::Shared(ChatCommand::Rooms) => vec![Action::BrowseRooms],
        Slash::Shared(command) => {
            report(chat, client.perform(&command));
            return Vec::new();
        }
    };
    let mut rest = Vec::new();
    for action in follow {
        rest.extend(run(action, chat, client, ctx));
    }
    rest
}

/// How many downloaded files the cache holds and their size: what Clear
/// removes (the engine's unfinished downloads, hidden, stay).
fn cache_usage(dir: &std::path::Path) -> (u64, u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (0, 0);
    };
    entries
        .flatten()
        .filter(|entry| !entry.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|entry| entry.metadata().ok())
        .filter(|meta| meta.is_file())
        .fold((0, 0), |(files, bytes), meta| {
            (files + 1, bytes + meta.len())
        })
}

/// Asks for the page before the oldest message of the current
/// conversation shown.
fn load_older(chat: &mut Chat, client: &Client) {
    let timeline = chat.state.timeline_mut();
    if timeline.history.loading || !timeline.history.more {
        return;
    }
    let before = timeline.history.oldest;
    match client.load_before(timeline.conversation.clone(), before, OLDER_PAGE) {
        Ok(()) => timeline.history.loading = true,
        Err(SendError::OldServer) => timeline.history.more = false,
        // Not connected: asked again once back.
        Err(e) => tracing::debug!(error = %e, "cannot ask for older messages"),
    }
}

/// Puts a conversation in view and makes it where plain lines go; what is
/// unread there is reported read (the engine sends it at its pace).
fn go(chat: &mut Chat, client: &Client, conversation: Conversation, ctx: &egui::Context) {
    match client.go(conversation) {
        Ok(conversation) => {
            let unread = chat
                .state
                .conversations
                .get(&conversation)
                .is_some_and(|info| info.unread > 0);
            chat.state.go(conversation.clone());
            if unread {
                client.mark_all_read(conversation);
            }
            ctx.memory_mut(|m| m.request_focus(entry_id()));
        }
        Err(e) => report(chat, Err(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::lines_to_send;

    #[test]
    fn each_line_goes_where_the_first_one_goes() {
        assert_eq!(lines_to_send("hi\n\n  \nthere\r\n"), ["hi", "there"]);
        assert_eq!(
            lines_to_send("@An xin chào\nbạn khoẻ không?"),
            ["@An xin chào", "@An bạn khoẻ không?"]
        );
        assert_eq!(lines_to_send("@An\nhi\nho"), ["@An hi", "@An ho"]);
        assert_eq!(lines_to_send("#team one\ntwo"), ["#team one", "#team two"]);
        assert_eq!(lines_to_send("/help"), ["/help"]);
        assert_eq!(lines_to_send("@An"), ["@An"]);
        assert!(lines_to_send(" \n ").is_empty());
    }
}
