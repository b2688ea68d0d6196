//! [`EventSink`]: where the client's threads put events for the caller.
//! The supervisor and each transfer get one; none of them sees anything
//! else of the client.

use crossbeam_channel::{Receiver, Sender, TrySendError, select};

use crate::config::Waker;
use crate::event::Event;

/// Events waiting for the caller. A whole welcome (limits, the user list,
/// a backlog of up to 100 messages per conversation) fits many times over,
/// so a login never waits on the caller, and a chat at human speed never
/// fills it. A flood does: then the supervisor waits, and so does the
/// reader behind it (see `link`), and at most this many events of at most
/// ~7 KiB of text each, under 8 MiB, are held.
pub(crate) const EVENT_QUEUE: usize = 1024;

/// The sending side of the caller's event queue.
#[derive(Clone)]
pub(crate) struct EventSink {
    tx: Sender<Event>,
    waker: Option<Waker>,
    /// Disconnects when quit begins (see [`Closing`]).
    closed: Receiver<()>,
}

/// Held by the client; dropping its sender tells every [`EventSink`] that
/// nobody will read any more, which wakes every wait on a full queue.
pub(crate) struct Closing(parking_lot::Mutex<Option<Sender<()>>>);

impl Closing {
    /// Says that quit has begun.
    pub(crate) fn close(&self) {
        drop(self.0.lock().take());
    }
}

/// A bounded event queue: the sink, the closing switch, and the caller's end.
pub(crate) fn event_queue(waker: Option<Waker>) -> (EventSink, Closing, Receiver<Event>) {
    let (tx, rx) = crossbeam_channel::bounded(EVENT_QUEUE);
    let (closing, closed) = crossbeam_channel::bounded(0);
    let sink = EventSink { tx, waker, closed };
    (sink, Closing(parking_lot::Mutex::new(Some(closing))), rx)
}

impl EventSink {
    /// Queues an event for the caller and wakes it. While the queue is
    /// full this waits for the caller to take events, unless quit begins:
    /// then nobody is reading, and the event is dropped.
    pub(crate) fn emit(&self, event: Event) {
        let queued = match self.tx.try_send(event) {
            Ok(()) => true,
            Err(TrySendError::Full(event)) => select! {
                send(self.tx, event) -> sent => sent.is_ok(),
                recv(self.closed) -> _ => false,
            },
            Err(TrySendError::Disconnected(_)) => false,
        };
        if queued && let Some(wake) = &self.waker {
            wake();
        }
    }
}
