//! Back to signing in when the server says the sign-in has ended, returning to this same
//! address afterwards.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set once the journey has started: calls failing together navigate once.
static LEAVING: AtomicBool = AtomicBool::new(false);

/// Sends the browser to sign in. The navigation waits a moment, so that what the failing
/// call hands back (a message returned to the box) is saved first.
pub fn sign_in_again() {
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
