//! Prometheus metrics through the `metrics` facade, rendered by
//! `metrics-exporter-prometheus` at `GET /metrics` (behind a bearer token when configured).

use std::sync::OnceLock;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use secrecy::{ExposeSecret, SecretString};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process-wide recorder (once) and returns the handle that renders it.
#[expect(
    clippy::expect_used,
    reason = "start-up: without its recorder the server must not run"
)]
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("_seconds".into()),
                    &[
                        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
                        120.0, 300.0,
                    ],
                )
                .expect("bucket list is not empty")
                .build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed");
            }
            describe();
            handle
        })
        .clone()
}

fn describe() {
    describe_counter!(
        "agno_chat_sign_ins_total",
        "Sign-ins finished, by outcome (ok, refused, denied, no_pending, unreachable)"
    );
    describe_counter!(
        "agno_chat_forbidden_total",
        "Requests refused because the person's roles do not include the agent or team"
    );
    describe_counter!(
        "agno_chat_http_requests_total",
        "HTTP requests answered, by route group and status class"
    );
    describe_counter!(
        "agno_chat_runs_started_total",
        "Answer streams started (new runs and resumed runs)"
    );
    describe_counter!(
        "agno_chat_runs_finished_total",
        "Answer streams ended, by outcome (completed, error, cancelled, paused, failed, client_gone)"
    );
    describe_gauge!("agno_chat_active_streams", "Answer streams open now");
    describe_counter!(
        "agno_chat_history_loads_total",
        "Conversations opened, by how AgentOS was asked (full: every run; newest: the runs since a copy kept on the server; stale: AgentOS away, the copy shown as it was)"
    );
    describe_gauge!(
        "agno_chat_history_cache_bytes",
        "About how much memory the copies of recently opened conversations take"
    );
    describe_histogram!(
        "agno_chat_time_to_first_token_seconds",
        "From starting a run to its first text or reasoning token"
    );
    describe_histogram!(
        "agno_chat_run_duration_seconds",
        "From starting a run to the end of its stream"
    );
    describe_counter!("agno_chat_tokens_total", "Model tokens, by direction");
    describe_counter!(
        "agno_chat_token_refreshes_total",
        "New AgentOS tokens obtained because AgentOS said the old one expired"
    );
    describe_counter!(
        "agno_chat_rate_limited_total",
        "Requests refused by a rate limit or stream cap, by limit"
    );
    describe_gauge!(
        "agno_chat_agentos_up",
        "1 when AgentOS answered its last health probe"
    );
    describe_gauge!(
        "agno_chat_agentos_probe_latency_seconds",
        "Latency of the last AgentOS health probe"
    );
    describe_counter!(
        "agno_chat_client_errors_total",
        "Errors reported by browsers, by kind"
    );
    describe_counter!(
        "agno_chat_feedback_total",
        "Feedback on answers, by rating (up, down; cleared when taken back)"
    );
    describe_counter!(
        "agno_chat_shares_total",
        "Share links, by action (created, updated, revoked, viewed)"
    );
    describe_counter!(
        "agno_chat_usage_tokens_total",
        "Model tokens of finished runs from AgentOS's run metrics, by agent or team, model and direction"
    );
    describe_counter!(
        "agno_chat_usage_cost_microunits_total",
        "Estimated cost of finished runs from the price table, in millionths of its currency, by agent or team and model"
    );
    describe_counter!(
        "agno_chat_budget_refusals_total",
        "Messages refused because a budget was used up, by period and measure"
    );
    describe_counter!(
        "agno_chat_budget_warnings_total",
        "Times people were told they had used 80% of a budget, by period and measure"
    );
    describe_counter!(
        "agno_chat_analytics_events_total",
        "Analytics events received from browsers, by event"
    );
}

pub fn request(route: &'static str, status: u16) {
    let class = match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    counter!("agno_chat_http_requests_total", "route" => route, "status" => class).increment(1);
}

pub fn run_started(kind: &'static str, resumed: bool) {
    counter!("agno_chat_runs_started_total", "kind" => kind, "resumed" => if resumed { "true" } else { "false" })
        .increment(1);
    gauge!("agno_chat_active_streams").increment(1.0);
}

pub fn run_finished(kind: &'static str, outcome: &'static str, seconds: f64) {
    counter!("agno_chat_runs_finished_total", "kind" => kind, "outcome" => outcome).increment(1);
    gauge!("agno_chat_active_streams").decrement(1.0);
    histogram!("agno_chat_run_duration_seconds", "kind" => kind).record(seconds);
}

pub fn first_token(kind: &'static str, seconds: f64) {
    histogram!("agno_chat_time_to_first_token_seconds", "kind" => kind).record(seconds);
}

pub fn tokens(input: u64, output: u64) {
    counter!("agno_chat_tokens_total", "direction" => "input").increment(input);
    counter!("agno_chat_tokens_total", "direction" => "output").increment(output);
}

/// What a finished run spent, from its metrics and the price table.
pub fn usage(assistant: &str, model: &str, input: u64, output: u64, cost: u64) {
    let (a, m) = (assistant.to_owned(), model.to_owned());
    counter!("agno_chat_usage_tokens_total", "assistant" => a.clone(), "model" => m.clone(), "direction" => "input")
        .increment(input);
    counter!("agno_chat_usage_tokens_total", "assistant" => a.clone(), "model" => m.clone(), "direction" => "output")
        .increment(output);
    counter!("agno_chat_usage_cost_microunits_total", "assistant" => a, "model" => m)
        .increment(cost);
}

/// A message refused (`refused`), or a warning given, for a budget.
pub fn budget(refused: bool, period: String, measure: &'static str) {
    let name = if refused {
        "agno_chat_budget_refusals_total"
    } else {
        "agno_chat_budget_warnings_total"
    };
    counter!(name, "period" => period, "measure" => measure).increment(1);
}

/// One finished sign-in attempt, by outcome (ok, refused, denied, no_pending, unreachable).
pub fn sign_in(outcome: &'static str) {
    counter!("agno_chat_sign_ins_total", "outcome" => outcome).increment(1);
}

/// A request refused because the person's roles do not include the agent or team.
pub fn forbidden_assistant() {
    counter!("agno_chat_forbidden_total").increment(1);
}

pub fn rate_limited(limit: &'static str) {
    counter!("agno_chat_rate_limited_total", "limit" => limit).increment(1);
}

pub fn agentos_probe(up: bool, latency_seconds: Option<f64>) {
    gauge!("agno_chat_agentos_up").set(if up { 1.0 } else { 0.0 });
    if let Some(l) = latency_seconds {
        gauge!("agno_chat_agentos_probe_latency_seconds").set(l);
    }
}

pub fn client_error(kind: &'static str) {
    counter!("agno_chat_client_errors_total", "kind" => kind).increment(1);
}

/// A share link created, updated, revoked or viewed.
pub fn share(action: &'static str) {
    counter!("agno_chat_shares_total", "action" => action).increment(1);
}

pub fn analytics_event(name: &'static str) {
    counter!("agno_chat_analytics_events_total", "event" => name).increment(1);
}

/// The answer to `GET /metrics`: Prometheus text format. With `AGNO_CHAT_METRICS_TOKEN`
/// set (`token`), only for `Authorization: Bearer <token>`.
pub fn endpoint(
    token: Option<&SecretString>,
    handle: &PrometheusHandle,
    headers: &HeaderMap,
) -> Response {
    if token.is_some() && !operator(token, headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "metrics need the bearer token",
        )
            .into_response();
    }
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// Whether the request carries the configured metrics token (the operator's key for
/// metrics and health details); `false` when none is configured.
pub fn operator(token: Option<&SecretString>, headers: &HeaderMap) -> bool {
    let Some(token) = token else {
        return false;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    constant_time_eq(given.as_bytes(), token.expose_secret().as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorder_renders_counters() {
        let h = install();
        run_started("agent", false);
        run_finished("agent", "completed", 0.2);
        rate_limited("send");
        let text = h.render();
        assert!(text.contains("agno_chat_runs_started_total"), "{text}");
        assert!(
            text.contains("agno_chat_rate_limited_total{limit=\"send\"}"),
            "{text}"
        );
        assert!(
            text.contains("agno_chat_run_duration_seconds_bucket"),
            "{text}"
        );
    }

    #[test]
    fn token_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
