//! Product analytics and browser error reports: the typed events the browser records,
//! shared by the browser (which queues and sends them in order) and the server (which
//! validates, logs, counts and forwards them). Events carry sizes and timings, never what
//! anyone wrote, unless `AGNO_CHAT_REPORT_MESSAGE_CONTENT` allows it.

use serde::{Deserialize, Serialize};

use crate::model::ComponentKind;

/// What happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The user sent a message of `chars` characters.
    MessageSent {
        chars: u32,
        /// The text, only when content reporting is configured.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// The answer's first event arrived, `after_ms` after sending.
    StreamStarted {
        after_ms: u32,
    },
    /// The answer stream ended.
    StreamEnded {
        /// completed, error, cancelled, paused, failed, interrupted.
        outcome: String,
        duration_ms: u32,
        #[serde(default)]
        first_token_ms: Option<u32>,
    },
    /// A new conversation got its session id.
    SessionCreated,
    /// A stored conversation was opened, with this many turns.
    SessionLoaded {
        turns: u32,
    },
    RunPaused,
    RunContinued,
    RunCancelled,
    /// Something failed; `kind` names it (no message text).
    Error {
        kind: String,
    },
    /// The user is typing (at most one per few seconds).
    Typing,
}

impl Event {
    /// The event's name, as in its JSON `event` field.
    pub fn name(&self) -> &'static str {
        match self {
            Event::MessageSent { .. } => "message_sent",
            Event::StreamStarted { .. } => "stream_started",
            Event::StreamEnded { .. } => "stream_ended",
            Event::SessionCreated => "session_created",
            Event::SessionLoaded { .. } => "session_loaded",
            Event::RunPaused => "run_paused",
            Event::RunContinued => "run_continued",
            Event::RunCancelled => "run_cancelled",
            Event::Error { .. } => "error",
            Event::Typing => "typing",
        }
    }

    /// Removes any message text.
    pub fn without_content(mut self) -> Self {
        if let Event::MessageSent { text, .. } = &mut self {
            *text = None;
        }
        self
    }
}

/// One event as the browser records it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientEvent {
    /// Position in this page's sequence (starts at 1, no gaps).
    pub seq: u64,
    /// Browser clock, ms since the epoch.
    pub at_ms: f64,
    #[serde(default)]
    pub kind: Option<ComponentKind>,
    #[serde(default)]
    pub component_id: Option<String>,
    #[serde(default)]
    pub session_id: Option<String>,
    #[serde(flatten)]
    pub event: Event,
}

/// A browser-side failure, sent with `navigator.sendBeacon` so it also leaves a page
/// whose wasm just panicked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorReport {
    /// panic, stream or render.
    pub kind: String,
    pub message: String,
    #[serde(default)]
    pub session_id: Option<String>,
    #[serde(default)]
    pub message_count: u32,
    /// The page's path and query.
    #[serde(default)]
    pub location: Option<String>,
}

/// Most events accepted in one batch.
pub const MAX_BATCH: usize = 100;
/// Where error reports go.
pub const ERROR_REPORT_PATH: &str = "/api/telemetry/error";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialize_flat_with_their_name() {
        let e = ClientEvent {
            seq: 3,
            at_ms: 1.0,
            kind: Some(ComponentKind::Agent),
            component_id: Some("echo-agent".into()),
            session_id: None,
            event: Event::StreamEnded {
                outcome: "completed".into(),
                duration_ms: 120,
                first_token_ms: Some(40),
            },
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["event"], "stream_ended");
        assert_eq!(json["seq"], 3);
        assert_eq!(json["duration_ms"], 120);
        let back: ClientEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
        assert_eq!(back.event.name(), "stream_ended");
    }

    #[test]
    fn content_is_removed() {
        let e = Event::MessageSent {
            chars: 5,
            text: Some("hello".into()),
        };
        let json = serde_json::to_string(&e.without_content()).unwrap();
        assert!(!json.contains("hello"), "{json}");
    }
}
