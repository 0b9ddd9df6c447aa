//! Whether the chat can reach AgentOS. A background task (browser only) polls the server,
//! slowly while AgentOS is up and with backoff while it is down, so the page switches to
//! the "chat unavailable" view and back by itself.

use leptos::prelude::*;

/// What the page knows about AgentOS.
#[derive(Clone, Debug, PartialEq)]
pub enum Availability {
    /// No answer yet (first render, before the browser asked).
    Checking,
    Up,
    Down {
        reason: String,
    },
}

/// Shared connection state.
#[derive(Clone, Copy)]
pub struct Connection {
    pub availability: RwSignal<Availability>,
    /// Counts the times AgentOS came back; data that failed to load can refetch on it.
    pub recoveries: RwSignal<u32>,
    /// Milliseconds until the next automatic re-check while down.
    pub next_check_ms: RwSignal<Option<u64>>,
    retry_now: StoredValue<bool>,
}

impl Connection {
    /// Untracked: for the polling task, not for views.
    pub fn is_down(&self) -> bool {
        self.availability
            .with_untracked(|a| matches!(a, Availability::Down { .. }))
    }

    /// Asks the background task to check again at once.
    pub fn retry_now(&self) {
        self.retry_now.set_value(true);
    }
}

/// Creates the connection state and (in the browser) starts polling.
pub fn provide_connection(settings: super::settings::Settings) -> Connection {
    let conn = Connection {
        availability: RwSignal::new(Availability::Checking),
        recoveries: RwSignal::new(0),
        next_check_ms: RwSignal::new(None),
        retry_now: StoredValue::new(false),
    };
    provide_context(conn);
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(poll_loop(conn, settings));
    #[cfg(not(feature = "hydrate"))]
    let _ = settings;
    conn
}

pub fn use_connection() -> Connection {
    expect_context::<Connection>()
}

#[cfg(feature = "hydrate")]
async fn poll_loop(conn: Connection, settings: super::settings::Settings) {
    use super::backoff::delay_ms;
    use crate::api::agentos_status;

    const SLICE_MS: u64 = 250;
    let (poll_ms, max_backoff_ms) = settings.with(|c| (c.health_poll_ms, c.max_backoff_ms));
    let mut failures: u32 = 0;
    // The server reached AgentOS a moment ago to render this page, so the first check
    // waits like the next ones; the page asks for one at once when what it rendered
    // shows AgentOS away (`retry_now`).
    let mut wait = poll_ms;
    loop {
        // Sleep in slices so "Retry now" takes effect quickly.
        let mut waited = 0;
        while waited < wait {
            if conn.retry_now.get_value() {
                break;
            }
            gloo_timers::future::TimeoutFuture::new(SLICE_MS as u32).await;
            waited += SLICE_MS;
            if conn.is_down() {
                conn.next_check_ms.set(Some(wait.saturating_sub(waited)));
            }
        }
        conn.retry_now.set_value(false);
        let outcome = match agentos_status().await {
            Ok(s) if s.reachable => Ok(()),
            Ok(s) => Err(s.reason.unwrap_or_else(|| crate::i18n::t("agentos-silent"))),
            Err(e) => Err(e.to_string()),
        };
        let was_down = conn.is_down();
        wait = match outcome {
            Ok(()) => {
                failures = 0;
                if was_down {
                    conn.recoveries.update(|n| *n += 1);
                }
                set_if_changed(conn.availability, Availability::Up);
                set_if_changed(conn.next_check_ms, None);
                poll_ms
            }
            Err(reason) => {
                failures = failures.saturating_add(1);
                let wait = delay_ms(failures, 1_000, max_backoff_ms);
                set_if_changed(conn.availability, Availability::Down { reason });
                conn.next_check_ms.set(Some(wait));
                wait
            }
        };
    }
}

/// Sets `signal` only when the value differs: a check that changes nothing notifies no one
/// (every check while AgentOS is up, every few seconds, would otherwise re-run all that
/// reads it).
#[cfg(feature = "hydrate")]
fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    signal.maybe_update(|v| {
        let changed = *v != value;
        if changed {
            *v = value;
        }
        changed
    });
}
