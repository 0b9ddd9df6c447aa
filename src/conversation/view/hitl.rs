//! The prompt a paused answer shows: approve or reject a tool call (with a note), fill in a
//! form, or let the browser run a frontend tool. When every waiting tool has its decision,
//! the answer continues in the same message.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::conversation::ConversationStoreFields;

use crate::chat::frontend_tools::{self, BrowserFacts};
use crate::chat::hitl::{check_form, Decision, InputField, Need, PausedTool};
use crate::conversation::use_chat;

#[component]
pub fn HitlPanel(turn_id: u64, run_id: crate::model::RunId) -> impl IntoView {
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
        <div class="hitl" data-testid="hitl-panel" role="group" aria-label="The agent needs your decision">
            <Suspense fallback=|| view! { <p class="hitl-loading">"Loading what the agent needs…"</p> }>
                {move || pending.get().map(|r| match r {
                    Err(e) => view! {
                        <p class="answer-error" role="alert" data-testid="hitl-error">
                            {format!("What the agent waits for could not be loaded: {e}")}
                        </p>
                    }.into_any(),
                    Ok(tools) if tools.is_empty() => view! {
                        <p class="hitl-note">"This answer is not waiting for a decision any more. Reload to see how it went on."</p>
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
                    }>"Try again"</button>
                </div>
            })}
        </div>
    }
}

#[component]
fn PausedItem(
    tool: PausedTool,
    decided: RwSignal<BTreeMap<String, Decision>>,
    on_decided: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = tool.tool_call_id.clone();
    let name = tool.tool_name.clone();
    let args = serde_json::to_string_pretty(&tool.tool_args).unwrap_or_default();
    let member = tool.member.clone().map(|m| format!("{m} asks: "));
    let my_decision = {
        let id = id.clone();
        move || decided.with(|d| d.get(&id).cloned())
    };
    match tool.need {
        Need::Confirm => {
            let note = RwSignal::new(String::new());
            let decide = {
                let id = id.clone();
                move |confirmed: bool| {
                    let n = note.get_untracked();
                    decided.update(|d| {
                        d.insert(
                            id.clone(),
                            Decision::Confirm {
                                tool_call_id: id.clone(),
                                confirmed,
                                note: (!n.trim().is_empty()).then_some(n),
                            },
                        );
                    });
                    on_decided();
                }
            };
            let decide2 = decide.clone();
            let done = {
                let my = my_decision.clone();
                move || my().is_some()
            };
            view! {
                <div class="hitl-item" data-testid="hitl-confirm" data-tool=name.clone()>
                    <p class="hitl-question">{member}"Allow the tool " <code>{name.clone()}</code> " to run?"</p>
                    <pre class="tool-args" data-testid="hitl-args">{args}</pre>
                    <label class="hitl-label">
                        "Note for the agent (optional)"
                        <textarea class="hitl-note-input" data-testid="hitl-note" rows="2"
                            prop:value=move || note.get()
                            prop:disabled=done.clone()
                            on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                    </label>
                    <div class="hitl-actions">
                        <button type="button" class="button" data-testid="hitl-approve" prop:disabled=done.clone() on:click=move |_| decide(true)>"Approve"</button>
                        <button type="button" class="button secondary" data-testid="hitl-reject" prop:disabled=done on:click=move |_| decide2(false)>"Reject"</button>
                    </div>
                </div>
            }
            .into_any()
        }
        Need::Input { fields } => {
            view! { <InputForm id name member args fields decided on_decided /> }.into_any()
        }
        Need::External => {
            let outcome = move || match my_decision() {
                Some(Decision::External { result, .. }) if result.starts_with("Error: ") => (
                    "refused",
                    format!("Could not run in this browser. {result}"),
                ),
                Some(_) => ("ran", "Ran in your browser.".to_owned()),
                None => ("pending", "Running in your browser…".to_owned()),
            };
            let outcome2 = outcome.clone();
            view! {
                <div class="hitl-item" data-testid="hitl-external" data-tool=name.clone() data-outcome=move || outcome().0>
                    <p class="hitl-question">{member}"Frontend tool " <code>{name.clone()}</code></p>
                    <p class="hitl-note">{move || outcome2().1}</p>
                </div>
            }
            .into_any()
        }
    }
}

#[component]
fn InputForm(
    id: String,
    name: String,
    member: Option<String>,
    args: String,
    fields: Vec<InputField>,
    decided: RwSignal<BTreeMap<String, Decision>>,
    on_decided: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let values: RwSignal<BTreeMap<String, String>> = RwSignal::new(BTreeMap::new());
    let problems: RwSignal<Vec<(String, String)>> = RwSignal::new(Vec::new());
    let done = {
        let id = id.clone();
        move || decided.with(|d| d.contains_key(&id))
    };
    let form_fields = fields.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let vals = values.get_untracked();
        let found = check_form(&form_fields, &vals);
        if !found.is_empty() {
            problems.set(found);
            return;
        }
        problems.set(Vec::new());
        decided.update(|d| {
            d.insert(
                id.clone(),
                Decision::Input {
                    tool_call_id: id.clone(),
                    values: vals,
                },
            );
        });
        on_decided();
    };
    let rows = fields
        .into_iter()
        .map(|f| {
            let field_name = f.name.clone();
            let known = f.value.clone().filter(|v| !v.is_null());
            let problem = {
                let n = field_name.clone();
                move || {
                    problems.with(|p| {
                        p.iter()
                            .find(|(k, _)| *k == n)
                            .map(|(_, e)| format!("{n} {e}"))
                    })
                }
            };
            let label = match &f.description {
                Some(d) if !d.is_empty() => format!("{} ({d})", f.name),
                _ => f.name.clone(),
            };
            match known {
                Some(v) => view! {
                    <p class="hitl-known" data-testid=format!("hitl-known-{}", f.name)>
                        {label}": "{match v { serde_json::Value::String(s) => s, other => other.to_string() }}
                    </p>
                }
                .into_any(),
                None => {
                    let input_type = match f.field_type.as_str() {
                        "int" | "float" => "number",
                        _ => "text",
                    };
                    let step = (f.field_type == "float").then_some("any");
                    let n1 = field_name.clone();
                    let n2 = field_name.clone();
                    let problem2 = problem.clone();
                    view! {
                        <label class="hitl-label">
                            {label}
                            <input class="hitl-input" type=input_type step=step name=field_name.clone()
                                data-testid=format!("hitl-field-{field_name}")
                                aria-invalid=move || if problem().is_some() { "true" } else { "false" }
                                prop:value=move || values.with(|v| v.get(&n1).cloned().unwrap_or_default())
                                on:input=move |ev| {
                                    let v = event_target_value(&ev);
                                    values.update(|m| { m.insert(n2.clone(), v); });
                                } />
                            <span class="hitl-problem" role="alert">{problem2}</span>
                        </label>
                    }
                    .into_any()
                }
            }
        })
        .collect_view();
    let tool_attr = name.clone();
    view! {
        <form class="hitl-item" data-testid="hitl-form" data-tool=tool_attr on:submit=on_submit>
            <p class="hitl-question">{member}"The tool " <code>{name}</code> " needs some details."</p>
            <pre class="tool-args" data-testid="hitl-args">{args}</pre>
            {rows}
            <div class="hitl-actions">
                <button type="submit" class="button" data-testid="hitl-submit" prop:disabled=done>"Send"</button>
            </div>
        </form>
    }
}

/// What frontend tools may know about this browser.
fn browser_facts() -> BrowserFacts {
    #[cfg(feature = "hydrate")]
    {
        let locale = web_sys::window()
            .and_then(|w| w.navigator().language())
            .unwrap_or_default();
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .resolved_options();
        let time_zone = js_sys::Reflect::get(&options, &"timeZone".into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        BrowserFacts { locale, time_zone }
    }
    #[cfg(not(feature = "hydrate"))]
    BrowserFacts::default()
}
