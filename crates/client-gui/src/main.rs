//! `media-chat`: the desktop client's window.

use std::io::IsTerminal;

use media_chat_gui::{App, Paths, fonts};

fn main() -> eframe::Result {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("media-chat")
            .with_app_id("media-chat")
            .with_inner_size([980.0, 680.0])
            .with_min_inner_size([560.0, 400.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    let app = App::new(Paths::from_system());
    let background = app.background();
    let closed = eframe::run_native(
        "media-chat",
        options,
        Box::new(|cc| {
            fonts::install(&cc.egui_ctx);
            Ok(Box::new(Window(app)))
        }),
    );
    // The window is gone; finish logging out (QUIT after what was sent,
    // transfers cancelled) and stopping a hosted server before exiting.
    background.wait();
    closed
}

/// Connects [`App`] to eframe.
struct Window(App);

impl eframe::App for Window {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.0.tick(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.0.draw(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.0.shut_down();
    }
}
