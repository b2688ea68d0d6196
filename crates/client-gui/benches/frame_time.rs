//! Frame time of the chat pane with 100 and with 10,000 rows (three in four
//! of them messages, one in four of those with markup, a link and colour
//! emoji): only the rows in view are laid out, so the two should cost
//! about the same.
//! Run with `cargo bench -p media-chat-gui --bench frame_time`.

use criterion::{Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use media_chat_client::display::Tone;
use media_chat_client::{Body, Conversation, Delivery, Event, Message, Origin};
use media_chat_gui::fonts;
use media_chat_gui::state::State;
use media_chat_gui::thumbnails::Thumbnails;
use media_chat_gui::ui::chat::{ChatView, chat_pane};

struct Pane {
    view: ChatView,
    state: State,
    thumbnails: Thumbnails,
}

fn pane(messages: usize) -> Harness<'static, Pane> {
    let mut state = State::new("minh");
    let said = |n: usize, conversation: Conversation, author: &str, text: String| Message {
        conversation,
        author: author.to_owned(),
        body: Body::Text(text),
        ts: 1_764_000_000 + n as u64 * 30,
        state: Delivery::Sent {
            id: Some(n as u64 + 1),
        },
    };
    for n in 0..messages {
        let message = match n % 4 {
            // Markup, a link and colour emoji: the rich-text path.
            0 => said(
                n,
                Conversation::general(),
                "an",
                format!(
                    "tin nhắn số **{n}** — xin chào *cả lớp* 😀🎉, xem `bài {n}` ở https://example.com/bai-tap"
                ),
            ),
            1 => said(
                n,
                Conversation::general(),
                "minh",
                format!(
                    "trả lời {n}, a somewhat longer line that wraps onto a second row when the pane is narrow enough to need it"
                ),
            ),
            2 => said(
                n,
                Conversation::general(),
                "bình",
                format!("riêng tư {n}, plain text"),
            ),
            _ => {
                state.push(Tone::Notice, format!("[i] người dùng {n} joined"));
                continue;
            }
        };
        state.apply(Event::Message {
            message,
            origin: Origin::Backlog,
        });
    }
    let pane = Pane {
        view: ChatView::default(),
        state,
        thumbnails: Thumbnails::default(),
    };
    Harness::builder()
        .with_size(egui::vec2(760.0, 600.0))
        .with_context_setup(fonts::install)
        .build_ui_state(
            |ui, pane: &mut Pane| {
                chat_pane(
                    ui,
                    &mut pane.view,
                    &pane.state,
                    &pane.thumbnails,
                    &[],
                    "127.0.0.1:5555",
                );
            },
            pane,
        )
}

fn frame_time(c: &mut Criterion) {
    let mut group = c.benchmark_group("chat pane frame");
    for messages in [100, 10_000] {
        let mut harness = pane(messages);
        harness.run_steps(3);
        group.bench_function(format!("{messages} messages"), |b| {
            b.iter(|| harness.step())
        });
    }
    group.finish();
}

criterion_group!(benches, frame_time);
criterion_main!(benches);
