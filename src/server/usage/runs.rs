//! What one run spent, read from AgentOS's own run metrics: the `metrics` of a stored run,
//! or of the `RunCompleted` event that ends its stream. Per-model tokens are under
//! `metrics.details[<kind>][]` (`{id, provider, input_tokens, output_tokens}`); a run
//! without details is counted under its `model`.

use serde_json::Value;

pub use crate::chat::event::ModelTokens;

/// One run's spend, by whom and with which agent or team.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunUsage {
    pub run_id: String,
    pub user: String,
    /// When it ran (Unix seconds).
    pub at: i64,
    /// `agent:<id>` or `team:<id>`: the agent or team the person talked to (a team
    /// member's run counts for its team).
    pub assistant: String,
    pub models: Vec<ModelTokens>,
}

impl RunUsage {
    pub fn tokens(&self) -> u64 {
        self.models.iter().map(|m| m.input + m.output).sum()
    }
}

/// The per-model tokens in a run's `metrics`; `model` names a run without details.
pub fn model_tokens(metrics: &Value, model: Option<&str>) -> Vec<ModelTokens> {
    let out = crate::chat::upstream::model_tokens(metrics);
    if !out.is_empty() {
        return out;
    }
    let count = |k: &str| metrics.get(k).and_then(Value::as_u64).unwrap_or(0);
    let (input, output) = (count("input_tokens"), count("output_tokens"));
    if input + output == 0 {
        return Vec::new();
    }
    vec![ModelTokens {
        model: model.unwrap_or("unknown").to_owned(),
        provider: String::new(),
        input,
        output,
    }]
}

/// A time AgentOS wrote: Unix seconds, or an RFC 3339 string.
pub fn timestamp(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .ok()
                .map(|t| t.unix_timestamp())
        }
        _ => None,
    }
}

/// A stored run of `GET /sessions/{id}/runs`, as spent by `user` with `assistant`; `None`
/// for a run that spent nothing (or has no id).
pub fn from_stored(run: &Value, user: &str, assistant: &str) -> Option<RunUsage> {
    let run_id = run.get("run_id").and_then(Value::as_str)?.to_owned();
    let metrics = run.get("metrics")?;
    let models = model_tokens(metrics, run.get("model").and_then(Value::as_str));
    if models.is_empty() {
        return None;
    }
    Some(RunUsage {
        run_id,
        user: user.to_owned(),
        at: run.get("created_at").and_then(timestamp).unwrap_or(0),
        assistant: assistant.to_owned(),
        models,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEAM_RUNS: &str =
        include_str!("../../../tests/fixtures/agentos/usage/team_session_runs.json");

    #[test]
    fn stored_runs_give_each_model_its_tokens() {
        let runs: Vec<Value> = serde_json::from_str(TEAM_RUNS).unwrap();
        let usage: Vec<RunUsage> = runs
            .iter()
            .filter_map(|r| from_stored(r, "u1", "team:echo-team"))
            .collect();
        // The leader's run and its member's are stored apart, each with its own metrics.
        assert_eq!(usage.len(), 2);
        let member = usage.iter().find(|u| u.tokens() == 5).unwrap();
        assert_eq!(member.models[0].model, "scripted-1");
        assert_eq!(member.models[0].provider, "Offline");
        let leader = usage.iter().find(|u| u.run_id != member.run_id).unwrap();
        assert_eq!((leader.models[0].input, leader.models[0].output), (523, 13));
        assert!(leader.at > 1_700_000_000);
        assert_eq!(leader.assistant, "team:echo-team");
    }

    #[test]
    fn metrics_without_details_count_under_the_run_model() {
        let m = serde_json::json!({"input_tokens": 7, "output_tokens": 2});
        assert_eq!(
            model_tokens(&m, Some("gpt-x")),
            vec![ModelTokens {
                model: "gpt-x".into(),
                provider: String::new(),
                input: 7,
                output: 2
            }]
        );
        assert!(model_tokens(&serde_json::json!({}), None).is_empty());
        assert_eq!(
            timestamp(&serde_json::json!("2026-12-06T04:06:29Z")),
            Some(1_796_529_989)
        );
    }
}
