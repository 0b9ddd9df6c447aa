//! Run events as agno-chat sends them to the browser: one JSON object per line. They are
//! derived from AgentOS's Server-Sent Events (see `upstream`) plus agno-chat's own in-band
//! notices (timeouts, upstream failures), so the browser always learns why a stream ended.

use serde::{Deserialize, Serialize};

/// A tool call as shown in the chat.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    pub tool_call_id: String,
    pub tool_name: String,
    /// Arguments as JSON.
    #[serde(default)]
    pub tool_args: Option<serde_json::Value>,
    /// The tool's result text, once completed.
    #[serde(default)]
    pub result: Option<String>,
    #[serde(default)]
    pub tool_call_error: bool,
    /// The error message, when the tool failed.
    #[serde(default)]
    pub error: Option<String>,
    /// How long the tool ran, in milliseconds.
    #[serde(default)]
    pub duration_ms: Option<f64>,
}

/// Token counts and timings of a model request or a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    #[serde(default)]
    pub input_tokens: Option<u64>,
    #[serde(default)]
    pub output_tokens: Option<u64>,
    #[serde(default)]
    pub total_tokens: Option<u64>,
    #[serde(default)]
    pub reasoning_tokens: Option<u64>,
    /// Time to first token, milliseconds.
    #[serde(default)]
    pub time_to_first_token_ms: Option<f64>,
    /// Duration of the run, milliseconds.
    #[serde(default)]
    pub duration_ms: Option<f64>,
    /// Tokens per model (`metrics.details`): the server counts usage and cost from them;
    /// the browser never gets them.
    #[cfg(feature = "ssr")]
    #[serde(skip)]
    pub models: Vec<ModelTokens>,
}

/// One model's tokens in a run.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModelTokens {
    pub model: String,
    pub provider: String,
    pub input: u64,
    pub output: u64,
}

impl Metrics {
    /// Nothing is known.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Why agno-chat ended a stream on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// AgentOS could not be reached.
    Connect,
    /// No first event in time.
    FirstEventTimeout,
    /// Too long without any event.
    IdleTimeout,
    /// The upstream stream broke off or sent something unreadable.
    Upstream,
    /// AgentOS refused the request (4xx/5xx before streaming).
    Rejected,
    /// Our credentials were refused.
    Unauthorized,
    /// The user's input was refused.
    Invalid,
    /// Too many requests.
    RateLimited,
}

impl FailureKind {
    /// Its name in analytics and error reports.
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Connect => "connect",
            FailureKind::FirstEventTimeout => "firsteventtimeout",
            FailureKind::IdleTimeout => "idletimeout",
            FailureKind::Upstream => "upstream",
            FailureKind::Rejected => "rejected",
            FailureKind::Unauthorized => "unauthorized",
            FailureKind::Invalid => "invalid",
            FailureKind::RateLimited => "ratelimited",
        }
    }
}

/// One event of a run, for the browser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RunEvent {
    /// The run began; carries the ids a new chat learns here.
    Started {
        run_id: String,
        #[serde(default)]
        session_id: Option<String>,
        #[serde(default)]
        model: Option<String>,
    },
    /// Answer text delta (append).
    Content {
        text: String,
    },
    /// Reasoning text delta (append).
    Reasoning {
        text: String,
    },
    ToolStarted {
        tool: ToolCall,
    },
    ToolCompleted {
        tool: ToolCall,
    },
    ToolError {
        tool_call_id: String,
        error: String,
    },
    /// A model request finished; its token counts.
    ModelMetrics {
        metrics: Metrics,
    },
    ContentCompleted,
    /// The run finished; `content` is the full text, used to reconcile.
    Completed {
        #[serde(default)]
        content: Option<String>,
        #[serde(default)]
        reasoning: Option<String>,
        #[serde(default)]
        metrics: Option<Metrics>,
    },
    /// The run failed inside AgentOS (model or tool error).
    Error {
        message: String,
        #[serde(default)]
        error_type: Option<String>,
    },
    /// The run was cancelled; `content` is the partial text.
    Cancelled {
        #[serde(default)]
        reason: Option<String>,
        #[serde(default)]
        content: Option<String>,
    },
    /// The run waits for a human (HITL). The paused tools are kept as AgentOS sent them.
    Paused {
        #[serde(default)]
        content: Option<String>,
        #[serde(default)]
        tools: Vec<serde_json::Value>,
        #[serde(default)]
        requirements: Vec<serde_json::Value>,
    },
    /// A paused run continues.
    Continued {
        run_id: String,
    },
    /// Something a member agent of a team did.
    Member {
        member_run_id: String,
        #[serde(default)]
        member_name: Option<String>,
        event: Box<RunEvent>,
    },
    /// agno-chat ended the stream: why, in words for the user.
    Failed {
        kind: FailureKind,
        message: String,
    },
    /// The answer's images, audio, videos and files (replacing any known before).
    Media {
        items: Vec<super::media::MediaItem>,
    },
    /// The answer's numbered sources.
    Sources {
        sources: Vec<super::media::Source>,
    },
    /// The position of the events so far in a background run's buffer (AgentOS
    /// `event_index`), so a broken stream can resume exactly after it.
    Checkpoint {
        event_index: u64,
    },
    /// agno-chat tells the person something about their account as the answer ends: that
    /// most of a budget is used.
    Notice {
        message: String,
    },
}

impl RunEvent {
    /// True for events after which no more events of this run follow on this stream.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            RunEvent::Completed { .. }
                | RunEvent::Error { .. }
                | RunEvent::Paused { .. }
                | RunEvent::Failed { .. }
        )
    }
}
