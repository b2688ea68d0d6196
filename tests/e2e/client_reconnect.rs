//! The client library across a server restart on the same address: by
//! itself with `auto_reconnect`, or when asked with `Client::reconnect`.

use media_chat_client::{Event, SendError};
use media_chat_e2e::TestServer;

use crate::client::{WAIT, connect_with, join, text, wait_collect, wait_for};

#[test]
fn auto_reconnect_logs_in_again_after_a_restart() {
    let mut server = TestServer::start();
    let alice = connect_with(server.addr(), "alice", |config| {
        config.auto_reconnect = true
    });
    wait_for(&alice, WAIT, |e| *e == Event::HistoryEnd);
    let bob = connect_with(server.addr(), "bob", |config| config.auto_reconnect = true);
    wait_for(&bob, WAIT, |e| *e == Event::HistoryEnd);

    server.restart_same_addr();
    for client in [&alice, &bob] {
        wait_for(client, WAIT, |e| matches!(e, Event::Disconnected { .. }));
        let (between, _) = wait_collect(client, WAIT, |e| matches!(e, Event::LoggedIn { .. }));
        assert!(
            matches!(
                between.first(),
                Some(Event::Reconnecting { attempt: 1, .. })
            ),
            "{}: {between:#?}",
            client.user()
        );
        assert!(client.is_connected());
    }
    alice.send_text("after the restart").unwrap();
    wait_for(&bob, WAIT, |e| *e == text("alice", "after the restart"));
}

#[test]
fn reconnect_on_request_when_auto_reconnect_is_off() {
    let mut server = TestServer::start();
    let alice = connect_with(server.addr(), "alice", |_| {});
    wait_for(&alice, WAIT, |e| *e == Event::HistoryEnd);

    server.restart_same_addr();
    wait_for(&alice, WAIT, |e| matches!(e, Event::Disconnected { .. }));
    assert!(!alice.is_connected());
    assert!(matches!(
        alice.send_text("into the void"),
        Err(SendError::NotConnected)
    ));
    // Whatever is queued now came without being asked for.
    let unasked: Vec<Event> = alice.events().try_iter().collect();
    assert!(
        !unasked
            .iter()
            .any(|e| matches!(e, Event::Reconnecting { .. } | Event::LoggedIn { .. })),
        "reconnected by itself: {unasked:#?}"
    );

    alice.reconnect();
    let (between, _) = wait_collect(&alice, WAIT, |e| {
        *e == Event::LoggedIn {
            user: "alice".into(),
        }
    });
    assert!(
        matches!(between.as_slice(), [Event::Reconnecting { attempt: 1, .. }]),
        "{between:#?}"
    );
    wait_for(&alice, WAIT, |e| *e == Event::HistoryEnd);
    let bob = join(&server, "bob");
    alice.send_text("back again").unwrap();
    wait_for(&bob, WAIT, |e| *e == text("alice", "back again"));
}
