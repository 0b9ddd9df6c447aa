//! Builds a small sample conversation once, out of the document, as soon as the
//! conversation's code has loaded, and throws it away.
//!
//! Why: the browser compiles each function of a wasm module the first time it is called
//! (V8's lazy compilation, with no way for a page to ask for it sooner). The first
//! conversation opened in a page called about 1,100 of them for the first time: about
//! 35 ms of compiling inside the task that showed it (a trace of a 500-run opening: 48 ms
//! for that task the first time, 10 ms the second). Built here, while the user is still
//! pointing at the list or typing, those functions are compiled before an opening or an
//! answer needs them. An opening already under way when the code arrives (a click with
//! no sign of intent before it) goes without: its history is due in tens of milliseconds,
//! and the sample's first turn alone is a task of about 50 ms that it would wait behind.
//!
//! The sample is built into an element that is never attached to the document: nothing
//! is shown, laid out, announced or found by a query, and no request goes out (its one
//! code block comes highlighted, there are no images and no generative UI). It has a
//! `ChatState` of its own, so the real conversation's state is never touched.

use leptos::prelude::*;

use super::Turn;
#[cfg(feature = "hydrate")]
use super::{provide_chat, ChatState};
use crate::chat::event::{Metrics, ToolCall};
use crate::chat::reducer::{Answer, MemberActivity, Status};

/// How long the sample stays built after its last turn: past the list's next frame and
/// the task after it, which renders the turns kept beyond the viewport.
#[cfg(feature = "hydrate")]
const KEEP_MS: u32 = 60;

/// Builds the sample conversation, unless the page already shows one (its code is then
/// compiled already). Runs once per page (see `code::preload_conversation`). The turns
/// come one per task, so that an opening conversation can go first: once the real
/// conversation has turns, or is being opened, the sample stops growing.
#[cfg(feature = "hydrate")]
pub(super) async fn run(real: ChatState) {
    // The real conversation shows turns, or is being opened (it runs the same code, and
    // should not wait for the sample).
    let shows_one = move || {
        real.turns
            .try_with_untracked(|t| !t.is_empty())
            .unwrap_or(true)
            || real.opening.try_get_value().unwrap_or(true)
    };
    // Work already queued (an opened conversation's history that has arrived) goes first.
    yield_task(0).await;
    if shows_one() {
        return;
    }
    let Ok(parent) = document().create_element("div") else {
        return;
    };
    let performance = window().performance();
    if let Some(p) = &performance {
        let _ = p.mark("agno-chat:warm-up-start");
    }
    crate::components::answer::remember_highlighted(vec![crate::chat::history::HighlightedCode {
        lang: SAMPLE_LANG.into(),
        code: SAMPLE_CODE.into(),
        html: SAMPLE_CODE_HTML.into(),
    }]);
    let owner = Owner::new();
    let (chat, built) = owner.with(|| {
        let chat = provide_chat(real.sessions, real.draft, real.analytics);
        chat.genui_enabled.set(false);
        chat.hitl_enabled.set(false);
        let built = leptos::mount::mount_to_renderer(&parent, move || {
            crate::components::messages::message_list()
        });
        (chat, built)
    });
    for turn in sample_turns() {
        yield_task(0).await;
        if shows_one() {
            break;
        }
        chat.turns.update(|t| t.push(turn));
    }
    yield_task(KEEP_MS).await;
    drop(built);
    drop(owner);
    if let Some(p) = &performance {
        let _ = p.measure_with_start_mark("agno-chat:warm-up", "agno-chat:warm-up-start");
    }
}

/// Ends this task: the rest runs in a later one, after `ms` milliseconds.
#[cfg(feature = "hydrate")]
async fn yield_task(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// The sample's one code block, and its highlighting (plain: nothing to colour). The page
/// keeps that highlighting for any block of the same language and text, so the text is
/// one no answer would hold.
const SAMPLE_LANG: &str = "rust";
const SAMPLE_CODE: &str = "let agno_chat_warm_up_sample = 1;\n";
#[cfg(feature = "hydrate")]
const SAMPLE_CODE_HTML: &str = "let agno_chat_warm_up_sample = 1;\n";

/// Turns that take every common path of the list and the answer renderer, the most used
/// first: rich markdown with a code block, reasoning and a tool call, plain text, a team
/// member's work, a failed, a stopped and a streaming answer, token counts and timings.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn sample_turns() -> Vec<Turn> {
    let metrics = Metrics {
        input_tokens: Some(12),
        output_tokens: Some(34),
        total_tokens: Some(46),
        time_to_first_token_ms: Some(120.0),
        duration_ms: Some(480.0),
        ..Metrics::default()
    };
    let tool = ToolCall {
        tool_call_id: "warm-up-tool".into(),
        tool_name: "lookup".into(),
        tool_args: Some(serde_json::json!({ "query": "sample", "limit": 3 })),
        result: Some("three results".into()),
        tool_call_error: false,
        error: None,
        duration_ms: Some(12.0),
    };
    let answers = [
        Answer {
            text: format!(
                "## A heading\n\nSome **bold**, *emphasis*, `code` and a [link](https://example.com).\n\n\
                 - one\n- two\n\n1. first\n2. second\n\n> a quote\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\
                 ```{SAMPLE_LANG}\n{SAMPLE_CODE}```\n"
            ),
            status: Status::Completed,
            metrics: metrics.clone(),
            ..Answer::default()
        },
        Answer {
            text: "Done.".into(),
            reasoning: "Thinking it through.".into(),
            tools: vec![tool.clone()],
            status: Status::Completed,
            metrics: metrics.clone(),
            ..Answer::default()
        },
        Answer {
            text: "A short answer.".into(),
            status: Status::Completed,
            metrics,
            ..Answer::default()
        },
        Answer {
            text: "The team's answer.".into(),
            members: vec![MemberActivity {
                run_id: "warm-up-member".into(),
                name: "Member".into(),
                text: "A member's part.".into(),
                tools: vec![tool],
                status: Status::Completed,
                error: None,
            }],
            status: Status::Completed,
            ..Answer::default()
        },
        Answer {
            text: "Partial".into(),
            status: Status::Error,
            error: Some("It failed.".into()),
            ..Answer::default()
        },
        Answer {
            text: "Stopped".into(),
            status: Status::Cancelled,
            ..Answer::default()
        },
        Answer {
            text: "Streaming *text*\n\nand more".into(),
            status: Status::Streaming,
            ..Answer::default()
        },
    ];
    answers
        .into_iter()
        .zip(1u64..)
        .map(|(answer, id)| Turn {
            id,
            question: format!("Sample question {id}"),
            answer: ArcRwSignal::new(answer),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Building the sample must ask nothing of anyone: no image to fetch, no code block
    /// without its highlighting at hand, no generative UI (its own chunk) to load.
    #[test]
    fn the_sample_needs_no_request() {
        let turns = sample_turns();
        assert!(turns.len() >= 7);
        let mut code_blocks = 0;
        for turn in &turns {
            turn.answer.with_untracked(|a| {
                let html = crate::chat::markdown::to_safe_html(&a.text);
                assert!(!html.contains("<img"), "an image in {:?}", a.text);
                code_blocks += html.matches("<code class=\"language-").count();
                assert!(
                    !html.contains("<code class=\"language-")
                        || html.contains(&format!("language-{SAMPLE_LANG}")),
                    "a code block in another language than the one highlighted: {html}"
                );
                let tools = a
                    .tools
                    .iter()
                    .chain(a.members.iter().flat_map(|m| m.tools.iter()));
                for tool in tools {
                    let spec = tool
                        .result
                        .as_deref()
                        .and_then(crate::genui::spec_in_result);
                    assert!(spec.is_none(), "a UI spec in {tool:?}");
                }
            });
        }
        assert_eq!(code_blocks, 1, "one code block, highlighted in advance");
    }

    /// Each kind of answer the list draws differently is in the sample.
    #[test]
    fn the_sample_covers_every_kind_of_answer() {
        let turns = sample_turns();
        let has =
            |f: &dyn Fn(&Answer) -> bool| turns.iter().any(|t| t.answer.with_untracked(|a| f(a)));
        assert!(has(&|a| !a.reasoning.is_empty()));
        assert!(has(&|a| !a.tools.is_empty()));
        assert!(has(&|a| !a.members.is_empty()));
        assert!(has(&|a| a.metrics.input_tokens.is_some()));
        for status in [
            Status::Completed,
            Status::Error,
            Status::Cancelled,
            Status::Streaming,
        ] {
            assert!(has(&|a| a.status == status), "no {status:?} answer");
        }
    }
}
