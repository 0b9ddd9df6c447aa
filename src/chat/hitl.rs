//! Human in the loop, without IO: which tools of a paused run wait for a person, the
//! decisions a person (or the browser) makes, how they are validated, and how they are
//! written into AgentOS's own tool entries for `/continue`. The server applies decisions to
//! the tool entries it fetched from AgentOS itself, so a browser can decide, but never
//! change what a tool was called with.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a paused tool needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "need", rename_all = "snake_case")]
pub enum Need {
    /// Approve or reject (with an optional note).
    Confirm,
    /// Fill in these fields.
    Input { fields: Vec<InputField> },
    /// Run in the browser by a registered handler.
    External,
}

/// One field of a user-input form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputField {
    pub name: String,
    /// AgentOS's type name: str, int, float, bool, list, dict.
    pub field_type: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Already known (filled by the model): shown, not asked.
    #[serde(default)]
    pub value: Option<Value>,
}

/// A tool of a paused run that waits for a decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PausedTool {
    pub tool_call_id: String,
    pub tool_name: String,
    #[serde(default)]
    pub tool_args: Value,
    /// The team member that called it, for team runs.
    #[serde(default)]
    pub member: Option<String>,
    #[serde(flatten)]
    pub need: Need,
}

/// A decision about one paused tool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    Confirm {
        tool_call_id: String,
        confirmed: bool,
        #[serde(default)]
        note: Option<String>,
    },
    Input {
        tool_call_id: String,
        /// Field name → the text the user typed (converted by field type on the server).
        values: BTreeMap<String, String>,
    },
    External {
        tool_call_id: String,
        /// The handler's output, or an error text when it failed or does not exist.
        result: String,
    },
}

impl Decision {
    pub fn tool_call_id(&self) -> &str {
        match self {
            Decision::Confirm { tool_call_id, .. }
            | Decision::Input { tool_call_id, .. }
            | Decision::External { tool_call_id, .. } => tool_call_id,
        }
    }
}

/// Longest note, input value or external result accepted, in characters.
pub const MAX_TEXT: usize = 20_000;

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// The tool entry's need, when it still waits for one.
fn need_of(tool: &Value) -> Option<Need> {
    if flag(tool, "requires_confirmation") && tool.get("confirmed").is_none_or(Value::is_null) {
        return Some(Need::Confirm);
    }
    if flag(tool, "requires_user_input") && !flag(tool, "answered") {
        let fields = tool
            .get("user_input_schema")
            .and_then(Value::as_array)
            .map(|fs| {
                fs.iter()
                    .filter_map(|f| serde_json::from_value::<InputField>(f.clone()).ok())
                    .collect()
            })
            .unwrap_or_default();
        return Some(Need::Input { fields });
    }
    if flag(tool, "external_execution_required") && tool.get("result").is_none_or(Value::is_null) {
        return Some(Need::External);
    }
    None
}

fn paused_from(tool: &Value, member: Option<String>) -> Option<PausedTool> {
    Some(PausedTool {
        tool_call_id: tool.get("tool_call_id")?.as_str()?.to_owned(),
        tool_name: tool.get("tool_name")?.as_str()?.to_owned(),
        tool_args: tool.get("tool_args").cloned().unwrap_or(Value::Null),
        member,
        need: need_of(tool)?,
    })
}

/// The waiting tools of a paused run as AgentOS returns it: an agent run's `tools`, or a
/// team run's `requirements[].tool_execution`.
pub fn paused_tools(run: &Value) -> Vec<PausedTool> {
    if let Some(reqs) = run.get("requirements").and_then(Value::as_array) {
        let from_reqs: Vec<PausedTool> = reqs
            .iter()
            .filter_map(|r| {
                let member = r
                    .get("member_agent_name")
                    .or_else(|| r.get("member_agent_id"))
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                paused_from(r.get("tool_execution")?, member)
            })
            .collect();
        if !from_reqs.is_empty() {
            return from_reqs;
        }
    }
    run.get("tools")
        .and_then(Value::as_array)
        .map(|ts| ts.iter().filter_map(|t| paused_from(t, None)).collect())
        .unwrap_or_default()
}

/// Converts typed text to the JSON value of an AgentOS field type.
pub fn convert(field_type: &str, raw: &str) -> Result<Value, String> {
    let t = raw.trim();
    match field_type {
        "int" => t
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| "must be a whole number".into()),
        "float" => t
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::from)
            .ok_or_else(|| "must be a number".into()),
        "bool" => match t.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok(Value::Bool(true)),
            "false" | "no" | "off" | "0" => Ok(Value::Bool(false)),
            _ => Err("must be yes or no".into()),
        },
        "list" => match crate::codec::from_text::<Value>(t) {
            Ok(v @ Value::Array(_)) => Ok(v),
            _ => Ok(Value::Array(
                t.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_owned()))
                    .collect(),
            )),
        },
        "dict" => match crate::codec::from_text::<Value>(t) {
            Ok(v @ Value::Object(_)) => Ok(v),
            _ => Err("must be a JSON object".into()),
        },
        _ if t.is_empty() => Err("is required".into()),
        _ => Ok(Value::String(t.to_owned())),
    }
}

/// Checks a form's values against its fields: every field without a value is required.
/// Returns the problems by field name (empty when the form may be sent).
pub fn check_form(
    fields: &[InputField],
    values: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    fields
        .iter()
        .filter(|f| f.value.as_ref().is_none_or(Value::is_null))
        .filter_map(|f| {
            let raw = values.get(&f.name).map(String::as_str).unwrap_or("");
            if raw.chars().count() > MAX_TEXT {
                return Some((f.name.clone(), "is too long".into()));
            }
            if raw.trim().is_empty() && f.field_type != "bool" {
                return Some((f.name.clone(), "is required".into()));
            }
            convert(&f.field_type, raw)
                .err()
                .map(|e| (f.name.clone(), e))
        })
        .collect()
}

/// Writes `decision` into AgentOS's tool entry (`tool_execution` for teams).
pub fn apply(tool: &mut Value, decision: &Decision) -> Result<(), String> {
    let need = need_of(tool).ok_or("that tool is not waiting for a decision")?;
    let obj = tool.as_object_mut().ok_or("malformed tool entry")?;
    match (need, decision) {
        (
            Need::Confirm,
            Decision::Confirm {
                confirmed, note, ..
            },
        ) => {
            obj.insert("confirmed".into(), Value::Bool(*confirmed));
            if let Some(n) = note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                if n.chars().count() > MAX_TEXT {
                    return Err("the note is too long".into());
                }
                obj.insert("confirmation_note".into(), Value::String(n.to_owned()));
            }
            Ok(())
        }
        (Need::Input { fields }, Decision::Input { values, .. }) => {
            let problems = check_form(&fields, values);
            if let Some((field, problem)) = problems.first() {
                return Err(format!("{field} {problem}"));
            }
            let schema = obj
                .get_mut("user_input_schema")
                .and_then(Value::as_array_mut)
                .ok_or("the form has no fields")?;
            for f in schema.iter_mut() {
                let Some(name) = f.get("name").and_then(Value::as_str).map(str::to_owned) else {
                    continue;
                };
                let known = f.get("value").is_some_and(|v| !v.is_null());
                if known {
                    continue;
                }
                let ty = f
                    .get("field_type")
                    .and_then(Value::as_str)
                    .unwrap_or("str")
                    .to_owned();
                let raw = values.get(&name).map(String::as_str).unwrap_or("");
                f["value"] = convert(&ty, raw).map_err(|e| format!("{name} {e}"))?;
            }
            obj.insert("answered".into(), Value::Bool(true));
            Ok(())
        }
        (Need::External, Decision::External { result, .. }) => {
            if result.chars().count() > MAX_TEXT {
                return Err("the result is too long".into());
            }
            obj.insert("result".into(), Value::String(result.clone()));
            Ok(())
        }
        _ => Err("that decision does not fit what the tool waits for".into()),
    }
}

/// Builds the `/continue` payload from the run AgentOS returned: an agent's paused `tools`,
/// or a team's `requirements` (`team`), each with its decision applied. Every waiting tool
/// needs a decision. Returns the form field name and its JSON text.
pub fn continue_payload(
    run: &Value,
    decisions: &[Decision],
    team: bool,
) -> Result<(&'static str, String), String> {
    let decided = |id: &str| decisions.iter().find(|d| d.tool_call_id() == id);
    let waiting = paused_tools(run);
    if waiting.is_empty() {
        return Err("this answer is not waiting for a decision any more".into());
    }
    for d in decisions {
        if !waiting.iter().any(|w| w.tool_call_id == d.tool_call_id()) {
            return Err("a decision names a tool that is not waiting".into());
        }
    }
    // Agent runs carry `requirements` too, but their `/continue` takes `tools`.
    let team_reqs = run
        .get("requirements")
        .and_then(Value::as_array)
        .filter(|r| team && !r.is_empty());
    if let Some(reqs) = team_reqs {
        let mut out = Vec::new();
        for r in reqs {
            let mut r = r.clone();
            let Some(te) = r.get_mut("tool_execution") else {
                continue;
            };
            if need_of(te).is_none() {
                out.push(r);
                continue;
            }
            let id = te
                .get("tool_call_id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let d = decided(&id).ok_or("every waiting tool needs a decision")?;
            apply(te, d)?;
            out.push(r);
        }
        return Ok(("requirements", Value::Array(out).to_string()));
    }
    let mut out = Vec::new();
    for t in run
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if need_of(t).is_none() {
            continue;
        }
        let mut t = t.clone();
        let id = t
            .get("tool_call_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let d = decided(&id).ok_or("every waiting tool needs a decision")?;
        apply(&mut t, d)?;
        out.push(t);
    }
    Ok(("tools", Value::Array(out).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn transcript_event(file: &str, event: &str) -> Option<Value> {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/agentos/transcripts");
        let body = std::fs::read_to_string(dir.join(file)).ok()?;
        body.lines()
            .filter_map(|l| l.strip_prefix("data: "))
            .filter_map(|d| serde_json::from_str::<Value>(d).ok())
            .find(|v| v["event"] == event)
    }

    /// An agent's paused run: agent runs list `requirements` too (but continue with `tools`).
    fn confirm_run() -> Value {
        json!({"status": "PAUSED",
        "requirements": [{"id": "r1", "tool_execution": {"tool_call_id": "c1", "tool_name": "delete_file",
            "tool_args": {"path": "/x"}, "requires_confirmation": true, "confirmed": null}}],
        "tools": [
            {"tool_call_id": "c1", "tool_name": "delete_file", "tool_args": {"path": "/x"},
             "requires_confirmation": true, "confirmed": null},
            {"tool_call_id": "c0", "tool_name": "get_weather", "result": "sunny"}
        ]})
    }

    #[test]
    fn finds_waiting_tools_of_each_kind() {
        let run = confirm_run();
        let p = paused_tools(&run);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].need, Need::Confirm);
        if let Some(ev) = transcript_event("26_run_userinput_paused.body", "RunPaused") {
            let p = paused_tools(&ev);
            assert!(matches!(&p[0].need, Need::Input { fields } if !fields.is_empty()));
        }
        if let Some(ev) = transcript_event("24_run_external_paused.body", "RunPaused") {
            assert_eq!(paused_tools(&ev)[0].need, Need::External);
        }
        if let Some(ev) = transcript_event("110_team_hitl_paused.body", "TeamRunPaused") {
            let p = paused_tools(&ev);
            assert_eq!(p[0].need, Need::Confirm);
            assert!(p[0].member.is_some());
        }
    }

    #[test]
    fn confirm_decision_is_applied_to_the_stored_entry_only() {
        let run = confirm_run();
        let (field, body) = continue_payload(
            &run,
            &[Decision::Confirm {
                tool_call_id: "c1".into(),
                confirmed: false,
                note: Some(" not this one ".into()),
            }],
            false,
        )
        .unwrap();
        assert_eq!(field, "tools");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 1, "only the waiting tool");
        assert_eq!(v[0]["confirmed"], false);
        assert_eq!(v[0]["confirmation_note"], "not this one");
        assert_eq!(
            v[0]["tool_args"]["path"], "/x",
            "arguments are AgentOS's own"
        );
    }

    #[test]
    fn missing_wrong_or_foreign_decisions_are_refused() {
        let run = confirm_run();
        assert!(continue_payload(&run, &[], false).is_err());
        assert!(continue_payload(
            &run,
            &[Decision::External {
                tool_call_id: "c1".into(),
                result: "x".into()
            }],
            false
        )
        .is_err());
        assert!(continue_payload(
            &run,
            &[Decision::Confirm {
                tool_call_id: "c0".into(),
                confirmed: true,
                note: None
            }],
            false
        )
        .is_err());
        assert!(
            continue_payload(&json!({"status": "COMPLETED", "tools": []}), &[], false).is_err()
        );
    }

    #[test]
    fn input_values_are_typed_and_checked() {
        let mut tool = json!({"tool_call_id": "i1", "tool_name": "book_trip", "requires_user_input": true,
            "user_input_schema": [
                {"name": "destination", "field_type": "str", "value": "Lisbon"},
                {"name": "date", "field_type": "str", "value": null},
                {"name": "travellers", "field_type": "int", "value": null}]});
        let mut values = BTreeMap::new();
        values.insert("date".to_owned(), "2026-12-24".to_owned());
        values.insert("travellers".to_owned(), "two".to_owned());
        let d = Decision::Input {
            tool_call_id: "i1".into(),
            values: values.clone(),
        };
        assert_eq!(
            apply(&mut tool.clone(), &d).unwrap_err(),
            "travellers must be a whole number"
        );
        values.insert("travellers".to_owned(), " 3 ".to_owned());
        apply(
            &mut tool,
            &Decision::Input {
                tool_call_id: "i1".into(),
                values,
            },
        )
        .unwrap();
        assert_eq!(tool["user_input_schema"][2]["value"], 3);
        assert_eq!(tool["user_input_schema"][0]["value"], "Lisbon");
        assert_eq!(tool["answered"], true);
    }

    #[test]
    fn conversions() {
        assert_eq!(convert("float", "2.5").unwrap(), json!(2.5));
        assert!(convert("float", "NaN").is_err());
        assert_eq!(convert("bool", "Yes").unwrap(), json!(true));
        assert_eq!(convert("list", "a, b").unwrap(), json!(["a", "b"]));
        assert!(convert("dict", "[1]").is_err());
        assert!(convert("str", "  ").is_err());
    }

    #[test]
    fn team_requirements_keep_their_ids() {
        let Some(ev) = transcript_event("110_team_hitl_paused.body", "TeamRunPaused") else {
            return;
        };
        let id = paused_tools(&ev)[0].tool_call_id.clone();
        let (field, body) = continue_payload(
            &ev,
            &[Decision::Confirm {
                tool_call_id: id,
                confirmed: true,
                note: None,
            }],
            true,
        )
        .unwrap();
        assert_eq!(field, "requirements");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v[0]["id"], ev["requirements"][0]["id"]);
        assert_eq!(v[0]["tool_execution"]["confirmed"], true);
    }
}
