//! Back to signing in when the server says the sign-in has ended, returning to this same
//! address afterwards. Never in the middle of an answer: while one streams, the journey
//! waits for it to end, so an ended session never cuts what the person is reading.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Set once the journey has started: calls failing together navigate once.
static LEAVING: AtomicBool = AtomicBool::new(false);
/// The server said so while an answer was streaming.
static WANTED: AtomicBool = AtomicBool::new(false);
/// Answers streaming now.
static STREAMING: AtomicUsize = AtomicUsize::new(0);

/// Held while an answer streams (see the module's comment).
pub struct StreamGuard(());

impl StreamGuard {
    pub fn hold() -> Self {
        STREAMING.fetch_add(1, Ordering::SeqCst);
        Self(())
    }
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        if STREAMING.fetch_sub(1, Ordering::SeqCst) == 1 && WANTED.load(Ordering::SeqCst) {
            leave();
        }
    }
}

/// Sends the browser to sign in, once no answer is streaming.
pub fn sign_in_again() {
    if STREAMING.load(Ordering::SeqCst) > 0 {
        WANTED.store(true, Ordering::SeqCst);
    } else {
        leave();
    }
}

/// The navigation waits a moment, so that what the failing call hands back (a message
/// returned to the box) is saved first.
fn leave() {
    if LEAVING.swap(true, Ordering::SeqCst) {
        return;
    }
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return;
    };
    let back = format!(
        "{}{}",
        location.pathname().unwrap_or_else(|_| "/".into()),
        location.search().unwrap_or_default()
    );
    let href = format!(
        "/auth/login?return_to={}",
        String::from(js_sys::encode_uri_component(&back))
    );
    gloo_timers::callback::Timeout::new(100, move || {
        let _ = location.assign(&href);
    })
    .forget();
}
