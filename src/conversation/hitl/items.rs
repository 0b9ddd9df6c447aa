//! One waiting tool: a confirmation, a form, or a frontend tool the browser runs.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::chat::frontend_tools::BrowserFacts;
use crate::chat::hitl::{check_form, Decision, InputField, Need, PausedTool};
use crate::i18n::{t, t_args, t_around};

#[component]
pub(super) fn PausedItem(
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
            let (before, after) = t_around("hitl-allow", "tool");
            view! {
                <div class="hitl-item" data-testid="hitl-confirm" data-tool=name.clone()>
                    <p class="hitl-question">{member}{before}<code>{name.clone()}</code>{after}</p>
                    <pre class="tool-args" data-testid="hitl-args">{args}</pre>
                    <label class="hitl-label">
                        {t("hitl-note")}
                        <textarea class="hitl-note-input" data-testid="hitl-note" rows="2"
                            prop:value=move || note.get()
                            prop:disabled=done.clone()
                            on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                    </label>
                    <div class="hitl-actions">
                        <button type="button" class="button" data-testid="hitl-approve" prop:disabled=done.clone() on:click=move |_| decide(true)>{t("approve")}</button>
                        <button type="button" class="button secondary" data-testid="hitl-reject" prop:disabled=done on:click=move |_| decide2(false)>{t("reject")}</button>
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
                    t_args("hitl-could-not-run", &[("error", result.into())]),
                ),
                Some(_) => ("ran", t("hitl-ran")),
                None => ("pending", t("hitl-running")),
            };
            let outcome2 = outcome.clone();
            let (before, after) = t_around("hitl-frontend-tool", "tool");
            view! {
                <div class="hitl-item" data-testid="hitl-external" data-tool=name.clone() data-outcome=move || outcome().0>
                    <p class="hitl-question">{member}{before}<code>{name.clone()}</code>{after}</p>
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
    let (before, after) = t_around("hitl-needs-details", "tool");
    view! {
        <form class="hitl-item" data-testid="hitl-form" data-tool=tool_attr on:submit=on_submit>
            <p class="hitl-question">{member}{before}<code>{name}</code>{after}</p>
            <pre class="tool-args" data-testid="hitl-args">{args}</pre>
            {rows}
            <div class="hitl-actions">
                <button type="submit" class="button" data-testid="hitl-submit" prop:disabled=done>{t("send")}</button>
            </div>
        </form>
    }
}

/// What frontend tools may know about this browser.
pub(super) fn browser_facts() -> BrowserFacts {
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
