//! Leaving gracefully, for a deploy: on SIGTERM the replica says it is not ready, takes no
//! new answer streams, and lets the answers it streams go on for the drain time
//! (`AGNO_CHAT_DRAIN_SECS`). Those still streaming then are closed as cut off: AgentOS
//! runs them in the background, and each browser resumes its answer through another
//! replica from the last event it saw, as after any dropped connection.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::watch;

struct Drain {
    draining: AtomicBool,
    close: watch::Sender<bool>,
}

fn drain() -> &'static Drain {
    static DRAIN: OnceLock<Drain> = OnceLock::new();
    DRAIN.get_or_init(|| Drain {
        draining: AtomicBool::new(false),
        close: watch::channel(false).0,
    })
}

/// Starts draining: the streams under way are closed after `drain_for`.
pub fn begin(drain_for: Duration) {
    if drain().draining.swap(true, Ordering::SeqCst) {
        return;
    }
    tracing::info!(
        drain_s = drain_for.as_secs(),
        "draining: no new answers here; those under way may go on for the drain time"
    );
    tokio::spawn(async move {
        tokio::time::sleep(drain_for).await;
        tracing::info!(
            "drain time over: closing the answers still streaming, to be resumed elsewhere"
        );
        drain().close.send_replace(true);
    });
}

/// Whether this replica is leaving.
pub fn draining() -> bool {
    drain().draining.load(Ordering::SeqCst)
}

/// Resolves once the streams under way must close (never, unless draining).
pub async fn closing() {
    let mut rx = drain().close.subscribe();
    let _ = rx.wait_for(|closed| *closed).await;
}
