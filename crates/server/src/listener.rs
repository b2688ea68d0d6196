//! The accept loop: admits connections within the limits and gives each its
//! own named session thread.

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use media_chat_protocol::{EncodeLine, ServerMessage};
use tracing::{error, warn};

use crate::connections::Connections;
use crate::session::{Context, Session};
use crate::shutdown::Shutdown;

/// Stack size of a session thread. Sessions parse lines and hash bodies
/// with heap buffers; argon2's memory is on the heap too.
pub(crate) const SESSION_STACK: usize = 256 * 1024;

/// Pause after an `accept` error (such as running out of file
/// descriptors) so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Accepts connections until `shutdown` is triggered.
pub(crate) fn accept_loop(
    listener: &TcpListener,
    ctx: &Arc<Context>,
    connections: &Arc<Connections>,
    shutdown: &Shutdown,
) {
    let next_id = AtomicU64::new(1);
    loop {
        let accepted = listener.accept();
        if shutdown.is_triggered() {
            return;
        }
        match accepted {
            Ok((stream, peer)) => admit(
                stream,
                peer,
                next_id.fetch_add(1, Ordering::Relaxed),
                ctx,
                connections,
            ),
            Err(e) => {
                warn!(error = %e, "accept failed");
                thread::sleep(ACCEPT_BACKOFF);
            }
        }
    }
}

fn admit(
    stream: TcpStream,
    peer: SocketAddr,
    id: u64,
    ctx: &Arc<Context>,
    connections: &Arc<Connections>,
) {
    let admission = match connections.admit(peer.ip()) {
        Ok(admission) => admission,
        Err(refusal) => {
            warn!(%peer, reason = refusal.reason(), "connection refused");
            refuse(stream, refusal.reason());
            return;
        }
    };
    let ctx = ctx.clone();
    let spawned = thread::Builder::new()
        .name(format!("session-{id}"))
        .stack_size(SESSION_STACK)
        .spawn(move || Session::serve(ctx, id, stream, peer, admission));
    if let Err(e) = spawned {
        error!(%peer, error = %e, "could not start a session thread");
    }
}

/// Tells a refused client why, without letting it block the accept loop.
fn refuse(mut stream: TcpStream, reason: &str) {
    if let Ok(line) = ServerMessage::error(reason).to_line() {
        let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
        let _ = stream.write_all(&line);
    }
}
