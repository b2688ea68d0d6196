//! Lines per second through the protocol crate's parser and encoder, for
//! the lines that dominate a busy room: a client's `TEXT`, the server's
//! `TEXT` fan-out copy, and a few others for contrast.
//!
//! `cargo bench -p media-chat-bench --bench protocol`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use media_chat_protocol::{
    ClientMessage, EncodeLine, HistoryEntry, ParseLine, ServerMessage, Sha256Digest,
};

fn client_lines() -> Vec<(&'static str, ClientMessage)> {
    vec![
        (
            "text_64b",
            ClientMessage::Text {
                text: "12 345 1234567890 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx".into(),
            },
        ),
        (
            "dm",
            ClientMessage::Dm {
                to: "trần_hải.đăng".into(),
                text: "tối nay họp nhé | 7 giờ".into(),
            },
        ),
        (
            "login",
            ClientMessage::Login {
                user: "minh".into(),
                password: "correct horse battery staple".into(),
            },
        ),
        (
            "file",
            ClientMessage::File {
                name: "lớp học.png".into(),
                size: 10_485_760,
                sha256: Sha256Digest([0x9f; 32]),
            },
        ),
    ]
}

fn server_lines() -> Vec<(&'static str, ServerMessage)> {
    vec![
        (
            "text_64b",
            ServerMessage::Text {
                from: "u123".into(),
                text: "12 345 1234567890 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx".into(),
            },
        ),
        ("joined", ServerMessage::Joined { user: "an".into() }),
        (
            "history_text",
            ServerMessage::History {
                ts: 1_764_072_000,
                entry: HistoryEntry::Text {
                    from: "an".into(),
                    text: "chào cả nhà".into(),
                },
            },
        ),
        (
            "file_shared",
            ServerMessage::FileShared {
                user: "an".into(),
                name: "bài tập.txt".into(),
                size: 20,
                sha256: Sha256Digest([0x9f; 32]),
            },
        ),
    ]
}

fn bench_group<M: ParseLine + EncodeLine>(c: &mut Criterion, side: &str, lines: Vec<(&str, M)>) {
    let mut group = c.benchmark_group(side);
    group.throughput(Throughput::Elements(1));
    for (name, message) in &lines {
        let mut encoded = Vec::new();
        if message.encode(&mut encoded).is_err() {
            continue;
        }
        let line = String::from_utf8_lossy(&encoded[..encoded.len() - 1]).into_owned();
        group.bench_function(format!("parse/{name}"), |b| {
            b.iter(|| M::parse_line(black_box(&line)))
        });
        let mut out = Vec::with_capacity(256);
        group.bench_function(format!("encode/{name}"), |b| {
            b.iter(|| {
                out.clear();
                black_box(message).encode(&mut out)
            })
        });
    }
    group.finish();
}

fn protocol(c: &mut Criterion) {
    bench_group(c, "client", client_lines());
    bench_group(c, "server", server_lines());
}

criterion_group!(benches, protocol);
criterion_main!(benches);
