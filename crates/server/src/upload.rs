//! Receiving a `FILE` (or version 3 `UPLOAD`) upload.
//!
//! The body streams from the socket into a temporary file in `.incoming/`,
//! hashed as it arrives, never held in memory. Only a complete body whose
//! SHA-256 matches the header, and whose bytes are what its extension says
//! ([`media_chat_protocol::content`], checked as they arrive), is fsynced
//! and renamed into its conversation's folder (`server_files/` for
//! `#general`).
//! Every refusal keeps the stream in sync: a version 2 client has not sent
//! the body yet (it waits for `FILE_READY`), and a version 1 client's body is
//! read and discarded. Only a declared size over the limit closes a version 1
//! connection, rather than reading megabytes only to throw them away.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use media_chat_protocol::content::ContentCheck;
use media_chat_protocol::rules::{file_extension, normalize_file_name};
use media_chat_protocol::{ReadError, ServerMessage, Sha256Digest};
use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;
use tracing::{error, info, warn};

use crate::session::{Flow, Session, reached};
use media_chat_store::{Conversation, EventBody, NewEvent, unix_now};

/// Copy buffer for bodies.
const CHUNK: usize = 64 * 1024;

/// How receiving a body ended, short of success.
enum BodyError {
    /// The stream broke (EOF, time-out, missing newline): close.
    Stream(ReadError),
    /// The disk failed; the body was still read to the end.
    Disk(io::Error),
}

impl Session {
    /// `FILE|name|size|sha256`, then (version 2: after `FILE_READY`) the
    /// body, shared into `conversation` (`#general` for `FILE`).
    pub(crate) fn receive_file(
        &mut self,
        conversation: Conversation,
        sent_name: &str,
        size: u64,
        sha256: Sha256Digest,
    ) -> Flow {
        if size > self.ctx.config.max_file_size {
            // The seed's text, byte for byte.
            self.send_error("File too large");
            return if self.is_v2() {
                Flow::Continue
            } else {
                Flow::Close
            };
        }
        let name = match self.check_upload_name(sent_name) {
            Ok(name) => name,
            Err(reason) => return self.refuse_upload(reason, size),
        };
        // Before `FILE_READY`: an upload that does not fit costs nothing.
        let ctx = self.ctx.clone();
        let key = media_chat_protocol::rules::user_key(self.name());
        let reservation = match ctx.quotas.reserve(&key, size) {
            Ok(reservation) => reservation,
            Err(reason) => return self.refuse_upload(reason, size),
        };
        // The folder and the temporary file first: once `FILE_READY` is out,
        // the body is on its way and a refusal could only discard it.
        let prepared = self
            .ctx
            .files
            .for_upload(&conversation, &self.ctx.store)
            .and_then(|files| Ok((files, self.ctx.files.begin_upload()?)));
        let (files, upload) = match prepared {
            Ok(prepared) => prepared,
            Err(e) => {
                error!(error = %e, "could not create an upload file");
                return self.refuse_upload("The server could not store the file".to_owned(), size);
            }
        };
        if self.is_v2() {
            self.send(&ServerMessage::FileReady {
                name: sent_name.to_owned(),
            });
        }
        let extension = file_extension(&name).unwrap_or_default();
        let received = self.read_body(upload, size, ContentCheck::new(&extension));
        let (upload, digest, content) = match received {
            Ok(done) => done,
            Err(BodyError::Disk(e)) => {
                error!(error = %e, "could not write an upload");
                self.send_error("The server could not store the file");
                return Flow::Continue;
            }
            Err(BodyError::Stream(ReadError::BadBodyTerminator)) => {
                self.send_error("File body must be followed by a newline");
                return Flow::Close;
            }
            Err(BodyError::Stream(e)) => {
                warn!(peer = %self.peer, error = %e, "upload cut off; discarded");
                self.explain_body_timeout(&e);
                return Flow::Close;
            }
        };
        if digest != sha256 {
            info!(peer = %self.peer, file = %name, "upload failed its hash check; discarded");
            self.send_error("Hash mismatch: the file was damaged in transfer and was not stored");
            return Flow::Continue;
        }
        if !content.finish() {
            info!(peer = %self.peer, file = %name, "upload is not what its name says; discarded");
            self.send_error(format!("File content does not match .{extension}"));
            return Flow::Continue;
        }
        let uploader = self.user.clone().unwrap_or_default();
        // Until the share is stored: no delete comes between.
        let announcing = files.announcing();
        let stored = upload
            .as_file()
            .sync_all()
            .and_then(|()| files.commit(upload, &name, size, digest, &uploader, unix_now()));
        match stored {
            Ok((meta, fresh)) => {
                reservation.settle(fresh);
                info!(user = %uploader, file = %meta.name, size, "stored an upload");
                let (name, sha256) = (meta.name.clone(), meta.sha256);
                let share = NewEvent {
                    conversation: conversation.clone(),
                    author: uploader,
                    body: EventBody::FileShared {
                        name: meta.name,
                        size: meta.size,
                        sha256: meta.sha256,
                    },
                    token: None,
                    origin: self.id,
                    also_mentions: Vec::new(),
                };
                let appended = self.ctx.store.append(share);
                drop(announcing);
                if fresh {
                    self.ctx
                        .hub
                        .to_quota_watchers(&key, &self.ctx.quotas.line(&key));
                }
                match appended {
                    Ok(committed) => {
                        // A transfer connection is not in the chat: it
                        // learns of its own share directly.
                        if self.is_transfer_only() {
                            self.send(&crate::lines::event_line(
                                &committed.event,
                                &media_chat_protocol::rules::user_key(self.name()),
                            ));
                        }
                        // After the share's fan-out (the store answers
                        // once its sink has the event): the share comes
                        // first, then word of its preview.
                        self.preview_shared(&files, &conversation, &name, sha256);
                    }
                    Err(e) => {
                        error!(error = %e, "could not store a share");
                        self.send_error(
                            "The file was stored but could not be announced; try again",
                        );
                    }
                }
            }
            Err(e) => {
                error!(error = %e, "could not store an upload");
                self.send_error("The server could not store the file");
            }
        }
        Flow::Continue
    }

    /// The stored form of an uploaded name, or the refusal text.
    fn check_upload_name(&self, name: &str) -> Result<String, String> {
        let name = normalize_file_name(name).map_err(|e| format!("Bad file name: {e}"))?;
        let allowed = || self.ctx.config.allowed_extensions.join(", ");
        match file_extension(&name) {
            Some(extension) if self.ctx.config.extension_allowed(&extension) => Ok(name),
            Some(extension) => Err(format!(
                "File type not allowed: .{extension} (allowed: {})",
                allowed()
            )),
            None => Err(format!(
                "File type not allowed: no extension (allowed: {})",
                allowed()
            )),
        }
    }

    /// Refuses an upload, discarding a version 1 client's body.
    pub(crate) fn refuse_upload(&mut self, reason: String, size: u64) -> Flow {
        self.send_error(reason);
        if self.body_follows_header() {
            self.discard_body(size)
        } else {
            Flow::Continue
        }
    }

    /// Reads and throws away a refused upload's body of `size` bytes and its
    /// newline, so that none of it is taken for commands. A body over the
    /// upload limit is not read megabytes at a time only to be thrown
    /// away: the connection is closed instead.
    pub(crate) fn discard_body(&mut self, size: u64) -> Flow {
        if size > self.ctx.config.max_file_size {
            info!(peer = %self.peer, size, "closing rather than draining an oversized body");
            return Flow::Close;
        }
        self.bound_body(size);
        match self.reader.skip_body(size) {
            Ok(()) => Flow::Continue,
            Err(ReadError::BadBodyTerminator) => {
                self.send_error("File body must be followed by a newline");
                Flow::Close
            }
            Err(e) => {
                info!(peer = %self.peer, error = %e, "a discarded body did not arrive; closing");
                self.explain_body_timeout(&e);
                Flow::Close
            }
        }
    }

    /// Tells the client why its connection closes when a body timed out.
    fn explain_body_timeout(&self, error: &ReadError) {
        if !error.is_timeout() {
            return;
        }
        if self.user.is_none() && reached(self.login_deadline(), Instant::now()) {
            self.send_error("Login timed out");
        } else {
            self.send_error("File body did not arrive in time");
        }
    }

    /// Streams the body into `upload`, hashing it and feeding `content`.
    /// On a disk error the rest is still read, so the stream stays in sync.
    fn read_body(
        &mut self,
        mut upload: NamedTempFile,
        size: u64,
        mut content: ContentCheck,
    ) -> Result<(NamedTempFile, Sha256Digest, ContentCheck), BodyError> {
        self.bound_body(size);
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; CHUNK];
        let mut disk_error = None;
        let mut left = size;
        let mut body = self.reader.body(size);
        while left > 0 {
            let n = match body.read(&mut buf) {
                Ok(0) => return Err(BodyError::Stream(ReadError::UnexpectedEof)),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(BodyError::Stream(e.into())),
            };
            left -= n as u64;
            hasher.update(&buf[..n]);
            content.feed(&buf[..n]);
            if disk_error.is_none()
                && let Err(e) = upload.write_all(&buf[..n])
            {
                disk_error = Some(e);
            }
        }
        self.reader.finish_body().map_err(BodyError::Stream)?;
        match disk_error {
            Some(e) => Err(BodyError::Disk(e)),
            None => Ok((upload, Sha256Digest(hasher.finalize().into()), content)),
        }
    }

    /// Bounds the reading of a `size`-byte body: every read may stall at most
    /// the body time-out, and the whole body must arrive within a grace
    /// period plus the time it takes at the minimum rate, so a trickle
    /// cannot hold the connection for ever. Before login the login deadline
    /// still holds. The session loop sets the next line's deadline itself.
    fn bound_body(&mut self, size: u64) {
        let limits = &self.ctx.config.limits;
        let at_min_rate = Duration::from_secs(size / limits.body_min_rate.max(1));
        let mut deadline = Instant::now() + limits.body_grace + at_min_rate;
        if self.user.is_none() {
            deadline = deadline.min(self.login_deadline());
        }
        let stall = limits.body_read_timeout;
        let bound = self.reader.get_mut().get_mut().deadline_mut();
        bound.set(Some(deadline));
        bound.set_stall(Some(stall));
    }
}
