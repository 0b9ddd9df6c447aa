//! A conversation written out for download: the branch on screen as Markdown (to read or
//! paste elsewhere) or as JSON (every part of each answer: tool calls, reasoning, media,
//! sources, metrics), the same data the reducer built for the screen.

use serde::Serialize;

use super::media::MediaItem;
use super::reducer::Answer;

/// Which conversation it is.
#[derive(Clone, Debug, Serialize)]
pub struct Header<'a> {
    /// The agent or team: `agent` or `team`, and its id and name.
    pub kind: &'a str,
    pub assistant_id: &'a str,
    pub assistant_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<&'a str>,
    /// When it was exported (RFC 3339).
    pub exported_at: &'a str,
}

/// One turn as it is exported.
#[derive(Clone, Debug, Serialize)]
pub struct Turn<'a> {
    pub question: &'a str,
    /// When it was asked, in seconds since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asked_at: Option<i64>,
    #[serde(skip_serializing_if = "<[MediaItem]>::is_empty")]
    pub attachments: &'a [MediaItem],
    pub answer: &'a Answer,
}

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    #[serde(flatten)]
    header: &'a Header<'a>,
    turns: &'a [Turn<'a>],
}

/// The JSON export (versioned by its `format`).
pub fn json(header: &Header, turns: &[Turn]) -> String {
    serde_json::to_string_pretty(&Document {
        format: "agno-chat-conversation/1",
        header,
        turns,
    })
    .unwrap_or_default()
}

/// The Markdown export: each question and answer, with the answer's reasoning and tool
/// calls folded in `<details>`, its files and its numbered sources.
pub fn markdown(header: &Header, turns: &[Turn], you: &str) -> String {
    let mut md = format!(
        "# {}\n\n_{}{}_\n",
        header.assistant_name,
        header.exported_at,
        header
            .session_id
            .map(|s| format!(" · {s}"))
            .unwrap_or_default()
    );
    for turn in turns {
        md.push_str(&format!("\n## {you}\n\n{}\n", turn.question.trim_end()));
        for file in turn.attachments {
            md.push_str(&format!("\n- 📎 {}\n", file_label(file)));
        }
        let a = turn.answer;
        md.push_str(&format!("\n## {}\n\n", header.assistant_name));
        if !a.reasoning.is_empty() {
            md.push_str(&format!(
                "<details><summary>Reasoning</summary>\n\n{}\n\n</details>\n\n",
                a.reasoning.trim_end()
            ));
        }
        for tool in &a.tools {
            let args = tool
                .tool_args
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_default();
            let outcome = match (&tool.error, &tool.result) {
                (Some(e), _) => format!("Error: {e}"),
                (None, Some(r)) => r.clone(),
                (None, None) => String::new(),
            };
            md.push_str(&format!(
                "<details><summary>Tool: {}</summary>\n\n{}{}\n</details>\n\n",
                tool.tool_name,
                fenced("json", &args),
                fenced("", &outcome)
            ));
        }
        md.push_str(a.text.trim_end());
        md.push('\n');
        if let Some(e) = &a.error {
            md.push_str(&format!("\n> {e}\n"));
        }
        for file in &a.media {
            md.push_str(&format!("\n- 📎 {}", file_label(file)));
        }
        if !a.media.is_empty() {
            md.push('\n');
        }
        if !a.sources.is_empty() {
            md.push('\n');
            for s in &a.sources {
                match &s.url {
                    Some(url) => md.push_str(&format!("{}. [{}]({url})\n", s.number, s.title)),
                    None => md.push_str(&format!("{}. {}\n", s.number, s.title)),
                }
            }
        }
    }
    md
}

/// A code block holding `text` whatever backticks it holds, or nothing for no text.
fn fenced(lang: &str, text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let mut fence = "```".to_owned();
    while text.contains(&fence) {
        fence.push('`');
    }
    format!("{fence}{lang}\n{}\n{fence}\n", text.trim_end())
}

fn file_label(file: &MediaItem) -> String {
    let name = file.name.as_deref().unwrap_or("file");
    match &file.mime {
        Some(mime) => format!("{name} ({mime})"),
        None => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::event::ToolCall;
    use crate::chat::reducer::Status;

    fn header() -> Header<'static> {
        Header {
            kind: "agent",
            assistant_id: "echo-agent",
            assistant_name: "Echo Agent",
            session_id: Some("s1"),
            exported_at: "2026-12-06T00:00:00Z",
        }
    }

    fn answer() -> Answer {
        let mut a = Answer::new();
        a.text = "It is sunny.\n\n```sh\necho hi\n```".into();
        a.reasoning = "Check the weather.".into();
        a.status = Status::Completed;
        a.tools.push(ToolCall {
            tool_call_id: "t1".into(),
            tool_name: "get_weather".into(),
            tool_args: Some(serde_json::json!({"city": "Paris"})),
            result: Some("sunny ```".into()),
            ..ToolCall::default()
        });
        a
    }

    #[test]
    fn markdown_holds_questions_answers_reasoning_and_tools() {
        let a = answer();
        let turns = [Turn {
            question: "Weather in Paris?",
            asked_at: Some(1),
            attachments: &[],
            answer: &a,
        }];
        let md = markdown(&header(), &turns, "You");
        assert!(md.starts_with("# Echo Agent\n\n_2026-12-06T00:00:00Z · s1_\n"));
        assert!(md.contains("## You\n\nWeather in Paris?\n"));
        assert!(md.contains("<details><summary>Reasoning</summary>\n\nCheck the weather."));
        assert!(md.contains("```json\n{\"city\":\"Paris\"}\n```"));
        // A result holding a fence is fenced with a longer one.
        assert!(md.contains("````\nsunny ```\n````"));
        assert!(md.ends_with("It is sunny.\n\n```sh\necho hi\n```\n"));
    }

    #[test]
    fn json_keeps_every_part_of_the_answer() {
        let a = answer();
        let turns = [Turn {
            question: "Weather in Paris?",
            asked_at: None,
            attachments: &[],
            answer: &a,
        }];
        let v: serde_json::Value = serde_json::from_str(&json(&header(), &turns)).unwrap();
        assert_eq!(v["format"], "agno-chat-conversation/1");
        assert_eq!(v["assistant_id"], "echo-agent");
        assert_eq!(v["turns"][0]["question"], "Weather in Paris?");
        assert_eq!(
            v["turns"][0]["answer"]["tools"][0]["tool_name"],
            "get_weather"
        );
        assert_eq!(v["turns"][0]["answer"]["reasoning"], "Check the weather.");
        assert!(v["turns"][0].get("asked_at").is_none());
    }
}
