//! Product analytics and browser error reports: the typed events the browser records,
//! shared by the browser (which queues and sends them in order) and the server (which
//! validates, logs, counts and forwards them). Events carry sizes and timings, never what
//! anyone wrote, unless `AGNO_CHAT_REPORT_MESSAGE_CONTENT` allows it.

use serde::{Deserialize, Serialize};

use crate::model::AssistantKind;

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
    /// Something failed; `kind` names it (no message text). Sent as `error_kind`: the
    /// event is flattened beside the conversation's own `kind`.
    Error {
        #[serde(rename = "error_kind")]
        kind: String,
    },
    /// The user is typing (at most one per few seconds).
    Typing,
    /// Feedback on an answer: `up`, `down`, or `cleared` when taken back. Recorded by
    /// the server when it keeps the feedback, never taken from a browser's batch.
    FeedbackGiven {
        rating: String,
        run_id: String,
        comment_chars: u32,
        /// The comment, only when content reporting is configured.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
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
            Event::FeedbackGiven { .. } => "feedback_given",
        }
    }

    /// With every free-text field cut to its bound: an event's size is then bounded
    /// whatever a browser sends.
    pub fn bounded(mut self) -> Self {
        let cut = |s: &mut String, max: usize| {
            if let Some((i, _)) = s.char_indices().nth(max) {
                s.truncate(i);
            }
        };
        match &mut self {
            Event::StreamEnded { outcome, .. } => cut(outcome, MAX_LABEL_CHARS),
            Event::Error { kind } => cut(kind, MAX_LABEL_CHARS),
            Event::MessageSent {
                text: Some(text), ..
            } => cut(text, MAX_TEXT_CHARS),
            Event::FeedbackGiven {
                comment: Some(text),
                ..
            } => cut(text, MAX_TEXT_CHARS),
            _ => {}
        }
        self
    }

    /// Removes any message text.
    pub fn without_content(mut self) -> Self {
        match &mut self {
            Event::MessageSent { text, .. } => *text = None,
            Event::FeedbackGiven { comment, .. } => *comment = None,
            _ => {}
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
    pub kind: Option<AssistantKind>,
    /// Checked when deserialized, as every id from the browser (see `ids`).
    #[serde(default)]
    pub assistant_id: Option<crate::model::AssistantId>,
    #[serde(default)]
    pub session_id: Option<crate::model::SessionId>,
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
/// Longest label (an outcome, an error kind) kept in an event.
pub const MAX_LABEL_CHARS: usize = 64;
/// Longest message text kept in an event (when content reporting is on).
pub const MAX_TEXT_CHARS: usize = 10_000;
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
            kind: Some(AssistantKind::Agent),
            assistant_id: Some("echo-agent".into()),
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
    fn an_error_event_of_an_agent_conversation_reads_back() {
        // The event's own `kind` must not collide with the conversation's `kind`.
        let e = ClientEvent {
            seq: 1,
            at_ms: 1.0,
            kind: Some(AssistantKind::Agent),
            assistant_id: Some("echo-agent".into()),
            session_id: None,
            event: Event::Error {
                kind: "stream".into(),
            },
        };
        let json = serde_json::to_string(&e).unwrap();
        let back: ClientEvent =
            serde_json::from_str(&json).unwrap_or_else(|err| panic!("{err}: {json}"));
        assert_eq!(back, e);
    }

    #[test]
    fn free_text_fields_are_bounded() {
        let e = Event::StreamEnded {
            outcome: "é".repeat(70_000),
            duration_ms: 1,
            first_token_ms: None,
        }
        .bounded();
        assert!(
            matches!(e, Event::StreamEnded { ref outcome, .. } if outcome.chars().count() == MAX_LABEL_CHARS)
        );
        let e = Event::Error {
            kind: "x".repeat(70_000),
        }
        .bounded();
        assert!(matches!(e, Event::Error { ref kind } if kind.len() == MAX_LABEL_CHARS));
        let e = Event::MessageSent {
            chars: 5,
            text: Some("y".repeat(70_000)),
        }
        .bounded();
        assert!(
            matches!(e, Event::MessageSent { text: Some(ref t), .. } if t.len() == MAX_TEXT_CHARS)
        );
        let short = Event::StreamEnded {
            outcome: "completed".into(),
            duration_ms: 1,
            first_token_ms: None,
        };
        assert_eq!(short.clone().bounded(), short);
    }

    #[test]
    fn feedback_comments_are_content() {
        let e = Event::FeedbackGiven {
            rating: "down".into(),
            run_id: "r1".into(),
            comment_chars: 10,
            comment: Some("wrong city".into()),
        };
        let json = serde_json::to_value(e.clone().without_content()).unwrap();
        assert_eq!(json["event"], "feedback_given");
        assert_eq!(json["comment_chars"], 10);
        assert!(json.get("comment").is_none(), "{json}");
        assert_eq!(e.clone().bounded(), e);
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
