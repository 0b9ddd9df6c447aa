use leptos::prelude::*;
use reactive_stores::Store;

use crate::conversation::hitl::HitlPanel;
use crate::genui::view::GenUi;
use crate::icon::inline::{self, InlineIcon};

use crate::chat::event::ToolCall;
use crate::chat::markdown::{to_safe_html, StreamingMarkdown};
use crate::chat::reducer::{Answer, AnswerStoreFields, MemberActivity, Status, ToolState};
use crate::conversation::{avatar_view, shown_look, use_chat, ConversationStoreFields};
use crate::i18n::{number, t, t_args};

/// Adds the stylesheet of highlighted code (only answers show code, so an empty chat's
/// first load does not fetch it); `state::chat::preload_conversation` calls it.
pub fn add_highlight_stylesheet() {
    #[cfg(feature = "hydrate")]
    crate::state::layout::add_stylesheet("/highlight.css");
}

/// One answer. Each part reads its own fields of the answer's store, so a token only
/// updates the text; tool cards and open/closed sections keep their state.
#[component]
pub fn AnswerView(turn_id: u64, answer: Store<Answer>) -> impl IntoView {
    let chat = use_chat();
    let status = answer.status();
    // While the answer streams, finished blocks are rendered once and only the last block
    // again per update. When it has finished, the whole text is rendered once: if the
    // parts already show that (they do unless a link was defined after its use), they
    // stay, so the end of a long answer builds no new DOM. An answer that was never shown
    // streaming here (from the history) is rendered whole from the start.
    let md = StoredValue::new(StreamingMarkdown::default());
    let streamed = StoredValue::new(false);
    let finished = Memo::new(move |_| !status.get().is_active());
    let anchor = format!("turn-{turn_id}-src");
    let cited = answer.sources();
    let whole = Memo::new(move |_| {
        if !finished.get() {
            return None;
        }
        let sources = cited.with(|s| s.len() as u32);
        answer.text().with(|text| {
            if sources > 0 {
                Some(crate::chat::markdown::link_citations(
                    &to_safe_html(text),
                    sources,
                    &anchor,
                ))
            } else if streamed.get_value() {
                md.try_update_value(|m| m.finish(text)).flatten()
            } else {
                Some(to_safe_html(text))
            }
        })
    });
    let live = Memo::new(move |_| {
        streamed.set_value(true);
        answer.text().with(|text| {
            md.update_value(|m| {
                m.update(text);
            });
        });
        md.with_value(|m| (m.generation(), m.blocks().len(), m.tail().to_owned()))
    });
    let has_text = Memo::new(move |_| answer.text().with(|t| !t.is_empty()));
    let copied = RwSignal::new(false);
    let toasts = use_context::<crate::state::toasts::Toasts>();
    let reasoning = answer.reasoning();
    let tool_ids = Memo::new(move |_| {
        answer.tools().with(|tools| {
            tools
                .iter()
                .map(|t| t.tool_call_id.clone())
                .collect::<Vec<_>>()
        })
    });
    let member_ids = Memo::new(move |_| {
        answer
            .members()
            .with(|members| members.iter().map(|m| m.run_id.clone()).collect::<Vec<_>>())
    });
    let error = answer.error();
    let metrics = answer.metrics();
    let paused = answer.paused();
    let run_id = answer.run_id();

    let status_label = move || match status.get() {
        Status::Pending => t("status-waiting"),
        Status::Streaming => t("status-answering"),
        Status::Completed => String::new(),
        Status::Cancelled => t("status-stopped"),
        Status::Error => t("status-failed"),
        Status::Paused => t("status-paused"),
        Status::Interrupted => t("status-interrupted"),
    };
    let status_class = move || format!("message assistant status-{}", status.get().name());
    // Once the answer stops changing, highlight its code blocks and draw its math (both
    // on the server).
    let text_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        whole.track();
        if !status.get().is_active() {
            if let Some(el) = text_ref.get() {
                highlight_code_blocks(&el);
                render_math(&el);
            }
        }
    });
    // Not while another answer streams (or this one is still being reconnected).
    let can_retry = move || {
        matches!(
            status.get(),
            Status::Error | Status::Interrupted | Status::Cancelled
        ) && !chat.is_streaming()
    };

    // AgentOS makes other versions of finished runs, not of stopped ones (Retry asks
    // those again).
    let can_regenerate = move || {
        matches!(status.get(), Status::Completed | Status::Error)
            && run_id.with(Option::is_some)
            && !chat.is_streaming()
    };

    // Finished answers of a saved conversation can be rated.
    let rated_run = move || {
        (status.get() == Status::Completed && chat.data.session_id().with(Option::is_some))
            .then(|| run_id.get().map(String::from))
            .flatten()
    };

    view! {
        <div class=status_class data-testid="assistant-message" data-status=move || status.get().name() data-run-id=move || run_id.get().map(String::from)>
            {shown_look().map(|look| avatar_view(look, false))}
            <Show when=move || !reasoning.with(String::is_empty)>
                <details class="reasoning" data-testid="reasoning">
                    <summary>{t("reasoning")}</summary>
                    <p class="reasoning-text">{move || reasoning.get()}</p>
                </details>
            </Show>
            <For each=move || member_ids.get() key=|id| id.clone() let:run_id>
                <MemberView answer run_id />
            </For>
            <div class="tools">
                <For each=move || tool_ids.get() key=|id| id.clone() let:id>
                    <ToolCard tool=Memo::new(move |_| answer.tools().with(|tools| tools.iter().find(|t| t.tool_call_id == id).cloned())) run=Signal::derive(move || status.get()) />
                </For>
            </div>
            <Show
                when=move || whole.with(Option::is_some)
                fallback=move || view! {
                    <div class="markdown" data-testid="answer-text" node_ref=text_ref>
                        <For
                            each=move || { let (generation, n, _) = live.get(); (0..n).map(move |i| (generation, i)) }
                            key=|k| *k
                            let:k
                        >
                            <div class="md-part" inner_html=md.with_value(|m| m.blocks().get(k.1).cloned().unwrap_or_default())></div>
                        </For>
                        <div class="md-part" inner_html=move || live.with(|l| l.2.clone())></div>
                    </div>
                }
            >
                <div class="markdown" data-testid="answer-text" node_ref=text_ref inner_html=move || whole.get().unwrap_or_default()></div>
            </Show>
            {move || answer.media().with(|m| (!m.is_empty()).then(|| m.clone())).map(|items| view! {
                <Suspense fallback=|| ()>{Suspend::new(crate::attachments::media(items, false))}</Suspense>
            })}
            {move || cited.with(|s| (!s.is_empty()).then(|| s.clone())).map(|list| view! {
                <Suspense fallback=|| ()>{Suspend::new(crate::attachments::sources(list, format!("turn-{turn_id}-src")))}</Suspense>
            })}
            <Show when=move || status.get().is_active() && !has_text.get()>
                <span class="typing" aria-hidden="true">
                    <span></span>
                    <span></span>
                    <span></span>
                </span>
            </Show>
            {move || paused.get().map(|p| {
                let names = p.tools.iter().filter_map(|t| t.get("tool_name").and_then(|n| n.as_str()).map(str::to_owned)).collect::<Vec<_>>().join(", ");
                let run = run_id.get();
                view! {
                    <div class="paused-note" data-testid="paused-note" role="status">
                        {if names.is_empty() { t("paused-note") } else { t_args("paused-note-on", &[("tools", names.into())]) }}
                    </div>
                    {(chat.settings.with(|s| s.hitl_enabled) && status.get() == Status::Paused).then(|| run.map(|r| view! { <HitlPanel turn_id run_id=r /> }.into_any()))}
                }
                .into_any()
            })}
            {move || error.get().map(|e| view! {
                <div class="answer-error" data-testid="answer-error" role="alert">{e}</div>
            })}
            <div class="answer-footer">
                <span class="answer-status" data-testid="answer-status">{status_label}</span>
                <Show when=can_retry>
                    <button type="button" class="link-button" data-testid="retry" on:click=move |_| chat.retry(turn_id)>
                        {t("retry")}
                    </button>
                </Show>
                {super::versions::switcher(turn_id)}
                <Show when=move || !status.get().is_active() && (has_text.get() || can_regenerate())>
                    <span class="answer-actions">
                        <Show when=can_regenerate>{super::versions::regenerate_button(turn_id)}</Show>
                        <Show when=move || has_text.get()>
                        <button
                            type="button"
                            class="icon-button"
                            data-testid="copy-answer"
                            aria-label=t("copy-answer")
                            title=move || if copied.get() { t("copied") } else { t("copy-answer") }
                            on:click=move |_| {
                                copied.set(true);
                                copy_text(&answer.text().get_untracked(), move || {
                                    copied.try_set(false);
                                    if let Some(toasts) = toasts {
                                        toasts.error(t("copy-failed"));
                                    }
                                });
                            }
                        >
                            <InlineIcon paths=inline::COPY />
                            <span class="copied" aria-live="polite">{move || copied.get().then(|| t("copied"))}</span>
                        </button>
                        </Show>
                    </span>
                </Show>
                {move || rated_run().map(|run_id| view! { <super::feedback::FeedbackButtons run_id /> })}
                <Show when=move || !status.get().is_active()>
                    <details class="metrics" data-testid="metrics">
                        <summary>{t("details")}</summary>
                        {move || {
                            let m = metrics.get();
                            let fmt_ms = |v: Option<f64>| v.map(|ms| format!("{} ms", number(ms.round() as i64))).unwrap_or_else(|| "–".into());
                            let fmt_n = |v: Option<u64>| v.map(|n| number(n as i64)).unwrap_or_else(|| "–".into());
                            view! {
                                <dl>
                                    <dt>{t("tokens-in-out")}</dt>
                                    <dd>{format!("{} / {}", fmt_n(m.input_tokens), fmt_n(m.output_tokens))}</dd>
                                    <dt>{t("time-to-first-token")}</dt>
                                    <dd>{fmt_ms(m.time_to_first_token_ms)}</dd>
                                    <dt>{t("duration")}</dt>
                                    <dd>{fmt_ms(m.duration_ms)}</dd>
                                </dl>
                            }
                        }}
                    </details>
                </Show>
            </div>
        </div>
    }
    .into_any()
}

/// A tool call as an expandable card: name and state, then arguments, result, duration
/// and error.
#[component]
fn ToolCard(tool: Memo<Option<ToolCall>>, run: Signal<Status>) -> impl IntoView {
    let name = move || tool.with(|t| t.as_ref().map(|t| t.tool_name.clone()).unwrap_or_default());
    let tool_state = Memo::new(move |_| {
        let run = run.get();
        tool.with(|t| {
            t.as_ref()
                .map_or(ToolState::Running, |t| ToolState::of(t, run))
        })
    });
    let state = move || tool_state.get().key();
    let label = move || t(tool_state.get().label());
    let args = move || {
        tool.with(|call| {
            call.as_ref()
                .and_then(|c| c.tool_args.as_ref())
                .map(|a| serde_json::to_string_pretty(a).unwrap_or_default())
                .unwrap_or_else(|| t("tool-no-arguments"))
        })
    };
    let result = move || tool.with(|t| t.as_ref().and_then(|t| t.result.clone()));
    // A spec in the result (backend tools and frontend handlers alike) is drawn below the
    // card; it lives in the stored tool result, so a reload redraws it.
    let chat = crate::conversation::use_chat();
    let spec = Memo::new(move |_| {
        tool.with(|t| {
            t.as_ref()
                .and_then(|t| t.result.as_deref())
                .and_then(crate::genui::spec_in_result)
        })
    });
    let error = move || tool.with(|t| t.as_ref().and_then(|t| t.error.clone()));
    let duration = move || {
        tool.with(|t| {
            t.as_ref()
                .and_then(|t| t.duration_ms)
                .map(|ms| format!("{} ms", number(ms.round() as i64)))
        })
    };
    view! {
        <details class=move || format!("tool-card tool-{}", state()) data-testid="tool-card" data-tool=name data-state=state>
            <summary>
                <InlineIcon paths=inline::WRENCH />
                <span class="tool-name">{name}</span>
                <span class="tool-state">{label}</span>
                <span class="tool-duration">{duration}</span>
            </summary>
            <div class="tool-body">
                <h4>{t("arguments")}</h4>
                <pre data-testid="tool-args">{args}</pre>
                {move || result().map(|r| view! { <h4>{t("result")}</h4><pre data-testid="tool-result">{r}</pre> })}
                {move || error().map(|e| view! { <p class="tool-error" data-testid="tool-error">{e}</p> })}
            </div>
        </details>
        {move || chat.settings.with(|s| s.genui_enabled).then(|| spec.get().map(|s| view! { <GenUi spec=s /> }.into_any()))}
    }
    .into_any()
}

/// What one member agent of a team did.
#[component]
fn MemberView(answer: Store<Answer>, run_id: String) -> impl IntoView {
    let member = Memo::new(move |_| {
        answer
            .members()
            .with(|members| members.iter().find(|m| m.run_id == run_id).cloned())
    });
    let get = move |f: fn(&MemberActivity) -> String| {
        member.with(|m| m.as_ref().map(f).unwrap_or_default())
    };
    let member_status =
        Signal::derive(move || member.with(|m| m.as_ref().map_or(Status::Streaming, |m| m.status)));
    view! {
        <details class="member" data-testid="member-activity" open=true>
            <summary>
                <span class="member-name">{move || get(|m| m.name.clone())}</span>
                " · "
                <span class="member-status">{move || get(|m| match m.status {
                    Status::Completed => "done".to_owned(),
                    Status::Error => "failed".to_owned(),
                    Status::Cancelled => "stopped".to_owned(),
                    _ => "working…".to_owned(),
                })}</span>
            </summary>
            <div class="member-body">
                <p class="member-text" data-testid="member-text">{move || get(|m| m.text.clone())}</p>
                <For each=move || member.with(|m| m.as_ref().map(|m| m.tools.clone()).unwrap_or_default()) key=|t| (t.tool_call_id.clone(), t.result.is_some(), t.tool_call_error) let:t>
                    <ToolCard tool=Memo::new(move |_| Some(t.clone())) run=member_status />
                </For>
                {move || member.with(|m| m.as_ref().and_then(|m| m.error.clone())).map(|e| view! { <p class="tool-error">{e}</p> })}
            </div>
        </details>
    }
    .into_any()
}

/// Highlighted code already known in this page (from the server, or sent with an opened
/// conversation), by language label and code: a block rendered again (scrolled back
/// into view, or shown after a reload) is highlighted at once, without a request.
#[cfg(feature = "hydrate")]
mod highlighted {
    use std::cell::RefCell;
    use std::collections::HashMap;

    /// Beyond this many blocks the memory starts over (a bound, not a cache policy).
    const MAX_BLOCKS: usize = 512;

    thread_local! {
        static KNOWN: RefCell<HashMap<(String, String), String>> = RefCell::new(HashMap::new());
    }

    pub fn get(lang: &str, code: &str) -> Option<String> {
        KNOWN.with(|k| k.borrow().get(&(lang.to_owned(), code.to_owned())).cloned())
    }

    pub fn put(lang: String, code: String, html: String) {
        KNOWN.with(|k| {
            let mut k = k.borrow_mut();
            if k.len() >= MAX_BLOCKS {
                k.clear();
            }
            k.insert((lang, code), html);
        });
    }
}

/// Keeps highlighted code sent with an opened conversation for its first render.
pub fn remember_highlighted(blocks: Vec<crate::chat::history::HighlightedCode>) {
    #[cfg(feature = "hydrate")]
    for b in blocks {
        highlighted::put(b.lang, b.code, b.html);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = blocks;
}

/// Puts `text` on the clipboard (an answer's markdown, as the agent wrote it; a share
/// link); `failed` runs if the browser refuses (no permission, no focus).
pub(super) fn copy_text(text: &str, failed: impl FnOnce() + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::closure::Closure;
        let on_error = Closure::once(move |_: wasm_bindgen::JsValue| failed());
        let _ = window()
            .navigator()
            .clipboard()
            .write_text(text)
            .catch(&on_error);
        // Called at most once, by the browser, after this returns.
        on_error.forget();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (text, failed);
}

/// The elements under `root` that `selector` matches (answers' HTML is not Leptos views).
#[cfg(feature = "hydrate")]
fn matching(
    root: &leptos::web_sys::HtmlDivElement,
    selector: &str,
) -> Vec<leptos::web_sys::Element> {
    use wasm_bindgen::JsCast;
    let Ok(list) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<leptos::web_sys::Element>().ok())
        .collect()
}

/// Replaces the TeX of each math span under `root` (see `chat::markdown`) with the
/// server's MathML. TeX that does not convert stays as it was written.
fn render_math(root: &leptos::web_sys::HtmlDivElement) {
    #[cfg(feature = "hydrate")]
    {
        for el in matching(root, ".math[data-math]:not([data-drawn])") {
            let kind = el.get_attribute("data-math").unwrap_or_default();
            let text = el.text_content().unwrap_or_default();
            let Some((tex, block)) = crate::chat::markdown::math_source(&kind, &text) else {
                continue;
            };
            let tex = tex.to_owned();
            let _ = el.set_attribute("data-drawn", "pending");
            leptos::task::spawn_local(async move {
                match crate::api::render_math(tex, block).await {
                    Ok(Some(mathml)) => {
                        el.set_inner_html(&mathml);
                        let _ = el.set_attribute("data-drawn", "done");
                    }
                    Ok(None) => {
                        let _ = el.set_attribute("data-drawn", "kept");
                    }
                    // The formula stays readable as TeX; the failure is reported.
                    Err(e) => crate::state::analytics::report_error(
                        "render",
                        &format!("a formula could not be drawn: {e}"),
                    ),
                }
            });
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = root;
}

/// Replaces each not-yet-highlighted `<code class="language-…">` under `root` with the
/// server's highlighted HTML (at once when this page already has it).
fn highlight_code_blocks(root: &leptos::web_sys::HtmlDivElement) {
    #[cfg(feature = "hydrate")]
    {
        for code in matching(root, "code[class^='language-']:not([data-hl])") {
            let lang = code
                .class_name()
                .strip_prefix("language-")
                .unwrap_or_default()
                .to_owned();
            let text = code.text_content().unwrap_or_default();
            if let Some(html) = highlighted::get(&lang, &text) {
                code.set_inner_html(&html);
                let _ = code.set_attribute("data-hl", "done");
                continue;
            }
            let _ = code.set_attribute("data-hl", "pending");
            leptos::task::spawn_local(async move {
                match crate::api::highlight_code(lang.clone(), text.clone()).await {
                    Ok(Some(html)) => {
                        code.set_inner_html(&html);
                        let _ = code.set_attribute("data-hl", "done");
                        highlighted::put(lang, text, html);
                    }
                    Ok(None) => {}
                    // The block stays readable, unhighlighted; the failure is reported.
                    Err(e) => crate::state::analytics::report_error(
                        "render",
                        &format!("code block ({lang}) could not be highlighted: {e}"),
                    ),
                }
            });
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = root;
}
