//! Human in the loop: the prompt a paused answer shows. Approve or reject a tool call
//! (with a note), fill in a form, or let the browser run a frontend tool; when every
//! waiting tool has its decision, the answer continues in the same message. Its code is a
//! lazily loaded chunk of its own (the decisions themselves are plain logic in
//! `chat::hitl` and `chat::frontend_tools`).

mod items;

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::chat::frontend_tools;
use crate::chat::hitl::{Decision, Need};
use crate::conversation::{use_chat, ConversationStoreFields};
use crate::i18n::{t, t_args};
use crate::model::RunId;
use items::{browser_facts, PausedItem};

/// The prompt of a paused answer. Its code is loaded when the first one shows: most
/// answers never pause, so sending and reading do not download it.
#[component]
pub fn HitlPanel(turn_id: u64, run_id: RunId) -> impl IntoView {
    view! {
        <Suspense fallback=|| view! { <p class="hitl-loading">{t("hitl-loading")}</p> }>
            {Suspend::new({
                let run_id = run_id.clone();
                async move { hitl_prompt((turn_id, run_id)).await }
            })}
        </Suspense>
    }
}

#[leptos::lazy]
fn hitl_prompt(for_turn: (u64, RunId)) -> AnyView {
    let (turn_id, run_id) = for_turn;
    view! { <Panel turn_id run_id /> }.into_any()
}

#[component]
fn Panel(turn_id: u64, run_id: RunId) -> impl IntoView {
    let chat = use_chat();
    let pending = LocalResource::new(move || {
        let run_id = run_id.clone();
        let assistant = chat.data.assistant().get_untracked();
        let session = chat.data.session_id().get_untracked();
        async move {
            match (assistant, session) {
                (Some(c), Some(s)) => crate::api::pending_decisions(c.kind, c.id, s, run_id).await,
                _ => Ok(Vec::new()),
            }
        }
    });
    let decided: RwSignal<BTreeMap<String, Decision>> = RwSignal::new(BTreeMap::new());
    let submitted = RwSignal::new(false);
    let submit = move |tools: usize| {
        let all = decided.get_untracked();
        if tools > 0 && all.len() == tools && !submitted.get_untracked() {
            submitted.set(true);
            chat.continue_with(turn_id, all.into_values().collect());
        }
    };
    // A failed continue can be tried again with the same decisions.
    let failed = move || {
        chat.data
            .hitl_error()
            .get()
            .filter(|(t, _)| *t == turn_id)
            .map(|(_, e)| e)
    };

    view! {
        <div class="hitl" data-testid="hitl-panel" role="group" aria-label=t("hitl-needs-decision")>
            <Suspense fallback=|| view! { <p class="hitl-loading">{t("hitl-loading")}</p> }>
                {move || pending.get().map(|r| match r {
                    Err(e) => view! {
                        <p class="answer-error" role="alert" data-testid="hitl-error">
                            {t_args("hitl-load-failed", &[("error", e.to_string().into())])}
                        </p>
                    }.into_any(),
                    Ok(tools) if tools.is_empty() => view! {
                        <p class="hitl-note">{t("hitl-gone")}</p>
                    }.into_any(),
                    Ok(tools) => {
                        let count = tools.len();
                        // Frontend tools run at once, by their registered handlers only.
                        let facts = browser_facts();
                        for t in &tools {
                            if t.need == Need::External {
                                let outcome = frontend_tools::run(&t.tool_name, &t.tool_args, &facts);
                                decided.update(|d| {
                                    d.insert(t.tool_call_id.clone(), Decision::External {
                                        tool_call_id: t.tool_call_id.clone(),
                                        result: frontend_tools::result_text(outcome),
                                    });
                                });
                            }
                        }
                        // After this render: all-frontend pauses continue by themselves.
                        leptos::task::spawn_local(async move { submit(count) });
                        tools
                            .into_iter()
                            .map(|t| view! { <PausedItem tool=t decided on_decided=move || submit(count) /> })
                            .collect_view()
                            .into_any()
                    }
                })}
            </Suspense>
            {move || failed().map(|e| view! {
                <div class="answer-error" role="alert" data-testid="hitl-error">
                    {e}
                    " "
                    <button type="button" class="link-button" data-testid="hitl-retry" on:click=move |_| {
                        submitted.set(false);
                        chat.data.hitl_error().set(None);
                        submit(decided.with_untracked(|d| d.len()));
                    }>{t("try-again")}</button>
                </div>
            })}
        </div>
    }
}
