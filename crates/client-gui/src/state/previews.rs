//! Shared files' previews, by the file's SHA-256: what the server said of
//! it (a picture's size, a text's line count and first lines, a PDF's
//! pages and title, a sound's length) and where its thumbnail is in the
//! cache. Asked for once per file contents, when its share is first seen.

use std::collections::HashMap;
use std::path::PathBuf;

use media_chat_client::{Conversation, Preview, Sha256Digest};
use media_chat_protocol::preview::previewable;

/// What is known of one file's preview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreviewEntry {
    /// The server is still making it.
    pub pending: bool,
    /// The preview, once made (`None` while pending, or if the file has
    /// none).
    pub preview: Option<Preview>,
    /// A picture's thumbnail, a PNG in the cache.
    pub thumbnail: Option<PathBuf>,
    /// A text's first lines.
    pub first_lines: Option<String>,
}

/// Every file's preview seen in this session.
#[derive(Debug, Clone, Default)]
pub struct Previews {
    entries: HashMap<Sha256Digest, PreviewEntry>,
}

/// A preview to ask the server (or the cache) for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// Whose file.
    pub conversation: Conversation,
    /// Its stored name.
    pub name: String,
}

impl Previews {
    /// The preview of the file with these contents, if anything is known.
    pub fn get(&self, sha256: &Sha256Digest) -> Option<&PreviewEntry> {
        self.entries.get(sha256)
    }

    /// A share of `name` (contents `sha256`) was seen: its preview is
    /// wanted unless it was asked for already.
    /// Files of a type the server makes no previews of are not asked for.
    pub fn shared(
        &mut self,
        conversation: &Conversation,
        name: &str,
        sha256: Sha256Digest,
    ) -> Option<Wanted> {
        let extension = std::path::Path::new(name)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_lowercase)
            .unwrap_or_default();
        if !previewable(&extension) || self.entries.contains_key(&sha256) {
            return None;
        }
        self.entries.insert(sha256, PreviewEntry::default());
        Some(Wanted {
            conversation: conversation.clone(),
            name: name.to_owned(),
        })
    }

    /// The server is making the preview.
    pub fn pending(&mut self, sha256: Sha256Digest) {
        self.entries.entry(sha256).or_default().pending = true;
    }

    /// The preview is made (`None`: the file has none). Returns whether it
    /// has bytes to fetch (a thumbnail or first lines) not yet here.
    pub fn ready(&mut self, sha256: Sha256Digest, preview: Option<Preview>) -> bool {
        let entry = self.entries.entry(sha256).or_default();
        entry.pending = false;
        let has_data = preview
            .as_ref()
            .is_some_and(|p| matches!(p, Preview::Image { .. } | Preview::Text { .. }));
        entry.preview = preview;
        has_data && entry.thumbnail.is_none() && entry.first_lines.is_none()
    }

    /// The preview's bytes came: a thumbnail kept at `path`, or first lines.
    pub fn fetched(
        &mut self,
        sha256: Sha256Digest,
        preview: Preview,
        data: &[u8],
        path: Option<PathBuf>,
    ) {
        let entry = self.entries.entry(sha256).or_default();
        entry.pending = false;
        match preview {
            Preview::Image { .. } => entry.thumbnail = path,
            Preview::Text { .. } => {
                entry.first_lines = Some(String::from_utf8_lossy(data).into_owned())
            }
            Preview::Pdf { .. } | Preview::Audio { .. } => {}
        }
        entry.preview = Some(preview);
    }

    /// The server has no preview for a file (its answer to a fetch).
    pub fn none(&mut self, sha256: Sha256Digest) {
        let entry = self.entries.entry(sha256).or_default();
        entry.pending = false;
    }
}

#[cfg(test)]
mod tests {
    use media_chat_client::{Conversation, Preview, Sha256Digest};

    use super::Previews;

    #[test]
    fn a_preview_is_asked_for_once_and_its_bytes_only_when_it_has_some() {
        let sha = Sha256Digest([1; 32]);
        let mut previews = Previews::default();
        let wanted = previews.shared(&Conversation::general(), "ảnh.png", sha);
        assert_eq!(wanted.map(|w| w.name), Some("ảnh.png".to_owned()));
        assert!(
            previews
                .shared(&Conversation::general(), "ảnh (1).png", sha)
                .is_none()
        );
        assert!(
            previews
                .shared(&Conversation::general(), "bài.zip", Sha256Digest([3; 32]))
                .is_none()
        );
        assert!(previews.ready(
            sha,
            Some(Preview::Image {
                width: 1920,
                height: 1080
            })
        ));
        previews.fetched(
            sha,
            Preview::Image {
                width: 1920,
                height: 1080,
            },
            b"",
            Some("/c/x.png".into()),
        );
        let entry = previews.get(&sha).unwrap();
        assert!(!entry.pending);
        assert_eq!(
            entry.thumbnail.as_deref(),
            Some(std::path::Path::new("/c/x.png"))
        );
        let song = Sha256Digest([2; 32]);
        assert!(!previews.ready(
            song,
            Some(Preview::Audio {
                duration_ms: 205_000
            })
        ));
    }
}
