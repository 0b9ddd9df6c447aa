//! A turn's versions in the view: the "‹ 2 / 3 ›" switcher, the regenerate button under
//! an answer and the editor of a question (see `conversation::branching`).

use leptos::prelude::*;

use crate::conversation::use_chat;
use crate::i18n::{t, t_args, Arg};
use crate::icon::inline::{self, InlineIcon};

/// "‹ 2 / 3 ›" when the turn has more than one version.
pub fn switcher(turn_id: u64) -> impl IntoView {
    let chat = use_chat();
    move || {
        let (at, count) = chat.version(turn_id);
        (count > 1).then(|| {
            let args = [
                ("at", Arg::Num(at as i64)),
                ("count", Arg::Num(count as i64)),
            ];
            // Moving is refused while an answer streams (the conversation is changing).
            let busy = move || chat.is_streaming();
            view! {
                <span class="versions" data-testid="versions" role="group" aria-label=t_args("version-label", &args)>
                    {step_button(turn_id, -1, move || at <= 1 || busy())}
                    <span class="version-at" data-testid="version-at">{t_args("version", &args)}</span>
                    {step_button(turn_id, 1, move || at >= count || busy())}
                </span>
            }
        })
    }
}

/// "‹" (`step` -1) or "›" (1): shows the version before or after.
fn step_button(
    turn_id: u64,
    step: isize,
    disabled: impl Fn() -> bool + Send + 'static,
) -> impl IntoView {
    let chat = use_chat();
    let (label, test_id, icon) = if step < 0 {
        (t("previous-version"), "previous-version", inline::PREVIOUS)
    } else {
        (t("next-version"), "next-version", inline::NEXT)
    };
    view! {
        <button
            type="button"
            class="icon-button"
            data-testid=test_id
            aria-label=label.clone()
            title=label
            disabled=disabled
            on:click=move |_| chat.show_version(turn_id, step)
        >
            <InlineIcon paths=icon />
        </button>
    }
}

/// Asks for another answer to the turn's question.
pub fn regenerate_button(turn_id: u64) -> impl IntoView {
    let chat = use_chat();
    view! {
        <button
            type="button"
            class="icon-button"
            data-testid="regenerate"
            aria-label=t("regenerate")
            title=t("regenerate")
            on:click=move |_| chat.regenerate(turn_id)
        >
            <InlineIcon paths=inline::REGENERATE />
        </button>
    }
}

/// The question's text, with an edit button; editing, a box with the text, Send and
/// Cancel. A refused text stays in the box with the reason.
#[component]
pub fn Question(turn_id: u64, text: String, id: String, editable: Signal<bool>) -> impl IntoView {
    let chat = use_chat();
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(text.clone());
    let error = RwSignal::new(None::<String>);
    let box_ref = NodeRef::<leptos::html::Textarea>::new();
    let send = move || match chat.edit(turn_id, &draft.get_untracked()) {
        Ok(()) => editing.set(false),
        Err(why) => error.set(Some(why)),
    };
    Effect::new(move |_| {
        if editing.get() {
            if let Some(el) = box_ref.get() {
                let _ = el.focus();
            }
        }
    });
    let shown = text.clone();
    view! {
        <Show
            when=move || editing.get()
            fallback=move || view! {
                <p class="user-text" id=id.clone()>{shown.clone()}</p>
                <Show when=move || editable.get()>
                    <button
                        type="button"
                        class="icon-button edit-question"
                        data-testid="edit-question"
                        aria-label=t("edit-question")
                        title=t("edit-question")
                        on:click=move |_| {
                            error.set(None);
                            editing.set(true);
                        }
                    >
                        <InlineIcon paths=inline::PENCIL />
                    </button>
                </Show>
            }
        >
            <form
                class="question-editor"
                data-testid="question-editor"
                on:submit=move |ev| {
                    ev.prevent_default();
                    send();
                }
            >
                <textarea
                    node_ref=box_ref
                    aria-label=t("edit-label")
                    data-testid="edit-input"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            editing.set(false);
                        } else if ev.key() == "Enter" && !ev.shift_key() {
                            ev.prevent_default();
                            send();
                        }
                    }
                ></textarea>
                {move || error.get().map(|e| view! { <p class="input-error" role="alert" data-testid="edit-error">{e}</p> })}
                <div class="editor-actions">
                    <button type="button" class="link-button" data-testid="edit-cancel" on:click=move |_| editing.set(false)>
                        {t("cancel")}
                    </button>
                    <button type="submit" class="button" data-testid="edit-send" disabled=move || chat.is_streaming()>
                        {t("send")}
                    </button>
                </div>
            </form>
        </Show>
    }
}
