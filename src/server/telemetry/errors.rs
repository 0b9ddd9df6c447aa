//! Error tracking: server errors and panics go to Sentry when `AGNO_CHAT_SENTRY_DSN` is set
//! (through the tracing layer: every `error!` is an event with its fields as context), and
//! browsers report their failures to `POST /api/telemetry/error`, which logs them the same
//! way, so they reach Sentry too.

use axum::http::StatusCode;
use secrecy::ExposeSecret;

use super::metrics;
use crate::analytics::ErrorReport;
use crate::server::config::Telemetry;
use crate::server::user::{log_id, UserId};

/// Starts the Sentry client when a DSN is configured; keep the guard until exit (it flushes).
pub fn init(t: &Telemetry) -> Option<sentry::ClientInitGuard> {
    let dsn = t.sentry_dsn.as_ref()?;
    let guard = sentry::init((
        dsn.expose_secret().to_owned(),
        sentry::ClientOptions {
            release: sentry::release_name!(),
            environment: t.sentry_environment.clone().map(Into::into),
            send_default_pii: false,
            // Events come from log lines with their fields; a thread backtrace adds noise.
            attach_stacktrace: false,
            ..Default::default()
        },
    ));
    Some(guard)
}

const KINDS: [&str; 4] = ["panic", "stream", "render", "other"];
const MAX_MESSAGE: usize = 2_000;

/// `POST /api/telemetry/error`: one browser error report (JSON, as sent by
/// `navigator.sendBeacon`, whatever its content type).
pub fn report(report_message_content: bool, user: &UserId, body: &[u8]) -> StatusCode {
    let Ok(report) = serde_json::from_slice::<ErrorReport>(body) else {
        return StatusCode::BAD_REQUEST;
    };
    let kind = KINDS
        .iter()
        .copied()
        .find(|k| *k == report.kind)
        .unwrap_or("other");
    let mut message: String = report.message.chars().take(MAX_MESSAGE).collect();
    if !report_message_content && kind != "panic" {
        // Stream and render errors are described by agno-chat, never by the user's text;
        // still, keep only the first line.
        message = message.lines().next().unwrap_or_default().to_owned();
    }
    let message = log_safe(&message, MAX_MESSAGE);
    metrics::client_error(kind);
    let location = log_safe(report.location.as_deref().unwrap_or("-"), 300);
    let session_id = log_safe(report.session_id.as_deref().unwrap_or("-"), 64);
    tracing::error!(
        source = "browser",
        kind,
        user = %log_id(&user.0),
        session_id = %session_id,
        message_count = report.message_count,
        location = %location,
        error = %message,
        "browser error reported"
    );
    StatusCode::NO_CONTENT
}

/// What the browser sent, made safe for a log line: at most `max` characters, with line
/// breaks and other control characters escaped, so that a report cannot forge log lines.
fn log_safe(text: &str, max: usize) -> String {
    text.chars()
        .take(max)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::log_safe;

    #[test]
    fn reported_text_cannot_start_a_log_line_of_its_own() {
        let forged = "/\n2026-01-01T00:00:00Z  INFO agno_chat: user signed in as admin";
        let safe = log_safe(forged, 300);
        assert!(!safe.contains('\n') && !safe.contains('\r'), "{safe}");
        assert!(safe.contains("\\n2026"), "{safe}");
        assert_eq!(log_safe("a\r\u{1b}[31mb\tc", 300), "a\\r\\u{1b}[31mb\\tc");
        assert_eq!(log_safe("Überall ✓ fine", 300), "Überall ✓ fine");
        assert_eq!(log_safe(&"x".repeat(500), 300).len(), 300);
    }
}
