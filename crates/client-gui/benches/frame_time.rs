//! Frame time of the chat pane with 100 and with 10,000 messages: only the
//! rows in view are laid out, so the two should cost about the same.
//! Run with `cargo bench -p media-chat-gui --bench frame_time`.

use criterion::{Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use media_chat_client::display::Tone;
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
    for n in 0..messages {
        let (kind, text) = match n % 4 {
            0 => (
                Tone::Public,
                format!("an: tin nhắn số {n} — xin chào cả lớp 😀"),
            ),
            1 => (
                Tone::Mine,
                format!(
                    "[Me] trả lời {n}, a somewhat longer line that wraps onto a second row when the pane is narrow enough to need it"
                ),
            ),
            2 => (Tone::PrivateIn, format!("[PM from bình] riêng tư {n}")),
            _ => (Tone::Notice, format!("[i] người dùng {n} joined")),
        };
        state.push(kind, text);
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
