//! The pure reducer: run events in, conversation state out. No signals, no IO.

use reactive_stores::Store;
use serde::{Deserialize, Serialize};

use super::event::{FailureKind, Metrics, RunEvent, ToolCall};
use crate::ids::RunId;

/// Where an answer stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Sent, nothing received yet.
    #[default]
    Pending,
    Streaming,
    Completed,
    /// Stopped by the user (AgentOS stores it CANCELLED).
    Cancelled,
    /// AgentOS reported an error (model or tool); partial text is kept.
    Error,
    /// Waiting for a human decision.
    Paused,
    /// The stream broke off (timeout, network); partial text is kept, retry is possible.
    Interrupted,
}

impl Status {
    /// Its name in CSS classes, test ids and analytics.
    pub fn name(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Streaming => "streaming",
            Status::Completed => "completed",
            Status::Cancelled => "cancelled",
            Status::Error => "error",
            Status::Paused => "paused",
            Status::Interrupted => "interrupted",
        }
    }

    pub fn is_active(self) -> bool {
        matches!(self, Status::Pending | Status::Streaming)
    }
}

/// How a tool call stands, for its card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToolState {
    Running,
    Done,
    Failed,
    /// The run paused for the person's decision on it.
    Waiting,
    Stopped,
    /// The run ended without the tool's result.
    Unfinished,
}

impl ToolState {
    /// Given how its run stands: a call without a result is only "running" while the
    /// run is; in a paused run it waits for the person.
    pub fn of(tool: &crate::chat::event::ToolCall, run: Status) -> Self {
        match (tool.tool_call_error, tool.result.is_some(), run) {
            (true, _, _) => Self::Failed,
            (false, true, _) => Self::Done,
            (false, false, Status::Paused) => Self::Waiting,
            (false, false, Status::Pending | Status::Streaming) => Self::Running,
            (false, false, Status::Cancelled) => Self::Stopped,
            (false, false, Status::Completed | Status::Error | Status::Interrupted) => {
                Self::Unfinished
            }
        }
    }

    /// For attributes and class names.
    pub fn key(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Waiting => "waiting",
            Self::Stopped => "stopped",
            Self::Unfinished => "unfinished",
        }
    }

    /// For people.
    /// The message id of the card's state.
    pub fn label(self) -> &'static str {
        match self {
            Self::Running => "tool-running",
            Self::Done => "tool-done",
            Self::Failed => "tool-failed",
            Self::Waiting => "tool-waiting",
            Self::Stopped => "tool-stopped",
            Self::Unfinished => "tool-unfinished",
        }
    }
}

/// What a member agent of a team did within one answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MemberActivity {
    pub run_id: String,
    pub name: String,
    pub text: String,
    pub tools: Vec<ToolCall>,
    pub status: Status,
    pub error: Option<String>,
}

/// The paused tools of a run waiting for a human.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PauseInfo {
    pub tools: Vec<serde_json::Value>,
    pub requirements: Vec<serde_json::Value>,
}

/// One agent or team answer, built from run events.
///
/// Empty parts are left out of its JSON (and read back as empty): an opened
/// conversation's history is hundreds of answers, most of them text only, and the
/// browser decodes all of it before showing the newest (a third less JSON to decode for
/// 500 runs).
#[derive(Clone, Debug, Default, PartialEq, Store, Serialize, Deserialize)]
pub struct Answer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<RunId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default)]
    pub text: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reasoning: String,
    /// Tool calls in the order they started, keyed by `tool_call_id`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolCall>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<MemberActivity>,
    pub status: Status,
    /// Error or interruption message for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<FailureKind>,
    #[serde(default, skip_serializing_if = "Metrics::is_empty")]
    pub metrics: Metrics,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<PauseInfo>,
    /// Images, audio, videos and files the answer came with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<super::media::MediaItem>,
    /// The sources its text cites, numbered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<super::media::Source>,
}

impl Answer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one event. Text deltas are appended; the final text only reconciles.
    pub fn apply(&mut self, event: RunEvent) {
        match event {
            RunEvent::Started {
                run_id,
                session_id,
                model,
            } => {
                self.run_id = RunId::new(run_id).ok();
                if session_id.is_some() {
                    self.session_id = session_id;
                }
                self.model = model.or(self.model.take());
                self.status = Status::Streaming;
            }
            RunEvent::Content { text } => {
                self.text.push_str(&text);
                self.mark_streaming();
            }
            RunEvent::Reasoning { text } => {
                self.reasoning.push_str(&text);
                self.mark_streaming();
            }
            RunEvent::ToolStarted { tool } | RunEvent::ToolCompleted { tool } => {
                upsert_tool(&mut self.tools, tool);
                self.mark_streaming();
            }
            RunEvent::ToolError {
                tool_call_id,
                error,
            } => tool_error(&mut self.tools, &tool_call_id, error),
            RunEvent::ModelMetrics { metrics } => add_request_metrics(&mut self.metrics, &metrics),
            RunEvent::ContentCompleted => {}
            RunEvent::Completed {
                content,
                reasoning,
                metrics,
            } => {
                if let Some(c) = content {
                    reconcile(&mut self.text, &c);
                }
                if let Some(r) = reasoning {
                    reconcile(&mut self.reasoning, &r);
                }
                if let Some(m) = metrics {
                    merge_run_metrics(&mut self.metrics, &m);
                }
                // RunCancelled is followed by RunCompleted: stay cancelled.
                if self.status != Status::Cancelled {
                    self.status = Status::Completed;
                    self.paused = None;
                }
            }
            RunEvent::Error { message, .. } => {
                self.status = Status::Error;
                self.error = Some(message);
            }
            RunEvent::Cancelled { content, .. } => {
                if let Some(c) = content {
                    reconcile(&mut self.text, &c);
                }
                self.status = Status::Cancelled;
            }
            RunEvent::Paused {
                content,
                tools,
                requirements,
            } => {
                let _ = content; // AgentOS's stock "I need confirmation" line; the UI words it.
                                 // Paused tools get their cards now (AgentOS sends no start event for them).
                for t in &tools {
                    let (Some(id), Some(name)) = (
                        t.get("tool_call_id").and_then(|v| v.as_str()),
                        t.get("tool_name").and_then(|v| v.as_str()),
                    ) else {
                        continue;
                    };
                    if !self.tools.iter().any(|x| x.tool_call_id == id) {
                        self.tools.push(ToolCall {
                            tool_call_id: id.to_owned(),
                            tool_name: name.to_owned(),
                            tool_args: t.get("tool_args").cloned().filter(|a| !a.is_null()),
                            ..ToolCall::default()
                        });
                    }
                }
                self.status = Status::Paused;
                self.paused = Some(PauseInfo {
                    tools,
                    requirements,
                });
            }
            RunEvent::Continued { run_id } => {
                self.run_id = RunId::new(run_id).ok();
                self.status = Status::Streaming;
                self.paused = None;
            }
            RunEvent::Member {
                member_run_id,
                member_name,
                event,
            } => self.apply_member(member_run_id, member_name, *event),
            RunEvent::Checkpoint { .. } | RunEvent::Notice { .. } => {}
            RunEvent::Media { items } => self.media = items,
            RunEvent::Sources { sources } => self.sources = sources,
            RunEvent::Failed { kind, message } => {
                if self.status.is_active() {
                    self.status = Status::Interrupted;
                }
                self.failure = Some(kind);
                self.error = Some(message);
            }
        }
    }

    /// Clears an interruption before the stream is resumed.
    pub fn resume(&mut self) {
        if matches!(self.status, Status::Interrupted | Status::Pending) {
            self.status = Status::Streaming;
        }
        self.error = None;
        self.failure = None;
    }

    fn mark_streaming(&mut self) {
        if self.status == Status::Pending {
            self.status = Status::Streaming;
        }
    }

    fn apply_member(&mut self, run_id: String, name: Option<String>, event: RunEvent) {
        let idx = match self.members.iter().position(|m| m.run_id == run_id) {
            Some(i) => i,
            None => {
                self.members.push(MemberActivity {
                    run_id: run_id.clone(),
                    name: name.clone().unwrap_or_else(|| "Member".into()),
                    ..Default::default()
                });
                self.members.len() - 1
            }
        };
        let m = &mut self.members[idx];
        match event {
            RunEvent::Started { .. } => m.status = Status::Streaming,
            RunEvent::Content { text } => m.text.push_str(&text),
            RunEvent::ToolStarted { tool } | RunEvent::ToolCompleted { tool } => {
                upsert_tool(&mut m.tools, tool)
            }
            RunEvent::ToolError {
                tool_call_id,
                error,
            } => tool_error(&mut m.tools, &tool_call_id, error),
            RunEvent::Completed { content, .. } => {
                if let Some(c) = content {
                    reconcile(&mut m.text, &c);
                }
                if m.status != Status::Cancelled {
                    m.status = Status::Completed;
                }
            }
            RunEvent::Error { message, .. } => {
                m.status = Status::Error;
                m.error = Some(message);
            }
            RunEvent::Cancelled { .. } => m.status = Status::Cancelled,
            RunEvent::Paused { .. } => m.status = Status::Paused,
            RunEvent::Continued { .. } => m.status = Status::Streaming,
            _ => {}
        }
    }
}

fn upsert_tool(tools: &mut Vec<ToolCall>, tool: ToolCall) {
    match tools
        .iter_mut()
        .find(|t| t.tool_call_id == tool.tool_call_id)
    {
        Some(existing) => {
            let error = existing.error.take();
            let args = existing.tool_args.take();
            *existing = tool;
            if existing.error.is_none() {
                existing.error = error;
            }
            if existing.tool_args.is_none() {
                existing.tool_args = args;
            }
        }
        None => tools.push(tool),
    }
}

fn tool_error(tools: &mut Vec<ToolCall>, id: &str, error: String) {
    match tools.iter_mut().find(|t| t.tool_call_id == id) {
        Some(t) => {
            t.tool_call_error = true;
            t.error = Some(error);
        }
        None => tools.push(ToolCall {
            tool_call_id: id.to_owned(),
            tool_name: "tool".into(),
            tool_call_error: true,
            error: Some(error),
            ..Default::default()
        }),
    }
}

/// Makes `text` equal the authoritative `full` text, appending when it only adds to it.
fn reconcile(text: &mut String, full: &str) {
    if full.is_empty() || text == full {
        return;
    }
    if let Some(rest) = full.strip_prefix(text.as_str()) {
        text.push_str(rest);
    } else {
        full.clone_into(text);
    }
}

fn add(a: &mut Option<u64>, b: Option<u64>) {
    if let Some(b) = b {
        *a = Some(a.unwrap_or(0) + b);
    }
}

fn add_request_metrics(total: &mut Metrics, m: &Metrics) {
    add(&mut total.input_tokens, m.input_tokens);
    add(&mut total.output_tokens, m.output_tokens);
    add(&mut total.total_tokens, m.total_tokens);
    add(&mut total.reasoning_tokens, m.reasoning_tokens);
}

fn merge_run_metrics(total: &mut Metrics, m: &Metrics) {
    for (dst, src) in [
        (&mut total.input_tokens, m.input_tokens),
        (&mut total.output_tokens, m.output_tokens),
        (&mut total.total_tokens, m.total_tokens),
        (&mut total.reasoning_tokens, m.reasoning_tokens),
    ] {
        if let Some(v) = src.filter(|v| *v > 0) {
            *dst = Some(v);
        }
    }
    if m.time_to_first_token_ms.is_some() {
        total.time_to_first_token_ms = m.time_to_first_token_ms;
    }
    if m.duration_ms.is_some() {
        total.duration_ms = m.duration_ms;
    }
}
