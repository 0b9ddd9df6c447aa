use leptos::html::Div;
use leptos::prelude::*;
use reactive_stores::Store;

use crate::conversation::ConversationStoreFields;

use super::answer::AnswerView;
use super::heights::{Heights, Measurer};
use super::search::ConversationSearch;
use crate::chat::window::{offset_of, visible};
use crate::conversation::{use_chat, Turn};
use crate::i18n::t;

/// The conversation's turns, once it has any: the list (virtualized window, measuring,
/// search, keyboard paging) and the answers in it. Part of the conversation's lazily
/// loaded code (see `state::chat::message_list`), not of an empty chat's first load.
pub fn message_list() -> AnyView {
    view! { <MessageList /> }.into_any()
}

/// The conversation: a virtualized feed of turns. Only the turns near the viewport are in
/// the DOM; the others keep their (measured or estimated) space in two spacers. It
/// follows the stream unless the user scrolled up; then a "Jump to latest" button
/// appears. A search box finds text in every turn, rendered or not, and Page Up/Down
/// move between turns (the ARIA feed pattern).
#[component]
fn MessageList() -> impl IntoView {
    let chat = use_chat();
    crate::conversation::annotations::Notes::provide(chat);
    let list_ref = NodeRef::<Div>::new();
    let at_bottom = RwSignal::new(true);
    let last_top = StoredValue::new(0);
    let heights = Heights::new();
    // (scroll top, viewport height) of the list.
    let viewport = RwSignal::new((0.0f64, 0.0f64));
    let measurer = Measurer::new(heights);
    // The turn last jumped to (search, Page Up/Down), outlined.
    let highlighted = RwSignal::new(None::<u64>);

    // The turns beyond the viewport, kept rendered so that a scroll never shows a blank
    // spacer, are rendered once the user may scroll: the pointer over the list (a mouse,
    // pen or finger, before any wheel, drag or swipe), focus in it (Page Up/Down, a
    // screen reader's feed navigation) or a scroll up. An opened conversation shows only
    // the turns in view; rendered in a task after its first frame, the margin took about
    // 25 ms more, with no sign yet that it would be scrolled.
    let margin = RwSignal::new(false);
    let want_margin = move || {
        if !margin.get_untracked() {
            margin.set(true);
        }
    };
    // The list stays mounted from one conversation to the next: an opening (which empties
    // it first) starts again without the margin.
    let empty = Memo::new(move |_| chat.data.turns().with(Vec::is_empty));
    Effect::new(move |_| {
        if empty.get() {
            margin.set(false);
        }
    });

    let read_viewport = move || {
        if let Some(el) = list_ref.get_untracked() {
            viewport.set((el.scroll_top() as f64, el.client_height() as f64));
        }
    };
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
                want_margin();
            }
            last_top.set_value(top);
        }
        read_viewport();
    };
    let scroll_to_end = move || {
        if let Some(el) = list_ref.try_get_untracked().flatten() {
            el.set_scroll_top(el.scroll_height());
        }
    };
    // The list's size is read at the next frame, not when it is mounted: read in the task
    // that rendered the turns, it forced the layout of all of them inside that task (about
    // 20 ms of a 500-run conversation's opening), and the frame laid them out again.
    Effect::new(move |_| {
        if list_ref.get().is_some() {
            request_animation_frame(move || {
                if let Some(el) = list_ref.try_get_untracked().flatten() {
                    viewport.try_set((el.scroll_top() as f64, el.client_height() as f64));
                }
            });
        }
    });
    // Follow new content while the user is at the bottom.
    Effect::new(move |_| {
        chat.data.tick().track();
        chat.data.turns().track();
        heights.version.track();
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

    let range = Memo::new(move |_| {
        heights.version.track();
        let (top, view) = viewport.get();
        let view = if view > 0.0 { view } else { first_view() };
        let pinned = at_bottom.get();
        let overscan = if margin.get() { view } else { 0.0 };
        chat.data
            .turns()
            .with(|ts| visible(&heights.of(ts), top, view, overscan, pinned))
    });
    let has_before = Memo::new(move |_| range.get().before > 0.0);
    let has_after = Memo::new(move |_| range.get().after > 0.0);
    let shown = move || {
        let r = range.get();
        chat.data.turns().with(|ts| {
            let end = r.end.min(ts.len());
            ts[r.start.min(end)..end].to_vec()
        })
    };

    // Brings a turn into view (rendering it first if it is outside the window) and
    // focuses it.
    let reveal = move |id: u64| {
        let Some(el) = list_ref.get_untracked() else {
            return;
        };
        let Some(offset) = chat.data.turns().with_untracked(|ts| {
            ts.iter()
                .position(|t| t.id == id)
                .map(|i| offset_of(&heights.of(ts), i))
        }) else {
            return;
        };
        at_bottom.set(false);
        highlighted.set(Some(id));
        el.set_scroll_top(offset as i32);
        read_viewport();
        // Once rendered (and measured, which may move it), align it exactly.
        align_turn(list_ref, id, 12, read_viewport);
    };
    // Page Down / Page Up move between turns, as in an ARIA feed.
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let step: isize = match ev.key().as_str() {
            "PageDown" => 1,
            "PageUp" => -1,
            _ => return,
        };
        let current = highlighted.get_untracked().or_else(|| {
            range.with_untracked(|r| {
                chat.data
                    .turns()
                    .with_untracked(|ts| ts.get(r.start).map(|t| t.id))
            })
        });
        let next = chat.data.turns().with_untracked(|ts| {
            let i = current
                .and_then(|id| ts.iter().position(|t| t.id == id))
                .unwrap_or(0) as isize;
            let j = (i + step).clamp(0, ts.len() as isize - 1);
            ts.get(j as usize).map(|t| t.id)
        });
        if let Some(id) = next {
            ev.prevent_default();
            reveal(id);
        }
    };

    view! {
        <ConversationSearch reveal=Callback::new(reveal) highlighted />
        <div class="messages-wrap">
            <div
                class="messages"
                data-testid="messages"
                role="feed"
                aria-label=t("messages")
                aria-busy=move || (chat.data.loading_history().get() || chat.data.streaming().get().is_some()).to_string()
                tabindex="0"
                node_ref=list_ref
                on:scroll=on_scroll
                on:pointerover=move |ev| {
                    want_margin();
                    show_time(&ev);
                }
                on:focusin=move |ev| {
                    want_margin();
                    show_time(&ev);
                }
                on:keydown=on_keydown
                on:click=copy_code_on_click
            >
                // Spacers exist only when they have height: a server-rendered style
                // attribute would break the page's CSP (here it is set through the CSSOM).
                <Show when=move || has_before.get()>
                    <div class="spacer" aria-hidden="true" style:height=move || format!("{}px", range.get().before)></div>
                </Show>
                <For each=shown key=|t: &Turn| t.id let:turn>
                    <TurnView turn measurer highlighted />
                </For>
                <Show when=move || has_after.get()>
                    <div class="spacer" aria-hidden="true" style:height=move || format!("{}px", range.get().after)></div>
                </Show>
            </div>
            <Show when=move || !at_bottom.get()>
                <button
                    type="button"
                    class="jump-latest"
                    data-testid="jump-latest"
                    on:click=move |_| {
                        at_bottom.set(true);
                        highlighted.set(None);
                        scroll_to_end();
                    }
                >
                    {t("jump-to-latest")}
                </button>
            </Show>
        </div>
    }
    .into_any()
}

/// The list's height before it has been laid out (it is read at the next frame): the
/// window's, which the list cannot exceed and which is known without a layout. A larger
/// guess rendered turns that the first frame then took away again.
fn first_view() -> f64 {
    #[cfg(feature = "hydrate")]
    if let Some(h) = window().inner_height().ok().and_then(|h| h.as_f64()) {
        if h > 0.0 {
            return h;
        }
    }
    900.0
}

/// Scrolls turn `id` to the top of the list and focuses it, frame after frame until it
/// is rendered and stays put (measuring the turns around it can move it).
#[cfg(not(feature = "hydrate"))]
fn align_turn(_: NodeRef<Div>, _: u64, _: u32, _: impl Fn() + Copy + 'static) {}

#[cfg(feature = "hydrate")]
fn align_turn(
    list_ref: NodeRef<Div>,
    id: u64,
    frames_left: u32,
    on_scrolled: impl Fn() + Copy + 'static,
) {
    request_animation_frame(move || {
        let Some(list) = list_ref.try_get_untracked().flatten() else {
            return;
        };
        let turn = list
            .query_selector(&format!("[data-turn-id='{id}']"))
            .ok()
            .flatten();
        let settled = match &turn {
            Some(turn) => {
                let gap =
                    turn.get_bounding_client_rect().top() - list.get_bounding_client_rect().top();
                if gap.abs() > 1.0 {
                    turn.scroll_into_view();
                    on_scrolled();
                }
                {
                    use wasm_bindgen::JsCast;
                    if let Some(h) = turn.dyn_ref::<leptos::web_sys::HtmlElement>() {
                        if document().active_element().as_ref() != Some(turn) {
                            let _ = h.focus();
                        }
                    }
                }
                gap.abs() <= 1.0
            }
            None => false,
        };
        if !settled && frames_left > 0 {
            align_turn(list_ref, id, frames_left - 1, on_scrolled);
        }
    });
}

#[component]
fn TurnView(turn: Turn, measurer: Measurer, highlighted: RwSignal<Option<u64>>) -> impl IntoView {
    let chat = use_chat();
    let id = turn.id;
    let node = NodeRef::<leptos::html::Article>::new();
    node.on_load(move |el| measurer.observe(&el));
    on_cleanup(move || {
        if let Some(el) = node.get_untracked() {
            measurer.unobserve(&el);
        }
    });
    let position = move || {
        chat.data
            .turns()
            .with(|ts| ts.iter().position(|t| t.id == id).map(|i| i + 1))
            .unwrap_or(0)
            .to_string()
    };
    let question_id = format!("turn-{id}-q");
    // A question is edited once its answer has finished (AgentOS forks stored runs), and
    // not while another answer streams.
    let answer: Store<crate::chat::reducer::Answer> = Store::from(turn.answer.clone());
    let editable = Signal::derive(move || {
        use crate::chat::reducer::{AnswerStoreFields, Status};
        matches!(answer.status().get(), Status::Completed | Status::Error)
            && answer.run_id().with(Option::is_some)
            && !chat.is_streaming()
    });
    let labelled_by = question_id.clone();
    view! {
        <article
            class="turn"
            class:search-hit=move || highlighted.get() == Some(id)
            data-testid="turn"
            data-turn-id=id.to_string()
            tabindex="-1"
            aria-posinset=position
            aria-setsize=move || chat.data.turns().with(Vec::len).to_string()
            aria-labelledby=labelled_by
            node_ref=node
        >
            <div class="message user" data-testid="user-message">
                <span class="visually-hidden">{t("you-said")}</span>
                <super::versions::Question turn_id=id text=turn.question.clone() id=question_id editable />
                {(!turn.attachments.is_empty()).then(|| {
                    let items = turn.attachments.clone();
                    view! { <Suspense fallback=|| ()>{Suspend::new(crate::attachments::media(items, true))}</Suspense> }
                })}
                {turn.at.map(|at| view! { <span class="turn-time" data-testid="turn-time" data-at=at.to_string()></span> })}
            </div>
            <AnswerView turn_id=id answer=Store::from(turn.answer.clone()) />
        </article>
    }
}

/// A turn's time is written when the pointer or focus first reaches the turn: writing
/// every turn's up front would slow the opening of a long conversation for times few
/// people look at (and only the browser knows the person's time zone).
fn show_time(ev: &leptos::web_sys::Event) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(el) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest(".turn").ok().flatten())
            .and_then(|turn| turn.query_selector(".turn-time").ok().flatten())
        else {
            return;
        };
        if el.text_content().is_some_and(|t| !t.is_empty()) {
            return;
        }
        let Some(at) = el.get_attribute("data-at").and_then(|a| a.parse().ok()) else {
            return;
        };
        let when = crate::i18n::date_time(at);
        el.set_text_content(Some(&crate::i18n::t_args(
            "sent-at",
            &[("time", when.into())],
        )));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
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
            target.set_text_content(Some(&t("copied")));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}
