//! Feedback on an answer as observability sees it: a Prometheus count, and an evaluation
//! on the run's trace after the OpenTelemetry GenAI conventions (a `gen_ai.evaluation.result`
//! event, on a span that is a child of agno-chat's span of the run), so that Langfuse and
//! similar tools show it beside the run.

use std::collections::HashMap;
use std::time::Duration;

use opentelemetry::propagation::TextMapPropagator as _;
use opentelemetry::trace::{Span as _, SpanKind, Tracer as _};
use opentelemetry::{global, Context, KeyValue};
use opentelemetry_sdk::propagation::TraceContextPropagator;

use crate::chat::annotations::Feedback;

/// The `traceparent` of runs seen streaming here lately: a continued run (a regenerated
/// answer, an edit) has no metadata of agno-chat's to carry its trace.
fn recent() -> &'static moka::sync::Cache<String, String> {
    static RECENT: std::sync::OnceLock<moka::sync::Cache<String, String>> =
        std::sync::OnceLock::new();
    RECENT.get_or_init(|| {
        moka::sync::Cache::builder()
            .max_capacity(100_000)
            .time_to_live(Duration::from_secs(7 * 24 * 3600))
            .build()
    })
}

/// Remembers the trace of a run that started streaming.
pub fn remember_trace(run_id: &str, traceparent: String) {
    recent().insert(run_id.to_owned(), traceparent);
}

/// Records feedback given (`Some`) or taken back (`None`) on `run_id`, whose trace is
/// `traceparent` when its metadata says. The comment goes on the trace only `with_content`
/// (`AGNO_CHAT_REPORT_MESSAGE_CONTENT`), as people's words do everywhere else.
pub fn record(
    run_id: &str,
    session_id: &str,
    feedback: Option<&Feedback>,
    traceparent: Option<&str>,
    with_content: bool,
) {
    let label = feedback.map_or("cleared", |f| f.rating.name());
    metrics::counter!("agno_chat_feedback_total", "rating" => label).increment(1);
    let Some(feedback) = feedback else {
        return;
    };
    let traceparent = traceparent
        .map(str::to_owned)
        .or_else(|| recent().get(run_id));
    let parent = match traceparent {
        Some(tp) => {
            TraceContextPropagator::new().extract(&HashMap::from([("traceparent".to_owned(), tp)]))
        }
        None => Context::new(),
    };
    let tracer = global::tracer("agno-chat");
    let mut span = tracer
        .span_builder("evaluation user_feedback")
        .with_kind(SpanKind::Internal)
        .with_attributes([
            KeyValue::new("gen_ai.response.id", run_id.to_owned()),
            KeyValue::new("gen_ai.conversation.id", session_id.to_owned()),
        ])
        .start_with_context(&tracer, &parent);
    let mut attrs = vec![
        KeyValue::new("gen_ai.evaluation.name", "user_feedback"),
        KeyValue::new("gen_ai.evaluation.score.value", feedback.rating.score()),
        KeyValue::new("gen_ai.evaluation.score.label", feedback.rating.name()),
        KeyValue::new("gen_ai.response.id", run_id.to_owned()),
    ];
    if with_content && !feedback.comment.is_empty() {
        attrs.push(KeyValue::new(
            "gen_ai.evaluation.explanation",
            feedback.comment.clone(),
        ));
    }
    span.add_event("gen_ai.evaluation.result", attrs);
    span.end();
}
