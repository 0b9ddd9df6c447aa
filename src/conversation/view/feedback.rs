//! Thumbs up and down under an answer, and the optional comment that follows a thumb.
//! The same thumb again takes the feedback back; the other changes it. Kept by the
//! server (see `conversation::annotations`); a refusal puts the previous feedback back,
//! says why, and keeps the comment in its box.

use leptos::prelude::*;

use crate::chat::annotations::{Rating, MAX_COMMENT_CHARS};
use crate::conversation::annotations::use_notes;
use crate::i18n::t;
use crate::icon::inline::{self, InlineIcon};

/// The thumbs of the answer of `run_id`, with the comment box once one is pressed.
#[component]
pub fn FeedbackButtons(run_id: String) -> impl IntoView {
    let notes = use_notes();
    let toasts = use_context::<crate::state::toasts::Toasts>();
    let run = StoredValue::new(run_id);
    let given = Memo::new(move |_| run.with_value(|r| notes.on(r)));
    let rating = move || given.with(|g| g.as_ref().map(|f| f.rating));
    let editing = RwSignal::new(false);
    let comment = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let save = move |rating: Option<Rating>, text: String, close: bool| {
        busy.set(true);
        error.set(None);
        let run_id = run.get_value();
        leptos::task::spawn_local(async move {
            let result = notes.rate(run_id, rating, text).await;
            busy.try_set(false);
            match result {
                Ok(()) => {
                    if close {
                        editing.try_set(false);
                    }
                }
                Err(why) => {
                    error.try_set(Some(why.clone()));
                    if let Some(toasts) = toasts {
                        toasts.error(why);
                    }
                }
            }
        });
    };
    let press = move |pressed: Rating| {
        if rating() == Some(pressed) {
            editing.set(false);
            save(None, String::new(), false);
        } else {
            let text = given.with_untracked(|g| g.as_ref().map(|f| f.comment.clone()));
            comment.set(text.clone().unwrap_or_default());
            editing.set(true);
            save(Some(pressed), text.unwrap_or_default(), false);
        }
    };
    let thumb = move |which: Rating| {
        let (label, test_id, icon) = match which {
            Rating::Up => (t("feedback-good"), "feedback-up", inline::THUMB_UP),
            Rating::Down => (t("feedback-bad"), "feedback-down", inline::THUMB_DOWN),
        };
        view! {
            <button
                type="button"
                class="icon-button feedback-thumb"
                data-testid=test_id
                aria-label=label.clone()
                title=label
                aria-pressed=move || if rating() == Some(which) { "true" } else { "false" }
                disabled=move || busy.get()
                on:click=move |_| press(which)
            >
                <InlineIcon paths=icon />
            </button>
        }
    };
    let too_long = move || comment.with(|c| c.chars().count() > MAX_COMMENT_CHARS);

    view! {
        <span class="feedback" role="group" aria-label=t("feedback")>
            {thumb(Rating::Up)}
            {thumb(Rating::Down)}
        </span>
        <Show when=move || editing.get() && rating().is_some()>
            <form
                class="feedback-form"
                data-testid="feedback-form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    if too_long() {
                        return;
                    }
                    save(rating(), comment.get_untracked(), true);
                }
            >
                <textarea
                    data-testid="feedback-comment"
                    rows="2"
                    placeholder=t("feedback-comment")
                    aria-label=t("feedback-comment")
                    prop:value=move || comment.get()
                    on:input=move |ev| comment.set(event_target_value(&ev))
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Escape" {
                            editing.set(false);
                        }
                    }
                ></textarea>
                <Show when=too_long>
                    <span class="input-error" role="alert">{t("feedback-too-long")}</span>
                </Show>
                {move || error.get().map(|e| view! { <span class="input-error" role="alert">{e}</span> })}
                <span class="feedback-form-actions">
                    <button type="submit" class="button" data-testid="feedback-save" disabled=move || busy.get() || too_long()>
                        {t("feedback-save")}
                    </button>
                    <button type="button" class="link-button" on:click=move |_| editing.set(false)>
                        {t("cancel")}
                    </button>
                </span>
            </form>
        </Show>
        <Show when=move || !editing.get() && given.with(|g| g.as_ref().is_some_and(|f| !f.comment.is_empty()))>
            <span class="feedback-given muted" data-testid="feedback-given" title=move || given.with(|g| g.as_ref().map(|f| f.comment.clone()).unwrap_or_default())>
                {t("feedback-commented")}
            </span>
        </Show>
    }
}
