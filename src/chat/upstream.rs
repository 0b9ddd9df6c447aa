//! Turns one AgentOS Server-Sent Event (its `event:` name and `data:` JSON) into the
//! [`RunEvent`]s agno-chat sends to the browser. Unknown events are reported as such so
//! the caller can log and skip them; they are never fatal.

use serde_json::Value;

use super::event::{Metrics, RunEvent, ToolCall};

/// What one upstream frame means.
#[derive(Debug, Clone, PartialEq)]
pub enum Upstream {
    /// Events for the browser (usually one; a content frame can carry text and reasoning).
    Events(Vec<RunEvent>),
    /// A known event agno-chat does not show (e.g. ModelRequestStarted, resume notices).
    Ignored,
    /// An event name this version does not know.
    Unknown(String),
}

/// Why a frame could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed {event} event: {reason}")]
pub struct FrameError {
    pub event: String,
    pub reason: String,
}

/// Parses one frame. `name` is the SSE event name (AgentOS also repeats it in `data.event`).
pub fn parse_frame(name: &str, data: &str) -> Result<Upstream, FrameError> {
    let value: Value = serde_json::from_str(data).map_err(|e| FrameError {
        event: name.to_owned(),
        reason: e.to_string(),
    })?;
    let name = if name.is_empty() || name == "message" {
        value
            .get("event")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    } else {
        name.to_owned()
    };
    let (is_team, base) = match name.strip_prefix("Team") {
        Some(rest) => (true, rest.to_owned()),
        None => (false, name.clone()),
    };
    let parsed = parse_base(&base, &value).map_err(|reason| FrameError {
        event: name.clone(),
        reason,
    })?;
    // Agent events inside a team stream belong to a member run.
    let parent = str_field(&value, "parent_run_id").filter(|p| !p.is_empty());
    let checkpoint = value.get("event_index").and_then(Value::as_u64);
    let mut result = match (parsed, is_team, parent) {
        (Some(events), false, Some(_)) => {
            let member_run_id = str_field(&value, "run_id").unwrap_or_default();
            let member_name =
                str_field(&value, "agent_name").or_else(|| str_field(&value, "agent_id"));
            Upstream::Events(
                events
                    .into_iter()
                    .map(|e| RunEvent::Member {
                        member_run_id: member_run_id.clone(),
                        member_name: member_name.clone(),
                        event: Box::new(e),
                    })
                    .collect(),
            )
        }
        (Some(events), _, _) => Upstream::Events(events),
        (None, _, _) if is_known_ignored(&base) => Upstream::Ignored,
        (None, _, _) => Upstream::Unknown(name),
    };
    // Background runs number their events; pass the number on after the frame's events.
    if let Some(event_index) = checkpoint {
        let mark = RunEvent::Checkpoint { event_index };
        result = match result {
            Upstream::Events(mut events) => {
                events.push(mark);
                Upstream::Events(events)
            }
            _ => Upstream::Events(vec![mark]),
        };
    }
    Ok(result)
}

fn is_known_ignored(base: &str) -> bool {
    matches!(
        base,
        "ModelRequestStarted"
            | "ReasoningStarted"
            | "ReasoningStep"
            | "ReasoningCompleted"
            | "MemoryUpdateStarted"
            | "MemoryUpdateCompleted"
            | "SessionSummaryStarted"
            | "SessionSummaryCompleted"
            | "PreHookStarted"
            | "PreHookCompleted"
            | "PostHookStarted"
            | "PostHookCompleted"
            | "ParserModelResponseStarted"
            | "ParserModelResponseCompleted"
            | "OutputModelResponseStarted"
            | "OutputModelResponseCompleted"
            | "CustomEvent"
            | "replay"
            | "catch_up"
            | "subscribed"
    )
}

/// `Ok(None)` means "not an event we turn into anything".
fn parse_base(base: &str, v: &Value) -> Result<Option<Vec<RunEvent>>, String> {
    let one = |e: RunEvent| Ok(Some(vec![e]));
    match base {
        "RunStarted" => one(RunEvent::Started {
            run_id: str_field(v, "run_id").ok_or("missing run_id")?,
            session_id: str_field(v, "session_id"),
            model: str_field(v, "model"),
        }),
        "RunContent" | "RunIntermediateContent" => {
            let mut out = Vec::new();
            if let Some(r) = str_field(v, "reasoning_content").filter(|s| !s.is_empty()) {
                out.push(RunEvent::Reasoning { text: r });
            }
            if let Some(c) = content_text(v.get("content")).filter(|s| !s.is_empty()) {
                out.push(RunEvent::Content { text: c });
            }
            Ok(Some(out))
        }
        "ToolCallStarted" => one(RunEvent::ToolStarted { tool: tool(v)? }),
        "ToolCallCompleted" => one(RunEvent::ToolCompleted { tool: tool(v)? }),
        "ToolCallError" => {
            let t = tool(v)?;
            one(RunEvent::ToolError {
                tool_call_id: t.tool_call_id,
                error: str_field(v, "error").unwrap_or_else(|| "the tool failed".into()),
            })
        }
        "ModelRequestCompleted" => one(RunEvent::ModelMetrics {
            metrics: metrics(v),
        }),
        "RunContentCompleted" => one(RunEvent::ContentCompleted),
        "RunCompleted" => {
            // Media and sources first: `Completed` ends the stream.
            let mut events = Vec::new();
            let media = super::media::output_media(v);
            if !media.is_empty() {
                events.push(RunEvent::Media { items: media });
            }
            let sources = super::media::sources(v);
            if !sources.is_empty() {
                events.push(RunEvent::Sources { sources });
            }
            events.push(RunEvent::Completed {
                content: content_text(v.get("content")),
                reasoning: str_field(v, "reasoning_content").filter(|s| !s.is_empty()),
                metrics: v.get("metrics").map(metrics),
            });
            Ok(Some(events))
        }
        "RunError" => one(RunEvent::Error {
            message: content_text(v.get("content"))
                .or_else(|| str_field(v, "error"))
                .unwrap_or_else(|| "the run failed".into()),
            error_type: str_field(v, "error_type"),
        }),
        // AgentOS's own failure on a resume (run not found, event stream unavailable): an
        // `error` frame with the reason in `error`, passed on as the run's error.
        "error" => one(RunEvent::Error {
            message: str_field(v, "error")
                .filter(|e| !e.trim().is_empty())
                .unwrap_or_else(|| "AgentOS could not continue this answer".into()),
            error_type: None,
        }),
        "RunCancelled" => one(RunEvent::Cancelled {
            reason: str_field(v, "reason"),
            content: content_text(v.get("content")),
        }),
        "RunPaused" => one(RunEvent::Paused {
            content: content_text(v.get("content")),
            tools: array(v, "tools"),
            requirements: array(v, "requirements"),
        }),
        "RunContinued" => one(RunEvent::Continued {
            run_id: str_field(v, "run_id").ok_or("missing run_id")?,
        }),
        _ => Ok(None),
    }
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn array(v: &Value, key: &str) -> Vec<Value> {
    v.get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// `content` is usually a string; structured output is shown as JSON text.
fn content_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn tool(v: &Value) -> Result<ToolCall, String> {
    let t = v.get("tool").ok_or("missing tool")?;
    Ok(ToolCall {
        tool_call_id: str_field(t, "tool_call_id").ok_or("missing tool.tool_call_id")?,
        tool_name: str_field(t, "tool_name").unwrap_or_else(|| "tool".into()),
        tool_args: t.get("tool_args").filter(|a| !a.is_null()).cloned(),
        result: content_text(t.get("result")),
        tool_call_error: t
            .get("tool_call_error")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        error: None,
        duration_ms: t
            .get("metrics")
            .and_then(|m| m.get("duration"))
            .and_then(Value::as_f64)
            .map(millis),
    })
}

/// Seconds as milliseconds, to a tenth: shown in whole milliseconds, and the digits
/// beyond (AgentOS measures to the nanosecond) would only weigh on an opened history.
fn millis(seconds: f64) -> f64 {
    (seconds * 10_000.0).round() / 10.0
}

/// Token counts and timings as AgentOS reports them (seconds become milliseconds), in a
/// run event or a stored run.
pub(crate) fn metrics(v: &Value) -> Metrics {
    let n = |k: &str| v.get(k).and_then(Value::as_u64);
    let secs = |k: &str| v.get(k).and_then(Value::as_f64).map(millis);
    Metrics {
        input_tokens: n("input_tokens"),
        output_tokens: n("output_tokens"),
        total_tokens: n("total_tokens"),
        reasoning_tokens: n("reasoning_tokens"),
        time_to_first_token_ms: secs("time_to_first_token"),
        duration_ms: secs("duration"),
        #[cfg(feature = "ssr")]
        models: model_tokens(v),
    }
}

/// The per-model tokens of a run's `metrics`: `details[<kind>][]` entries with `id`,
/// `provider`, `input_tokens` and `output_tokens`, summed per model.
#[cfg(feature = "ssr")]
pub fn model_tokens(metrics: &Value) -> Vec<super::event::ModelTokens> {
    let count = |e: &Value, k: &str| e.get(k).and_then(Value::as_u64).unwrap_or(0);
    let text = |e: &Value, k: &str| e.get(k).and_then(Value::as_str).map(str::to_owned);
    let mut out: Vec<super::event::ModelTokens> = Vec::new();
    let details = metrics.get("details").and_then(Value::as_object);
    for e in details
        .into_iter()
        .flat_map(|d| d.values())
        .filter_map(Value::as_array)
        .flatten()
    {
        let model = text(e, "id").unwrap_or_else(|| "unknown".into());
        let provider = text(e, "provider").unwrap_or_default();
        let i = match out
            .iter()
            .position(|o| o.model == model && o.provider == provider)
        {
            Some(i) => i,
            None => {
                out.push(super::event::ModelTokens {
                    model,
                    provider,
                    ..Default::default()
                });
                out.len() - 1
            }
        };
        out[i].input += count(e, "input_tokens");
        out[i].output += count(e, "output_tokens");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_and_reasoning_deltas() {
        let f = parse_frame(
            "RunContent",
            r#"{"event":"RunContent","run_id":"r","content":"Hi","reasoning_content":""}"#,
        )
        .unwrap();
        assert_eq!(
            f,
            Upstream::Events(vec![RunEvent::Content { text: "Hi".into() }])
        );
        let f = parse_frame(
            "RunContent",
            r#"{"event":"RunContent","run_id":"r","reasoning_content":"hmm"}"#,
        )
        .unwrap();
        assert_eq!(
            f,
            Upstream::Events(vec![RunEvent::Reasoning { text: "hmm".into() }])
        );
    }

    #[test]
    fn member_events_in_team_streams_are_wrapped() {
        let f = parse_frame(
            "RunContent",
            r#"{"event":"RunContent","run_id":"m1","parent_run_id":"t1","agent_name":"Echo Member","content":"x"}"#,
        )
        .unwrap();
        assert_eq!(
            f,
            Upstream::Events(vec![RunEvent::Member {
                member_run_id: "m1".into(),
                member_name: Some("Echo Member".into()),
                event: Box::new(RunEvent::Content { text: "x".into() }),
            }])
        );
        let f = parse_frame(
            "TeamRunContent",
            r#"{"event":"TeamRunContent","run_id":"t1","content":"y"}"#,
        )
        .unwrap();
        assert_eq!(
            f,
            Upstream::Events(vec![RunEvent::Content { text: "y".into() }])
        );
    }

    #[test]
    fn event_index_becomes_a_checkpoint_after_the_events() {
        let f = parse_frame(
            "RunContent",
            r#"{"event":"RunContent","run_id":"r","content":"a","event_index":7}"#,
        )
        .unwrap();
        assert_eq!(
            f,
            Upstream::Events(vec![
                RunEvent::Content { text: "a".into() },
                RunEvent::Checkpoint { event_index: 7 }
            ])
        );
        let f = parse_frame(
            "ModelRequestStarted",
            r#"{"event":"ModelRequestStarted","event_index":1}"#,
        )
        .unwrap();
        assert_eq!(
            f,
            Upstream::Events(vec![RunEvent::Checkpoint { event_index: 1 }])
        );
    }

    #[test]
    fn unknown_and_ignored_events_are_not_errors() {
        assert_eq!(
            parse_frame("MadeUpEvent", r#"{"event":"MadeUpEvent"}"#).unwrap(),
            Upstream::Unknown("MadeUpEvent".into())
        );
        assert_eq!(
            parse_frame("ModelRequestStarted", "{}").unwrap(),
            Upstream::Ignored
        );
    }

    #[test]
    fn agentos_errors_on_resume_are_passed_on() {
        // As agno 3.1.10's resume endpoint writes them (`_resume_stream_generator`).
        let f = parse_frame(
            "error",
            r#"{"event": "error", "error": "Run 4f1c not found in buffer or database"}"#,
        )
        .unwrap();
        assert_eq!(
            f,
            Upstream::Events(vec![RunEvent::Error {
                message: "Run 4f1c not found in buffer or database".into(),
                error_type: None,
            }])
        );
        let f = parse_frame("error", r#"{"error": ""}"#).unwrap();
        assert!(matches!(f, Upstream::Events(ref e) if matches!(e[0], RunEvent::Error { .. })));
    }

    #[test]
    fn malformed_data_is_an_error_not_a_panic() {
        assert!(parse_frame("RunContent", "{not json").is_err());
        assert!(parse_frame("ToolCallStarted", r#"{"tool":{}}"#).is_err());
        assert!(parse_frame("RunStarted", "{}").is_err());
    }
}
