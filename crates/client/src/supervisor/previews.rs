//! The supervisor's part in previews: the `PREVIEW` and `PREVIEW_DATA`
//! lines as events, the files shared so far (so a preview updates its
//! share's message, and a fetch finds the file's hash), and the preview
//! cache.

use std::collections::{HashMap, VecDeque};

use media_chat_protocol::{ClientMessage, Conversation, PreviewStatus, Sha256Digest};

use super::Supervisor;
use crate::conversations::key;
use crate::event::Event;
use crate::message::{Body, Message};

/// How many shared files are remembered; the oldest go first.
const KEPT_SHARES: usize = 4096;

/// The error an older version 3 server gives `PREVIEWS|1`: it makes no
/// previews, which is no news for the user.
const UNKNOWN_PREVIEWS: &str = "Bad command: unknown command \"PREVIEWS\"";

/// Its answer to a `PREVIEW` asked before its refusal of `PREVIEWS|1`
/// came (fetches for the welcome's shares cross it).
const UNKNOWN_PREVIEW: &str = "Bad command: unknown command \"PREVIEW\"";

/// The files shared that this client has seen, by conversation and name.
#[derive(Default)]
pub(super) struct Shares {
    messages: HashMap<(String, String), Message>,
    order: VecDeque<(String, String)>,
}

impl Shares {
    /// Remembers `message` if it is a share.
    pub(super) fn seen(&mut self, message: &Message) {
        let Body::File { name, .. } = &message.body else {
            return;
        };
        let at = (key(&message.conversation), name.clone());
        if self.messages.insert(at.clone(), message.clone()).is_none() {
            self.order.push_back(at);
        }
        while self.order.len() > KEPT_SHARES {
            if let Some(oldest) = self.order.pop_front() {
                self.messages.remove(&oldest);
            }
        }
    }

    fn get_mut(&mut self, conversation: &Conversation, name: &str) -> Option<&mut Message> {
        self.messages.get_mut(&(key(conversation), name.to_owned()))
    }
}

impl Supervisor {
    /// Asks for previews on a new version 3 connection, if wanted.
    pub(super) fn ask_for_previews(&mut self) {
        if self.config.previews && self.session.version >= 3 {
            self.session.previews_asked = self.write(&ClientMessage::Previews { on: true });
        }
    }

    /// Whether `reason` is an older server's answer to `PREVIEWS|1` or to
    /// a `PREVIEW`, which the user need not hear of: from then on nothing
    /// is asked of it.
    pub(super) fn previews_refused(&mut self, reason: &str) -> bool {
        let refused = (self.session.previews_asked && reason == UNKNOWN_PREVIEWS)
            || reason == UNKNOWN_PREVIEW;
        if refused {
            self.session.previews_asked = false;
            self.session.no_previews = true;
        }
        refused
    }

    /// [`crate::Client::fetch_preview`]: from the cache if this client has
    /// fetched the same contents before, else from the server.
    pub(super) fn fetch_preview(&mut self, conversation: Conversation, name: String) {
        let sha256 = self
            .shares
            .get_mut(&conversation, &name)
            .and_then(|message| match &message.body {
                Body::File { sha256, .. } => Some(*sha256),
                _ => None,
            });
        if let Some(sha256) = sha256
            && let Some((preview, data, path)) = self.preview_cache.load(&sha256)
        {
            return self.sink.emit(Event::PreviewFetched {
                conversation,
                name,
                sha256,
                preview,
                data,
                path: Some(path),
            });
        }
        if self.session.no_previews {
            return;
        }
        if !self.write(&ClientMessage::Preview { conversation, name }) {
            tracing::debug!("not connected: a preview was not asked for");
        }
    }

    /// `PREVIEW|conversation|name|sha256|kind|…`: pending, or made (the
    /// share's message takes it); a made one may be the head of a fetch's
    /// answer, whose `PREVIEW_DATA` follows.
    pub(super) fn preview_line(
        &mut self,
        conversation: Conversation,
        name: String,
        sha256: Sha256Digest,
        status: PreviewStatus,
    ) {
        let preview = match status {
            PreviewStatus::Pending => {
                return self.sink.emit(Event::PreviewPending {
                    conversation,
                    name,
                    sha256,
                });
            }
            PreviewStatus::Ready(preview) => Some(preview),
            PreviewStatus::None => None,
        };
        self.session.preview_head = preview
            .clone()
            .map(|preview| (conversation.clone(), name.clone(), sha256, preview));
        let share = self.shares.get_mut(&conversation, &name).map(|message| {
            message.set_preview(&sha256, preview.clone());
            message.clone()
        });
        self.sink.emit(Event::PreviewReady {
            conversation,
            name,
            sha256,
            preview,
            share,
        });
    }

    /// A `PREVIEW_DATA` body, after its `PREVIEW` line: kept in the cache
    /// and handed over.
    pub(super) fn preview_data(&mut self, conversation: Conversation, name: String, data: Vec<u8>) {
        let Some((_, head_name, sha256, preview)) = self
            .session
            .preview_head
            .take()
            .filter(|(at, head_name, _, _)| key(at) == key(&conversation) && *head_name == name)
        else {
            tracing::warn!(file = %name, "preview bytes without their PREVIEW line");
            return;
        };
        let path = match self.preview_cache.store(&sha256, &preview, &data) {
            Ok(path) => Some(path),
            Err(e) => {
                tracing::warn!(error = %e, "could not keep a preview in the cache");
                None
            }
        };
        self.sink.emit(Event::PreviewFetched {
            conversation,
            name: head_name,
            sha256,
            preview,
            data,
            path,
        });
    }
}
