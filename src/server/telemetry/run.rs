//! Everything observed about one answer stream: the log line at its end, its metrics, and
//! its trace (a turn span with tool-call and model-request children).

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use opentelemetry::trace::{Span as _, SpanKind, Status, TraceContextExt as _, Tracer as _};
use opentelemetry::{global, Context, KeyValue};

use super::metrics;
use crate::agentos::RunRequest;
use crate::chat::event::{Metrics, RunEvent, ToolCall};
use crate::model::AssistantKind;

/// One answer stream, from start (or resume) to end.
pub struct RunTelemetry {
    started: Instant,
    kind: &'static str,
    assistant_id: String,
    user: String,
    session_id: Option<String>,
    run_id: Option<String>,
    model: Option<String>,
    resumed: bool,
    status: &'static str,
    first_token_ms: Option<u64>,
    events: u64,
    input_tokens: u64,
    output_tokens: u64,
    error: Option<String>,
    turn: Context,
    tools: HashMap<String, opentelemetry::global::BoxedSpan>,
}

fn kind_name(kind: AssistantKind) -> &'static str {
    match kind {
        AssistantKind::Agent => "agent",
        AssistantKind::Team => "team",
    }
}

impl RunTelemetry {
    /// Starts observing `run`; `resumed` names the run when it is being resumed.
    pub fn start(run: &RunRequest, resumed: Option<&str>) -> Self {
        let kind = kind_name(run.kind);
        let user = crate::server::user::log_id(&run.user_id);
        let tracer = global::tracer("agno-chat");
        let mut attrs = vec![
            KeyValue::new("gen_ai.operation.name", "invoke_agent"),
            KeyValue::new("gen_ai.provider.name", "agno"),
            KeyValue::new("gen_ai.system", "agno"),
            KeyValue::new("gen_ai.agent.id", run.assistant_id.clone()),
            KeyValue::new("agno.assistant.kind", kind),
            KeyValue::new("enduser.pseudo.id", user.clone()),
            KeyValue::new("agno_chat.resumed", resumed.is_some()),
        ];
        if let Some(sid) = &run.session_id {
            attrs.push(KeyValue::new("gen_ai.conversation.id", sid.clone()));
        }
        if let Some(id) = resumed {
            attrs.push(KeyValue::new("gen_ai.response.id", id.to_owned()));
        }
        let span = tracer
            .span_builder(format!("invoke_agent {}", run.assistant_id))
            .with_kind(SpanKind::Client)
            .with_attributes(attrs)
            .start(&tracer);
        metrics::run_started(kind, resumed.is_some());
        Self {
            started: Instant::now(),
            kind,
            assistant_id: run.assistant_id.clone(),
            user,
            session_id: run.session_id.clone(),
            run_id: resumed.map(str::to_owned),
            model: None,
            resumed: resumed.is_some(),
            status: "",
            first_token_ms: None,
            events: 0,
            input_tokens: 0,
            output_tokens: 0,
            error: None,
            turn: Context::current_with_span(span),
            tools: HashMap::new(),
        }
    }

    pub fn run_id(&self) -> Option<&str> {
        self.run_id.as_deref()
    }

    /// The run's model, as its start named it.
    pub fn model(&self) -> Option<&str> {
        self.model.as_deref()
    }

    /// The W3C `traceparent` of the run's span; `None` when traces are off.
    pub fn traceparent(&self) -> Option<String> {
        let span = self.turn.span();
        let cx = span.span_context();
        cx.is_valid().then(|| {
            format!(
                "00-{}-{}-{:02x}",
                cx.trace_id(),
                cx.span_id(),
                cx.trace_flags().to_u8()
            )
        })
    }

    /// The run could not start (AgentOS refused or was unreachable).
    pub fn start_failed(&mut self, reason: &str) {
        self.status = "failed";
        self.error = Some(reason.to_owned());
    }

    /// The stream ended for `status` (timeout, broken, client_gone) rather than an event.
    pub fn set_status(&mut self, status: &'static str) {
        self.status = status;
    }

    pub fn status(&self) -> &'static str {
        self.status
    }

    pub fn observe(&mut self, ev: &RunEvent) {
        self.events += 1;
        match ev {
            RunEvent::Started {
                run_id,
                session_id,
                model,
            } => {
                self.run_id = Some(run_id.clone());
                if let Some(trace) = self.traceparent() {
                    super::feedback::remember_trace(run_id, trace);
                }
                let span = self.turn.span();
                span.set_attribute(KeyValue::new("gen_ai.response.id", run_id.clone()));
                if let Some(sid) = session_id {
                    self.session_id = Some(sid.clone());
                    span.set_attribute(KeyValue::new("gen_ai.conversation.id", sid.clone()));
                }
                if let Some(m) = model {
                    self.model = Some(m.clone());
                    span.set_attribute(KeyValue::new("gen_ai.request.model", m.clone()));
                }
            }
            RunEvent::Content { .. } | RunEvent::Reasoning { .. }
                if self.first_token_ms.is_none() =>
            {
                let elapsed = self.started.elapsed();
                self.first_token_ms = Some(elapsed.as_millis() as u64);
                metrics::first_token(self.kind, elapsed.as_secs_f64());
            }
            RunEvent::ToolStarted { tool } => self.tool_started(tool, None),
            RunEvent::ToolCompleted { tool } => self.tool_completed(tool, None),
            RunEvent::ToolError {
                tool_call_id,
                error,
            } => {
                if let Some(mut span) = self.tools.remove(tool_call_id) {
                    span.set_status(Status::error(error.clone()));
                    span.end();
                }
            }
            RunEvent::ModelMetrics { metrics } => self.model_request(metrics),
            RunEvent::Completed { metrics, .. } => {
                if self.status != "cancelled" {
                    self.status = "completed";
                }
                if let Some(m) = metrics {
                    // The run's totals replace the sum of the model requests.
                    self.input_tokens = m.input_tokens.unwrap_or(self.input_tokens);
                    self.output_tokens = m.output_tokens.unwrap_or(self.output_tokens);
                }
            }
            RunEvent::Cancelled { .. } => self.status = "cancelled",
            RunEvent::Error {
                message,
                error_type,
            } => {
                self.status = "error";
                self.error = Some(message.clone());
                tracing::error!(
                    run_id = self.run_id.as_deref().unwrap_or("-"),
                    session_id = self.session_id.as_deref().unwrap_or("-"),
                    assistant = %self.assistant_id,
                    kind = self.kind,
                    user = %self.user,
                    error_type = error_type.as_deref().unwrap_or("-"),
                    error = %message,
                    "run failed in AgentOS"
                );
            }
            RunEvent::Paused { .. } => self.status = "paused",
            RunEvent::Member {
                member_name, event, ..
            } => match event.as_ref() {
                RunEvent::ToolStarted { tool } => self.tool_started(tool, member_name.as_deref()),
                RunEvent::ToolCompleted { tool } => {
                    self.tool_completed(tool, member_name.as_deref())
                }
                RunEvent::ModelMetrics { metrics } => self.model_request(metrics),
                _ => {}
            },
            RunEvent::Failed { message, .. } => {
                self.status = "failed";
                self.error = Some(message.clone());
            }
            _ => {}
        }
        if self.status.is_empty() {
            self.status = "streaming";
        }
    }

    fn tool_started(&mut self, tool: &ToolCall, member: Option<&str>) {
        let tracer = global::tracer("agno-chat");
        let mut attrs = vec![
            KeyValue::new("gen_ai.operation.name", "execute_tool"),
            KeyValue::new("gen_ai.tool.name", tool.tool_name.clone()),
            KeyValue::new("gen_ai.tool.call.id", tool.tool_call_id.clone()),
            KeyValue::new("gen_ai.tool.type", "function"),
        ];
        if let Some(m) = member {
            attrs.push(KeyValue::new("gen_ai.agent.name", m.to_owned()));
        }
        let span = tracer
            .span_builder(format!("execute_tool {}", tool.tool_name))
            .with_kind(SpanKind::Internal)
            .with_attributes(attrs)
            .start_with_context(&tracer, &self.turn);
        self.tools.insert(tool.tool_call_id.clone(), span);
    }

    fn tool_completed(&mut self, tool: &ToolCall, member: Option<&str>) {
        if !self.tools.contains_key(&tool.tool_call_id) {
            // Completed without a start seen (e.g. a resumed stream): a span of its duration.
            self.tool_started(tool, member);
        }
        if let Some(mut span) = self.tools.remove(&tool.tool_call_id) {
            if tool.tool_call_error {
                span.set_status(Status::error(
                    tool.error.clone().unwrap_or_else(|| "tool failed".into()),
                ));
            }
            if let Some(ms) = tool.duration_ms {
                span.set_attribute(KeyValue::new("agno.tool.duration_ms", ms));
            }
            span.end();
        }
    }

    fn model_request(&mut self, m: &Metrics) {
        let input = m.input_tokens.unwrap_or(0);
        let output = m.output_tokens.unwrap_or(0);
        self.input_tokens += input;
        self.output_tokens += output;
        let tracer = global::tracer("agno-chat");
        let now = SystemTime::now();
        let took = m
            .duration_ms
            .filter(|d| d.is_finite() && *d >= 0.0)
            .map(|d| Duration::from_secs_f64(d / 1000.0))
            .unwrap_or_default();
        let model = self.model.clone().unwrap_or_else(|| "model".into());
        let mut attrs = vec![
            KeyValue::new("gen_ai.operation.name", "chat"),
            KeyValue::new("gen_ai.request.model", model.clone()),
            KeyValue::new("gen_ai.usage.input_tokens", input as i64),
            KeyValue::new("gen_ai.usage.output_tokens", output as i64),
        ];
        if let Some(t) = m.time_to_first_token_ms.filter(|t| t.is_finite()) {
            attrs.push(KeyValue::new(
                "gen_ai.response.time_to_first_chunk",
                t / 1000.0,
            ));
        }
        let mut span = tracer
            .span_builder(format!("chat {model}"))
            .with_kind(SpanKind::Client)
            .with_start_time(now.checked_sub(took).unwrap_or(now))
            .with_attributes(attrs)
            .start_with_context(&tracer, &self.turn);
        span.end_with_timestamp(now);
    }

    /// Ends the stream: one log line, the run metrics, and the turn span.
    pub fn end(mut self) {
        let duration = self.started.elapsed();
        let status = if self.status.is_empty() {
            "failed"
        } else {
            self.status
        };
        let outcome: &'static str = match status {
            "streaming" => "broken",
            s => s,
        };
        metrics::run_finished(self.kind, outcome, duration.as_secs_f64());
        metrics::tokens(self.input_tokens, self.output_tokens);
        for (_, mut span) in self.tools.drain() {
            span.set_status(Status::error("the stream ended before the tool finished"));
            span.end();
        }
        let span = self.turn.span();
        span.set_attribute(KeyValue::new(
            "gen_ai.usage.input_tokens",
            self.input_tokens as i64,
        ));
        span.set_attribute(KeyValue::new(
            "gen_ai.usage.output_tokens",
            self.output_tokens as i64,
        ));
        span.set_attribute(KeyValue::new("agno_chat.outcome", outcome));
        if let Some(ms) = self.first_token_ms {
            span.set_attribute(KeyValue::new("agno_chat.time_to_first_token_ms", ms as i64));
        }
        match outcome {
            "completed" | "cancelled" | "paused" | "client_gone" => span.set_status(Status::Ok),
            _ => span.set_status(Status::error(
                self.error.clone().unwrap_or_else(|| outcome.to_owned()),
            )),
        }
        span.end();
        tracing::info!(
            run_id = self.run_id.as_deref().unwrap_or("-"),
            session_id = self.session_id.as_deref().unwrap_or("-"),
            assistant = %self.assistant_id,
            kind = self.kind,
            user = %self.user,
            resumed = self.resumed,
            status = outcome,
            ttft_ms = self.first_token_ms,
            duration_ms = duration.as_millis() as u64,
            input_tokens = self.input_tokens,
            output_tokens = self.output_tokens,
            events = self.events,
            "run stream ended"
        );
    }
}
