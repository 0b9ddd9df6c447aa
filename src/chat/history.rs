//! Rebuilds a stored conversation (AgentOS `GET /sessions/{id}/runs`) through the same
//! reducer as live streams, so history and live answers look the same.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::event::RunEvent;
use super::reducer::{Answer, Status};
use super::upstream::{parse_frame, Upstream};

/// One stored turn: what the user asked and the answer as the reducer builds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryTurn {
    pub run_id: String,
    pub question: String,
    pub answer: Answer,
    /// When it was asked, in seconds since the epoch, if AgentOS says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<i64>,
    /// What the user attached to the question.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<super::media::MediaItem>,
    /// Its place among the conversation's versions (see `chat::branches`).
    #[serde(default, skip_serializing_if = "is_plain")]
    pub lineage: super::branches::Lineage,
}

fn is_plain(l: &super::branches::Lineage) -> bool {
    *l == super::branches::Lineage::default()
}

impl HistoryTurn {
    /// Gives the turn's stored attachments and media their addresses at agno-chat.
    pub fn locate_media(
        &mut self,
        kind: crate::model::AssistantKind,
        assistant: &str,
        session: &str,
    ) {
        super::media::locate(&mut self.attachments, kind, assistant, session);
        super::media::locate(&mut self.answer.media, kind, assistant, session);
    }
}

/// A stored conversation as the browser opens it: its turns, oldest first, and the
/// highlighted HTML of the code blocks in the newest turns (those shown first), so they
/// are shown highlighted without asking the server again.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionHistory {
    pub turns: Vec<HistoryTurn>,
    pub highlighted: Vec<HighlightedCode>,
    /// AgentOS could not be asked: these are the turns as the server last saw them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stale: bool,
}

/// A code block (language label and text, as the markdown renders them) and its
/// highlighted HTML.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HighlightedCode {
    pub lang: String,
    pub code: String,
    pub html: String,
}

/// The code blocks of the newest `turns` turns, newest first, without repeats, at most
/// `max` of them: those a conversation shows first when it is opened.
pub fn newest_code_blocks(
    turns: &[HistoryTurn],
    newest: usize,
    max: usize,
) -> Vec<(String, String)> {
    let mut blocks: Vec<(String, String)> = Vec::new();
    for turn in turns.iter().rev().take(newest) {
        for block in super::markdown::code_blocks(&turn.answer.text) {
            if blocks.len() >= max {
                return blocks;
            }
            if !blocks.contains(&block) {
                blocks.push(block);
            }
        }
    }
    blocks
}

/// Turns AgentOS run records into turns, oldest first. Member runs of a team (those with
/// a `parent_run_id`) are folded into their team run by its stored events, not listed.
pub fn turns_from_runs(runs: &[Value]) -> Vec<HistoryTurn> {
    dated_turns_from_runs(runs)
        .into_iter()
        .map(|(_, turn)| turn)
        .collect()
}

/// As [`turns_from_runs`], each turn with its run's `created_at` in seconds since the
/// epoch (`None` when the run does not say). Every version of a turn is listed (runs
/// AgentOS marks `REGENERATED` too), each with its [`Lineage`](super::branches::Lineage):
/// the browser shows one branch of them.
pub fn dated_turns_from_runs(runs: &[Value]) -> Vec<(Option<i64>, HistoryTurn)> {
    let mut top: Vec<&Value> = runs
        .iter()
        .filter(|r| {
            r.get("parent_run_id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .is_empty()
        })
        .collect();
    top.sort_by_key(|r| created(r));
    top.into_iter()
        .map(|r| {
            let at = r.get("created_at").and_then(crate::model::parse_timestamp);
            (at, turn_from_run(r))
        })
        .collect()
}

/// What a session's runs say of who owns it (AgentOS lists a session's runs only to its
/// owner, so `GET /sessions/{id}/runs?user_id=` answers 404 for another user's session;
/// this checks the runs themselves as well): `Some(true)` when every top-level run is the
/// caller's and with this agent or team, `Some(false)` when one is not, `None` when the
/// runs cannot tell (none, or without those fields), and the session itself must be asked.
pub fn runs_owned_by(
    runs: &[Value],
    kind: crate::model::AssistantKind,
    assistant_id: &str,
    user_id: &str,
) -> Option<bool> {
    let assistant_field = match kind {
        crate::model::AssistantKind::Agent => "agent_id",
        crate::model::AssistantKind::Team => "team_id",
    };
    let top = runs.iter().filter(|r| {
        r.get("parent_run_id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .is_empty()
    });
    let mut any = false;
    for run in top {
        let field = |name: &str| run.get(name).and_then(Value::as_str);
        match (field("user_id"), field(assistant_field)) {
            (Some(u), Some(c)) if u == user_id && c == assistant_id => any = true,
            (Some(_), Some(_)) => return Some(false),
            _ => return None,
        }
    }
    any.then_some(true)
}

fn created(run: &Value) -> String {
    match run.get("created_at") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => format!("{:020}", n.as_f64().unwrap_or(0.0) as u64),
        _ => String::new(),
    }
}

fn turn_from_run(run: &Value) -> HistoryTurn {
    let run_id = run
        .get("run_id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    // An edited question's run keeps the original's input: its own is its last message
    // from the user.
    let question = match run.get("forked_from_run_id").and_then(Value::as_str) {
        Some(s) if !s.is_empty() => own_question(run),
        _ => None,
    }
    .unwrap_or_else(|| question_text(run.get("run_input")));
    let mut answer = Answer::new();
    for ev in run
        .get("events")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = ev.get("event").and_then(Value::as_str).unwrap_or_default();
        if let Ok(Upstream::Events(events)) = parse_frame(name, &ev.to_string()) {
            for e in events {
                answer.apply(e);
            }
        }
    }
    if answer.run_id.is_none() {
        answer.run_id = crate::ids::RunId::new(run_id.clone()).ok();
    }
    // Tools answered through `/continue` (frontend tools, rejections) have no completion
    // event; their results are in the run's own tool list.
    for stored in run
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(id), Some(result)) = (
            stored.get("tool_call_id").and_then(Value::as_str),
            stored.get("result").and_then(Value::as_str),
        ) else {
            continue;
        };
        if let Some(t) = answer
            .tools
            .iter_mut()
            .find(|t| t.tool_call_id == id && t.result.is_none())
        {
            t.result = Some(result.to_owned());
        }
    }
    // Stored events leave out the text deltas: the run's own fields hold the final text.
    let content = run.get("content").and_then(|c| match c {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    });
    let reasoning = run
        .get("reasoning_content")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let status = run
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match status {
        "ERROR" => {
            if answer.error.is_none() {
                answer.apply(RunEvent::Error {
                    message: content.clone().unwrap_or_else(|| "The run failed.".into()),
                    error_type: None,
                });
            }
        }
        "PAUSED" => {}
        _ => {
            if let Some(c) = content.filter(|c| !c.is_empty()) {
                if answer.text.is_empty() {
                    answer.text = c;
                }
            }
        }
    }
    if let Some(r) = reasoning.filter(|r| !r.is_empty()) {
        if answer.reasoning.is_empty() {
            answer.reasoning = r;
        }
    }
    // The run's own lists are what was stored, whether or not its events were.
    let media = super::media::output_media(run);
    if !media.is_empty() {
        answer.media = media;
    }
    let sources = super::media::sources(run);
    if !sources.is_empty() {
        answer.sources = sources;
    }
    // Stored runs keep their totals even when their events are not stored: the answer's
    // details show them as they did live.
    if answer.metrics.is_empty() {
        if let Some(m) = run.get("metrics").filter(|m| m.is_object()) {
            answer.metrics = super::upstream::metrics(m);
        }
    }
    answer.status = match status {
        "COMPLETED" => Status::Completed,
        "CANCELLED" => Status::Cancelled,
        "ERROR" => Status::Error,
        "PAUSED" => Status::Paused,
        "RUNNING" | "PENDING" => Status::Streaming,
        _ if answer.status.is_active() => Status::Interrupted,
        _ => answer.status,
    };
    HistoryTurn {
        run_id,
        question,
        answer,
        at: run
            .get("created_at")
            .and_then(crate::model::parse_timestamp),
        attachments: super::media::input_media(run),
        lineage: super::branches::Lineage::of_run(run),
    }
}

/// The last message from the user among the run's own messages (not those it was given
/// from the conversation's history).
fn own_question(run: &Value) -> Option<String> {
    run.get("messages")?
        .as_array()?
        .iter()
        .rev()
        .find(|m| {
            m.get("role").and_then(Value::as_str) == Some("user")
                && m.get("from_history").and_then(Value::as_bool) != Some(true)
        })
        .and_then(|m| m.get("content"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// `run_input` is the user's message (a string) or, for some inputs, structured JSON.
fn question_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => o
            .get("input_content")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| Value::Object(o.clone()).to_string()),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(name: &str) -> Option<Vec<Value>> {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/agentos/transcripts");
        let body = std::fs::read_to_string(dir.join(name)).ok()?;
        Some(serde_json::from_str(&body).expect(name))
    }

    #[test]
    fn newest_code_blocks_come_newest_first_without_repeats() {
        let turn = |text: &str| {
            let mut answer = Answer::new();
            answer.text = text.to_owned();
            HistoryTurn {
                run_id: "r".into(),
                question: "q".into(),
                answer,
                at: None,
                attachments: Vec::new(),
                lineage: Default::default(),
            }
        };
        let turns = vec![
            turn("```py\nold()\n```"),
            turn("```rust\na();\n```\n\n```rust\nb();\n```"),
            turn("no code"),
            turn("```rust\na();\n```"),
        ];
        let blocks = newest_code_blocks(&turns, 3, 10);
        let code: Vec<&str> = blocks.iter().map(|(_, c)| c.as_str()).collect();
        // The oldest turn is beyond the newest three; `a();` is listed once.
        assert_eq!(code, ["a();\n", "b();\n"]);
        assert_eq!(newest_code_blocks(&turns, 4, 1).len(), 1);
    }

    #[test]
    fn ownership_from_runs() {
        use crate::model::AssistantKind::{Agent, Team};
        let run = |user: &str, agent: &str| serde_json::json!({"run_id": "r", "parent_run_id": "", "user_id": user, "agent_id": agent});
        let mine = vec![run("u1", "echo"), run("u1", "echo")];
        assert_eq!(runs_owned_by(&mine, Agent, "echo", "u1"), Some(true));
        // Another user's, another agent's, or a team asked about an agent's session.
        assert_eq!(runs_owned_by(&mine, Agent, "echo", "u2"), Some(false));
        assert_eq!(runs_owned_by(&mine, Agent, "other", "u1"), Some(false));
        assert_eq!(runs_owned_by(&mine, Team, "echo", "u1"), None);
        let mixed = vec![run("u1", "echo"), run("u2", "echo")];
        assert_eq!(runs_owned_by(&mixed, Agent, "echo", "u1"), Some(false));
        // Nothing to tell by: no runs, or runs without the fields.
        assert_eq!(runs_owned_by(&[], Agent, "echo", "u1"), None);
        let bare = vec![serde_json::json!({"run_id": "r"})];
        assert_eq!(runs_owned_by(&bare, Agent, "echo", "u1"), None);
        // Member runs of a team (with a parent) do not count.
        let team = vec![
            serde_json::json!({"run_id": "t", "parent_run_id": "", "user_id": "u1", "team_id": "crew"}),
            serde_json::json!({"run_id": "m", "parent_run_id": "t", "user_id": "u1", "agent_id": "member"}),
        ];
        assert_eq!(runs_owned_by(&team, Team, "crew", "u1"), Some(true));
    }

    #[test]
    fn recorded_sessions_prove_their_owner() {
        use crate::model::AssistantKind::{Agent, Team};
        let Some(runs) = load("54_session_runs.body") else {
            return;
        };
        assert_eq!(
            runs_owned_by(&runs, Agent, "echo-agent", "alice"),
            Some(true)
        );
        assert_eq!(
            runs_owned_by(&runs, Agent, "echo-agent", "bob"),
            Some(false)
        );
        let Some(runs) = load("59_session_runs_team.body") else {
            return;
        };
        assert_eq!(runs_owned_by(&runs, Team, "echo-team", "alice"), Some(true));
        assert_eq!(runs_owned_by(&runs, Agent, "echo-member", "alice"), None);
    }

    #[test]
    fn regenerated_runs_are_kept_as_replaced_and_turns_carry_their_dates() {
        let run = |id: &str, status: &str, at: serde_json::Value| {
            serde_json::json!({"run_id": id, "parent_run_id": "", "status": status,
                               "run_input": id, "content": id, "created_at": at})
        };
        let runs = vec![
            run("new", "COMPLETED", "2026-11-30T22:24:55Z".into()),
            run("old", "REGENERATED", "2026-11-30T22:24:54Z".into()),
            run("first", "COMPLETED", 1_796_000_000.into()),
            run("undated", "COMPLETED", serde_json::Value::Null),
        ];
        let dated = dated_turns_from_runs(&runs);
        let got: Vec<(Option<i64>, &str)> = dated
            .iter()
            .map(|(at, t)| (*at, t.run_id.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (None, "undated"),
                (Some(1_796_000_000), "first"),
                (Some(1_796_077_494), "old"),
                (Some(1_796_077_495), "new")
            ]
        );
        assert!(dated[2].1.lineage.replaced);
        assert!(!dated[3].1.lineage.replaced);
    }

    fn recorded(name: &str) -> Vec<HistoryTurn> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/agentos/branches")
            .join(name);
        let runs: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        turns_from_runs(&runs)
    }

    fn tree_of(turns: &[HistoryTurn]) -> crate::chat::branches::Tree {
        crate::chat::branches::Tree::from_lineage(
            turns.iter().map(|t| (t.run_id.as_str(), &t.lineage)),
        )
    }

    #[test]
    fn an_edited_first_question_is_a_branch_of_its_own_recorded() {
        // Three turns, the first question edited, then a fourth message (sent by a client
        // that recorded nothing, so it follows the run stored before it: the edit).
        let turns = recorded("runs_after_normal_after_edit.json");
        let mut tree = tree_of(&turns);
        let shown = |tree: &crate::chat::branches::Tree| {
            tree.path()
                .into_iter()
                .map(|i| turns[i].question.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(shown(&tree), ["one EDITED apricot", "four giraffe"]);
        assert_eq!(turns[3].answer.text, "Echo: one EDITED apricot");
        assert_eq!(tree.version(3), (2, 2));
        tree.step(3, -1);
        assert_eq!(
            shown(&tree),
            ["one apple", "two banana cherry", "three dog elephant fox"]
        );
    }

    #[test]
    fn regenerated_answers_are_versions_of_their_turn_recorded() {
        // Turn 2 regenerated (the original replaced), then turn 3 of the original branch
        // regenerated keeping the original: that branch, the newest answer's, shows; the
        // other is a step away.
        let turns = recorded("runs_after_middle_regen.json");
        let mut tree = tree_of(&turns);
        assert_eq!(tree.path(), [0, 1, 4]);
        assert_eq!(tree.version(4), (2, 2));
        assert_eq!(tree.version(1), (1, 2));
        tree.step(1, 1);
        assert_eq!(tree.path(), [0, 3]);
        let single = recorded("runs_after_regenerate.json");
        assert_eq!(tree_of(&single).path(), [1]);
    }

    #[test]
    fn runs_without_events_keep_their_totals() {
        // A run started without streaming stores no events; its totals are on the run.
        let run = serde_json::json!({
            "run_id": "r1", "parent_run_id": "", "status": "COMPLETED",
            "run_input": "hi", "content": "Echo: hi", "created_at": 1,
            "metrics": {"input_tokens": 127, "output_tokens": 99, "total_tokens": 226,
                        "time_to_first_token": 0.0024232750001829118, "duration": 0.43847526899998}
        });
        let turns = turns_from_runs(&[run]);
        let m = &turns[0].answer.metrics;
        assert_eq!(
            (m.input_tokens, m.output_tokens, m.total_tokens),
            (Some(127), Some(99), Some(226))
        );
        // To a tenth of a millisecond.
        assert_eq!(m.duration_ms, Some(438.5));
        assert_eq!(m.time_to_first_token_ms, Some(2.4));
    }

    #[test]
    fn history_json_leaves_empty_parts_out_and_reads_them_back() {
        let mut answer = Answer::new();
        answer.text = "Echo: hi".into();
        answer.status = Status::Completed;
        let turn = HistoryTurn {
            run_id: "r1".into(),
            question: "hi".into(),
            answer,
            at: None,
            attachments: Vec::new(),
            lineage: Default::default(),
        };
        let json = serde_json::to_string(&turn).unwrap();
        assert_eq!(
            json,
            r#"{"run_id":"r1","question":"hi","answer":{"text":"Echo: hi","status":"Completed"}}"#
        );
        assert_eq!(serde_json::from_str::<HistoryTurn>(&json).unwrap(), turn);
        // Written out in full (nulls, empty lists), it reads the same.
        let full = r#"{"run_id":"r1","question":"hi","answer":{"run_id":null,"session_id":null,
            "model":null,"text":"Echo: hi","reasoning":"","tools":[],"members":[],
            "status":"Completed","error":null,"failure":null,"metrics":{"input_tokens":null},
            "paused":null}}"#;
        assert_eq!(serde_json::from_str::<HistoryTurn>(full).unwrap(), turn);
        // Every part that is there survives the round trip.
        let mut answer = turn.answer.clone();
        answer.run_id = crate::ids::RunId::new("r1").ok();
        answer.session_id = Some("s1".into());
        answer.model = Some("m".into());
        answer.reasoning = "thinking".into();
        answer.tools = vec![serde_json::from_value(serde_json::json!({
            "tool_call_id": "c1", "tool_name": "t", "tool_args": {"a": 1}, "result": "ok",
            "tool_call_error": false, "duration_ms": 1.5
        }))
        .unwrap()];
        answer.members = vec![super::super::reducer::MemberActivity {
            run_id: "m1".into(),
            name: "Member".into(),
            text: "member text".into(),
            ..Default::default()
        }];
        answer.error = Some("failed".into());
        answer.failure = Some(super::super::event::FailureKind::Upstream);
        answer.metrics.input_tokens = Some(3);
        answer.metrics.duration_ms = Some(2.5);
        answer.paused = Some(Default::default());
        let turn = HistoryTurn { answer, ..turn };
        let json = serde_json::to_string(&turn).unwrap();
        assert_eq!(serde_json::from_str::<HistoryTurn>(&json).unwrap(), turn);
    }

    #[test]
    fn agent_session_history() {
        let Some(runs) = load("54_session_runs.body") else {
            return;
        };
        let turns = turns_from_runs(&runs);
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[0].question, "Hello there agent");
        assert_eq!(turns[0].answer.text, "Echo: Hello there agent");
        assert_eq!(turns[0].answer.status, Status::Completed);
    }

    #[test]
    fn team_history_keeps_only_top_level_runs_with_member_activity() {
        let Some(runs) = load("59_session_runs_team.body") else {
            return;
        };
        let turns = turns_from_runs(&runs);
        assert_eq!(turns.len(), 1);
        let a = &turns[0].answer;
        assert_eq!(a.status, Status::Completed);
        assert!(a.text.contains("Team hello"), "{}", a.text);
        assert_eq!(a.tools[0].tool_name, "delegate_task_to_member");
    }

    #[test]
    fn cancelled_and_paused_runs_show_as_such() {
        if let Some(runs) = load("82_session_runs_after_cancel.body") {
            let turns = turns_from_runs(&runs);
            assert_eq!(turns.last().unwrap().answer.status, Status::Cancelled);
        }
        if let Some(runs) = load("113_session_runs_paused.body") {
            let turns = turns_from_runs(&runs);
            let a = &turns.last().unwrap().answer;
            assert_eq!(a.status, Status::Paused);
            assert!(a.paused.is_some());
        }
    }

    #[test]
    fn hitl_history_is_completed_with_the_tool() {
        let Some(runs) = load("56_session_runs_hitl.body") else {
            return;
        };
        let turns = turns_from_runs(&runs);
        let a = &turns[0].answer;
        assert_eq!(a.status, Status::Completed);
        assert!(a.paused.is_none());
        assert!(!a.tools.is_empty());
    }
}
