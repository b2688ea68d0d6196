//! Previews through the client library: with `previews` on, a share is
//! followed by its pending and ready events, the latter carrying the share
//! with its preview; `fetch_preview` delivers the thumbnail, keeps it in
//! the cache by the file's hash, and serves it from there the next time.
//!
//! See: issue 13, "Previews".

use std::time::Duration;

use image::{GenericImageView, ImageFormat};
use media_chat_client::phrases::ENGLISH;
use media_chat_client::{Body, Conversation, Event, Preview, Transport};
use media_chat_e2e::media::picture;
use media_chat_e2e::{TestServer, sha256_hex};

use crate::client::{TestClient, WAIT, connect_with, wait_for, write_file};

/// Long enough for a preview on a busy machine.
const PATIENCE: Duration = Duration::from_secs(60);

/// `user` with previews on, its welcome read.
fn join_with_previews(server: &TestServer, user: &str) -> TestClient {
    let trust = server.fingerprint();
    let client = connect_with(server.addr(), user, |config| {
        config.transport = Transport::Tls {
            known_servers: None,
            trust: Some(trust),
        };
        config.previews = true;
    });
    wait_for(&client, WAIT, |e| *e == Event::Synced);
    client
}

#[test]
fn a_share_gets_its_preview_and_fetch_preview_brings_the_thumbnail_once() {
    let server = TestServer::start();
    let an = join_with_previews(&server, "an");
    let body = picture(ImageFormat::Png, 1200, 900);
    let path = write_file(an.dir.path(), "lớp học.png", &body);
    an.send_file(&path).expect("an upload starts");

    let ready = wait_for(&an, PATIENCE, |e| matches!(e, Event::PreviewReady { .. }));
    let Event::PreviewReady {
        conversation,
        name,
        preview,
        share,
        ..
    } = ready
    else {
        unreachable!()
    };
    let expected = Preview::Image {
        width: 1200,
        height: 900,
    };
    assert_eq!(
        (conversation, name.as_str()),
        (Conversation::general(), "lớp học.png")
    );
    assert_eq!(preview.as_ref(), Some(&expected));
    let share = share.expect("the client saw the share first");
    assert!(
        matches!(&share.body, Body::File { preview: Some(p), .. } if *p == expected),
        "{share:?}"
    );
    let line =
        media_chat_client::display::event(&ready_again(&name, preview, share), "an", &ENGLISH)
            .expect("a made preview is a line")
            .text;
    assert!(
        line.starts_with("[i] lớp học.png ") && line.ends_with(" KiB, 1200×900"),
        "{line}"
    );

    an.fetch_preview(Conversation::general(), "lớp học.png")
        .expect("connected to a version 3 server");
    let fetched = wait_for(&an, PATIENCE, |e| matches!(e, Event::PreviewFetched { .. }));
    let Event::PreviewFetched {
        preview,
        data,
        path,
        ..
    } = fetched
    else {
        unreachable!()
    };
    assert_eq!(preview, expected);
    let thumbnail = image::load_from_memory(&data).expect("the thumbnail decodes");
    assert_eq!(thumbnail.dimensions(), (320, 240));
    let path = path.expect("kept in the cache");
    // Beside the downloads, which Clear empties, not among them.
    let mut previews = an.cache_dir().as_os_str().to_os_string();
    previews.push("-previews");
    let kept_at = std::path::PathBuf::from(previews).join(format!("{}.data", sha256_hex(&body)));
    assert_eq!(path, kept_at);

    // Again: from the cache, without asking the server (the bytes kept
    // there are what comes back).
    std::fs::write(&path, b"kept").expect("the cached bytes are writable");
    an.fetch_preview(Conversation::general(), "lớp học.png")
        .expect("connected to a version 3 server");
    let again = wait_for(&an, WAIT, |e| matches!(e, Event::PreviewFetched { .. }));
    assert!(
        matches!(&again, Event::PreviewFetched { data, preview: p, .. } if data == b"kept" && *p == expected),
        "{again:?}"
    );
}

/// The ready event again, for its line.
fn ready_again(name: &str, preview: Option<Preview>, share: media_chat_client::Message) -> Event {
    let Body::File { sha256, .. } = share.body else {
        unreachable!("a share")
    };
    Event::PreviewReady {
        conversation: Conversation::general(),
        name: name.to_owned(),
        sha256,
        preview,
        share: Some(share),
    }
}
