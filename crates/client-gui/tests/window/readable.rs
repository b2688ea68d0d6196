//! Issue 14's "Readable messages", driven through the chat window: sender
//! groups under a bold name in the sender's colour, day separators in the
//! window's language, one time format, the seed's tags.
//! See: issue 14.

use chrono::{Duration, Local, NaiveTime, TimeZone};
use egui::Color32;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use media_chat_client::{Body, Conversation, Delivery, Event, Message, Origin};
use media_chat_gui::i18n::{self, Language};
use media_chat_gui::window::Chat;
use media_chat_gui::{State, fonts};

use crate::support::colours_of;

/// A text message of `#general` (or of `conversation`).
fn said(author: &str, text: &str, ts: i64, id: u64) -> Event {
    said_in(Conversation::general(), author, text, ts, id)
}

fn said_in(conversation: Conversation, author: &str, text: &str, ts: i64, id: u64) -> Event {
    Event::Message {
        message: Message {
            conversation,
            author: author.into(),
            body: Body::Text(text.into()),
            ts: ts as u64,
            state: Delivery::Sent { id: Some(id) },
        },
        origin: Origin::Live,
    }
}

/// Seconds since the epoch of `days_ago` at `hour`:`minute`, local time.
fn at(days_ago: i64, hour: u32, minute: u32) -> i64 {
    let day = Local::now().date_naive() - Duration::days(days_ago);
    let time = day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap());
    Local
        .from_local_datetime(&time)
        .earliest()
        .unwrap()
        .timestamp()
}

/// The chat window of `minh` with `events` applied, in `language` and
/// `theme`.
fn window(events: Vec<Event>, language: Language, theme: egui::Theme) -> Harness<'static, Chat> {
    let mut state = State::new("minh");
    state.language = language;
    for event in events {
        state.apply(event);
    }
    let mut harness = Harness::builder()
        .with_size(egui::vec2(980.0, 680.0))
        .with_theme(theme)
        .with_context_setup(move |ctx| {
            fonts::install(ctx);
            i18n::install(ctx, language);
        })
        .build_ui_state(
            |ui, chat: &mut Chat| {
                chat.draw(ui, "127.0.0.1:5000", None, &[]);
            },
            Chat::new(state),
        );
    harness.run_steps(3);
    harness
}

/// Three days of chat: two of Đăng's in a row are one group, Lan's
/// between Đăng's start new ones, a pause of 10 minutes starts one too.
fn history() -> Vec<Event> {
    vec![
        said("Đăng", "tuần trước", at(5, 9, 0), 1),
        said("Lan", "hôm qua", at(1, 20, 15), 2),
        said("Đăng", "chào cả lớp", at(0, 8, 0), 3),
        said("đăng", "bài tập tuần này", at(0, 8, 1), 4),
        said("Lan", "mình gửi rồi", at(0, 8, 2), 5),
        said("Đăng", "cảm ơn", at(0, 8, 3), 6),
        said("Đăng", "à còn nữa", at(0, 8, 13), 7),
        said("minh", "ok", at(0, 8, 14), 8),
        said("minh", "mai gặp", at(0, 8, 15), 9),
    ]
}

#[test]
fn a_senders_run_shows_their_name_once_and_a_pause_or_another_sender_starts_a_new_group() {
    let harness = window(history(), Language::English, egui::Theme::Dark);
    // Đăng: a week ago, today 8:00 (two messages), 8:03, 8:13 after a pause.
    assert_eq!(harness.query_all_by_label("Đăng").count(), 4);
    assert_eq!(harness.query_all_by_label("Lan").count(), 2);
    // Each text is shown alone under the name, and read as the seed's line.
    assert!(harness.query_by_label("Đăng: chào cả lớp").is_some());
    assert!(harness.query_by_label("đăng: bài tập tuần này").is_some());
    // The user's own group: [Me], the name, "(you)"; the line reads [Me] ok.
    assert_eq!(harness.query_all_by_label("[Me]").count(), 1);
    assert!(harness.query_by_label("minh").is_some());
    assert!(harness.query_by_label("(you)").is_some());
    assert!(harness.query_by_label("[Me] mai gặp").is_some());
    // One time format, HH:MM, on every row.
    for time in ["08:00", "08:01", "08:13", "08:15", "20:15", "09:00"] {
        assert!(harness.query_by_label(time).is_some(), "{time}");
    }
    assert!(harness.query_by_label_contains("08:00:").is_none());
}

#[test]
fn day_separators_say_today_yesterday_or_the_date_in_the_systems_language() {
    let harness = window(history(), Language::English, egui::Theme::Dark);
    assert!(harness.query_by_label("Today").is_some());
    assert!(harness.query_by_label("Yesterday").is_some());
    let older = Local::now().date_naive() - Duration::days(5);
    let english = Language::English
        .strings()
        .day(older, Local::now().date_naive());
    assert!(harness.query_by_label(&english).is_some(), "{english}");

    let harness = window(history(), Language::Vietnamese, egui::Theme::Dark);
    assert!(harness.query_by_label("Hôm nay").is_some());
    assert!(harness.query_by_label("Hôm qua").is_some());
    assert!(harness.query_by_label("Today").is_none());
    let date = older.format("%d/%m/%Y").to_string();
    assert!(
        harness.query_by_label_contains(&date).is_some(),
        "{date} in Vietnamese order"
    );
    assert!(harness.query_by_label("(bạn)").is_some(), "the own name");
    // One language at a time: the toolbar too.
    assert!(harness.query_by_label("Gửi tệp").is_some());
    assert!(harness.query_by_label("Send File").is_none());
}

#[test]
fn sender_names_are_bold_in_a_colour_of_their_own_on_each_theme() {
    let events = vec![
        said("Đăng", "một", at(0, 8, 0), 1),
        said("Minh", "hai", at(0, 8, 1), 2),
    ];
    let dark = window(events.clone(), Language::English, egui::Theme::Dark);
    let light = window(events, Language::English, egui::Theme::Light);
    let colour = |h: &Harness<'static, Chat>, name: &str| {
        let found = colours_of(h, name);
        assert_eq!(found.len(), 1, "{name} drawn once: {found:?}");
        found[0]
    };
    let (dang_dark, minh_dark) = (colour(&dark, "Đăng"), colour(&dark, "Minh"));
    let (dang_light, minh_light) = (colour(&light, "Đăng"), colour(&light, "Minh"));
    assert_ne!(dang_dark, minh_dark, "two people, two colours");
    assert_ne!(dang_light, minh_light);
    assert_ne!(dang_dark, dang_light, "each theme has its own palette");
    // Not the plain text colour: the name stands out from the text.
    let text = colours_of(&dark, "một");
    assert!(!text.contains(&dang_dark), "{text:?}");
    // A light colour on the dark theme, a dark one on the light theme.
    let brightness = |c: Color32| u32::from(c.r()) + u32::from(c.g()) + u32::from(c.b());
    assert!(brightness(dang_dark) > brightness(dang_light));
}

#[test]
fn private_lines_keep_their_tag_under_the_name() {
    let bob = Conversation::Direct("bob".into());
    let events = vec![
        said_in(bob.clone(), "bob", "chào", at(0, 9, 0), 1),
        said_in(bob.clone(), "minh", "chào bạn", at(0, 9, 1), 2),
    ];
    let mut state_events = events;
    state_events.push(Event::CurrentChanged { conversation: bob });
    let harness = window(state_events, Language::English, egui::Theme::Dark);
    assert!(harness.query_by_label("[PM from bob] chào").is_some());
    assert!(harness.query_by_label("[PM → bob] chào bạn").is_some());
    assert!(harness.query_by_label("bob").is_some());
}
