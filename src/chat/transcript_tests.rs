//! Every recorded AgentOS run stream in ../shared/agentos/transcripts goes through the SSE
//! decoder (split into chunks of many sizes, so frames and UTF-8 characters break across
//! chunks), the frame reader and the reducer.

use std::path::PathBuf;

use bytes::Bytes;
use futures::StreamExt;

use super::event::RunEvent;
use super::reducer::{Answer, Status};
use super::upstream::Upstream;
use crate::agentos::sse::{frames, Frame};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/agentos/transcripts")
}

fn stream_bodies() -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir()) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Vec<u8>)> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".body"))
        .filter_map(|e| {
            let bytes = std::fs::read(e.path()).ok()?;
            bytes
                .starts_with(b"event:")
                .then(|| (e.file_name().to_string_lossy().into_owned(), bytes))
        })
        .collect();
    out.sort();
    out
}

fn decode(bytes: &[u8], chunk: usize) -> Vec<Frame> {
    let chunks: Vec<Result<Bytes, std::io::Error>> = bytes
        .chunks(chunk)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    futures::executor::block_on(frames(futures::stream::iter(chunks)).collect())
}

fn events(frames: &[Frame]) -> Vec<RunEvent> {
    frames
        .iter()
        .filter_map(|f| match f {
            Frame::Parsed(Upstream::Events(e)) => Some(e.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

fn answer(name: &str) -> Answer {
    let (_, bytes) = stream_bodies()
        .into_iter()
        .find(|(n, _)| n == name)
        .expect(name);
    let mut a = Answer::new();
    for e in events(&decode(&bytes, 7)) {
        a.apply(e);
    }
    a
}

fn have_transcripts() -> bool {
    !stream_bodies().is_empty()
}

#[test]
fn every_stream_decodes_the_same_whatever_the_chunking() {
    let bodies = stream_bodies();
    for (name, bytes) in &bodies {
        let whole = decode(bytes, bytes.len().max(1));
        for f in &whole {
            assert!(
                matches!(f, Frame::Parsed(_)),
                "{name}: unexpected frame {f:?}"
            );
        }
        for chunk in [1, 2, 3, 5, 13, 64, 1000] {
            assert_eq!(decode(bytes, chunk), whole, "{name} with chunks of {chunk}");
        }
        // Streams with a terminal event (all but stream_events=false) settle.
        let evs = events(&whole);
        let terminal = evs.iter().any(RunEvent::is_terminal);
        let mut a = Answer::new();
        for e in evs {
            a.apply(e);
        }
        assert!(
            !terminal || !a.status.is_active(),
            "{name}: still {:?}",
            a.status
        );
    }
}

#[test]
fn streamed_deltas_add_up_to_the_final_text() {
    for (name, bytes) in stream_bodies() {
        let evs = events(&decode(&bytes, 9));
        let mut streamed = String::new();
        let mut final_text = None;
        let mut cancelled = false;
        for e in &evs {
            match e {
                RunEvent::Content { text } => streamed.push_str(text),
                RunEvent::Completed { content, .. } => final_text = content.clone(),
                RunEvent::Cancelled { .. } => cancelled = true,
                _ => {}
            }
        }
        // Resumed streams start mid-answer; continued runs may repeat earlier text.
        if name.contains("resume") || name.contains("continue") || cancelled {
            continue;
        }
        if let Some(f) = final_text {
            assert_eq!(streamed, f, "{name}");
        }
    }
}

#[test]
fn simple_run() {
    if !have_transcripts() {
        return;
    }
    let a = answer("10_run_echo_stream_new_session.body");
    assert_eq!(a.text, "Echo: Hello there agent");
    assert_eq!(a.status, Status::Completed);
    assert!(a.run_id.is_some() && a.session_id.is_some());
    assert!(a.metrics.duration_ms.is_some());
}

#[test]
fn tool_call_with_arguments_and_result() {
    if !have_transcripts() {
        return;
    }
    let a = answer("13_run_weather_tool_stream.body");
    assert_eq!(a.tools.len(), 1);
    let t = &a.tools[0];
    assert_eq!(t.tool_name, "get_weather");
    assert_eq!(t.tool_args.as_ref().unwrap()["city"], "Paris");
    assert_eq!(t.result.as_deref(), Some("It is sunny and 21C in Paris"));
    assert!(t.duration_ms.unwrap() > 0.0);
    assert_eq!(a.text, "Tool said: It is sunny and 21C in Paris");
}

#[test]
fn tool_error() {
    if !have_transcripts() {
        return;
    }
    let a = answer("118_run_tool_raises.body");
    let t = &a.tools[0];
    assert!(t.tool_call_error);
    assert_eq!(
        t.error.as_deref(),
        Some("weather service unavailable for fail city")
    );
    assert_eq!(a.status, Status::Completed);
}

#[test]
fn model_error_keeps_the_message() {
    if !have_transcripts() {
        return;
    }
    let a = answer("77_err_model_raises_stream.body");
    assert_eq!(a.status, Status::Error);
    assert!(a.error.as_deref().unwrap().contains("exploded"));
}

#[test]
fn cancel_then_completed_is_shown_as_stopped() {
    if !have_transcripts() {
        return;
    }
    let a = answer("80_run_slow_then_cancelled.body");
    assert_eq!(a.status, Status::Cancelled);
    assert_eq!(a.text, "Echo: slow one two");
}

#[test]
fn reasoning_is_collected() {
    if !have_transcripts() {
        return;
    }
    let a = answer("100_run_reasoning_stream.body");
    assert_eq!(a.reasoning, "Let me think about this step by step.");
    assert_eq!(a.text, "Echo: please think hard");
}

#[test]
fn paused_run_keeps_its_tools() {
    if !have_transcripts() {
        return;
    }
    let a = answer("20_run_confirm_paused.body");
    assert_eq!(a.status, Status::Paused);
    let p = a.paused.unwrap();
    assert_eq!(p.tools[0]["tool_name"], "delete_file");
    assert_eq!(p.requirements.len(), 1);
}

#[test]
fn a_tool_of_a_paused_run_waits_for_the_person_not_running() {
    use super::reducer::ToolState;
    if !have_transcripts() {
        return;
    }
    let a = answer("20_run_confirm_paused.body");
    let waiting = a
        .tools
        .iter()
        .find(|t| t.tool_name == "delete_file")
        .expect("the paused tool is listed");
    let state = ToolState::of(waiting, a.status);
    assert_eq!((state.key(), state.label()), ("waiting", "tool-waiting"));
    assert_eq!(
        ToolState::of(waiting, Status::Streaming),
        ToolState::Running
    );
    assert_eq!(
        ToolState::of(waiting, Status::Cancelled),
        ToolState::Stopped
    );
    let done = answer("40_team_run_stream.body");
    assert_eq!(ToolState::of(&done.tools[0], done.status), ToolState::Done);
}

#[test]
fn team_run_shows_member_activity() {
    if !have_transcripts() {
        return;
    }
    let a = answer("40_team_run_stream.body");
    assert_eq!(a.text, "Tool said: Echo: Team hello");
    assert_eq!(a.members.len(), 1);
    assert_eq!(a.members[0].text, "Echo: Team hello");
    assert_eq!(a.members[0].status, Status::Completed);
    assert_eq!(a.tools[0].tool_name, "delegate_task_to_member");
    assert_eq!(a.status, Status::Completed);
}
