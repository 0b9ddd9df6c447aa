use leptos::html::Div;
use leptos::prelude::*;

use super::answer::AnswerView;
use crate::state::chat::{use_chat, Turn};

/// The conversation: a keyed list of turns in a scrollable log. It follows the stream
/// unless the user scrolled up; then a "Jump to latest" button appears.
#[component]
pub fn MessageList() -> impl IntoView {
    let chat = use_chat();
    let list_ref = NodeRef::<Div>::new();
    let at_bottom = RwSignal::new(true);
    let last_top = StoredValue::new(0);

    // Following stops only when the user scrolls up (content growing under a
    // programmatic scroll must not count), and resumes at the bottom.
    let on_scroll = move |_| {
        if let Some(el) = list_ref.get_untracked() {
            let top = el.scroll_top();
            let gap = el.scroll_height() - top - el.client_height();
            if gap < 48 {
                at_bottom.set(true);
            } else if top < last_top.get_value() - 4 {
                at_bottom.set(false);
            }
            last_top.set_value(top);
        }
    };
    let scroll_to_end = move || {
        if let Some(el) = list_ref.try_get_untracked().flatten() {
            el.set_scroll_top(el.scroll_height());
        }
    };
    // Follow new content while the user is at the bottom.
    Effect::new(move |_| {
        chat.tick.track();
        chat.turns.track();
        if at_bottom.get_untracked() {
            // Re-check at paint time: the user may have scrolled up since.
            // (The list may be gone by then, e.g. replaced by the fallback view.)
            request_animation_frame(move || {
                if at_bottom.try_get_untracked().unwrap_or(false) {
                    scroll_to_end();
                }
            });
        }
    });

    view! {
        <div class="messages-wrap">
            <div
                class="messages"
                data-testid="messages"
                role="log"
                aria-label="Messages"
                aria-live="off"
                tabindex="0"
                node_ref=list_ref
                on:scroll=on_scroll
                on:click=copy_code_on_click
            >
                <For each=move || chat.turns.get() key=|t: &Turn| t.id let:turn>
                    <TurnView turn />
                </For>
            </div>
            <Show when=move || !at_bottom.get()>
                <button
                    type="button"
                    class="jump-latest"
                    data-testid="jump-latest"
                    on:click=move |_| {
                        at_bottom.set(true);
                        scroll_to_end();
                    }
                >
                    "Jump to latest ↓"
                </button>
            </Show>
            <div class="visually-hidden" aria-live="polite" data-testid="announcer">
                {move || chat.announcement.get()}
            </div>
        </div>
    }
}

#[component]
fn TurnView(turn: Turn) -> impl IntoView {
    view! {
        <article class="turn" data-testid="turn">
            <div class="message user" data-testid="user-message">
                <span class="visually-hidden">"You said:"</span>
                <p class="user-text">{turn.question.clone()}</p>
            </div>
            <AnswerView turn_id=turn.id answer=RwSignal::from(turn.answer.clone()) />
        </article>
    }
}

/// Copy buttons inside rendered markdown (event delegation: the HTML is not Leptos views).
fn copy_code_on_click(ev: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(target) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        if !target.has_attribute("data-copy-code") {
            return;
        }
        let code = target
            .closest(".code-block")
            .ok()
            .flatten()
            .and_then(|b| b.query_selector("code").ok().flatten())
            .and_then(|c| c.text_content());
        if let Some(text) = code {
            let _ = window().navigator().clipboard().write_text(&text);
            target.set_text_content(Some("Copied"));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}
