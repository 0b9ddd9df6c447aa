//! What the user is typing. It lives above the views, so switching to the "chat
//! unavailable" view and back keeps it, and it is saved in the browser's storage per
//! conversation, so each chat keeps its own unsent text across reloads.
//!
//! The message box is in the page as soon as the page is parsed, before the app has
//! started: what is typed then is kept ([`capture_early_input`] reads it just before
//! hydration), and Enter or Send pressed then is remembered by the page's start script
//! (`js/start.js`) and carried out once the conversation is ready.

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Draft {
    /// The text in the message box.
    pub text: RwSignal<String>,
    /// What was typed before the app started, until the conversation's saved draft is
    /// known (then it is settled with it, see [`settle_early_input`]). Browser only.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    early: StoredValue<Option<EarlyInput>>,
    /// Enter (or Send) was pressed before the app started, and the text is still the one
    /// that was on the screen then: send it as soon as the conversation can take it.
    pub queued_send: RwSignal<bool>,
}

/// The message box as the app found it when it started.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EarlyInput {
    pub text: String,
    /// Enter or Send was pressed before the app started.
    pub send: bool,
}

/// The attribute the start script puts on the composer's form when Enter or Send is
/// pressed before the app has started (the form's style says the message will be sent).
pub const QUEUED_ATTR: &str = "data-queued";

/// Settles what was typed before the app started with the conversation's saved draft:
/// the draft to show, and whether the queued send (if any) still goes out. Nothing is
/// lost: a saved draft that differs is kept above the new text, and then nothing is sent,
/// because the text is no longer what the user saw when pressing Enter.
pub fn settle_early_input(early: EarlyInput, saved: String) -> (String, bool) {
    if early.text.trim().is_empty() {
        return (saved, false);
    }
    if saved.trim().is_empty() || saved == early.text {
        let send = early.send;
        return (early.text, send);
    }
    (format!("{saved}\n{}", early.text), false)
}

#[cfg(feature = "hydrate")]
thread_local! {
    static EARLY_INPUT: std::cell::RefCell<Option<EarlyInput>> = const { std::cell::RefCell::new(None) };
}

/// Reads the message box before the page is hydrated (hydration sets the box to the
/// draft, so the text would otherwise be lost), and clears the start script's mark.
#[cfg(feature = "hydrate")]
pub fn capture_early_input() {
    use wasm_bindgen::JsCast;
    let document = leptos::prelude::document();
    let text = document
        .get_element_by_id("composer-input")
        .and_then(|el| el.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        .map(|t| t.value())
        .unwrap_or_default();
    let send = match document.query_selector(&format!("form[{QUEUED_ATTR}]")) {
        Ok(Some(form)) => {
            let _ = form.remove_attribute(QUEUED_ATTR);
            true
        }
        _ => false,
    };
    if !text.is_empty() {
        EARLY_INPUT.with(|e| *e.borrow_mut() = Some(EarlyInput { text, send }));
    }
}

pub fn provide_draft() -> Draft {
    #[cfg(feature = "hydrate")]
    let early = EARLY_INPUT.with(|e| e.borrow_mut().take());
    #[cfg(not(feature = "hydrate"))]
    let early: Option<EarlyInput> = None;
    let draft = Draft {
        // The box keeps its text through hydration.
        text: RwSignal::new(early.as_ref().map(|e| e.text.clone()).unwrap_or_default()),
        early: StoredValue::new(early),
        queued_send: RwSignal::new(false),
    };
    provide_context(draft);
    draft
}

pub fn use_draft() -> Draft {
    expect_context::<Draft>()
}

/// The storage key of a conversation's draft (`None` while no agent/team is chosen).
pub fn draft_key(
    assistant: Option<&crate::model::AssistantRef>,
    session: Option<&str>,
) -> Option<String> {
    assistant.map(|c| {
        format!(
            "agno-chat:draft:{}:{}:{}",
            c.kind.query_key(),
            c.id,
            session.unwrap_or("new")
        )
    })
}

/// Keeps the draft in the browser's storage under `key`: when the key changes (another
/// conversation is opened) the new conversation's draft is loaded; every edit is saved.
pub fn persist_drafts(draft: Draft, key: Memo<Option<String>>) {
    #[cfg(feature = "hydrate")]
    {
        use gloo_storage::{LocalStorage, Storage};
        Effect::new(move |_| {
            if let Some(k) = key.get() {
                let saved = crate::codec::stored_string(&k).unwrap_or_default();
                // The first conversation shown: what was typed before the app started.
                let (text, send) = match draft.early.try_update_value(Option::take).flatten() {
                    Some(early) => {
                        let (text, send) = settle_early_input(early, saved);
                        // Saved at once: the box may not be edited again before a reload.
                        let _ = LocalStorage::set(&k, &text);
                        (text, send)
                    }
                    None => (saved, false),
                };
                if draft.text.get_untracked() != text {
                    draft.text.set(text);
                }
                if send {
                    draft.queued_send.set(true);
                }
            }
        });
        Effect::new(move |_| {
            let text = draft.text.get();
            if let Some(k) = key.get_untracked() {
                if text.is_empty() {
                    LocalStorage::delete(&k);
                } else {
                    let _ = LocalStorage::set(&k, text);
                }
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (draft, key);
}

#[cfg(test)]
mod tests {
    use super::{draft_key, settle_early_input, EarlyInput};
    use crate::model::{AssistantKind, AssistantRef};

    #[test]
    fn one_key_per_conversation() {
        let c = AssistantRef::new(AssistantKind::Team, "t1".into());
        assert_eq!(draft_key(None, Some("s")), None);
        assert_eq!(
            draft_key(Some(&c), None).unwrap(),
            "agno-chat:draft:team:t1:new"
        );
        assert_eq!(
            draft_key(Some(&c), Some("s1")).unwrap(),
            "agno-chat:draft:team:t1:s1"
        );
    }

    fn early(text: &str, send: bool) -> EarlyInput {
        EarlyInput {
            text: text.into(),
            send,
        }
    }

    #[test]
    fn text_typed_before_the_start_is_kept_and_its_send_goes_out() {
        // Nothing typed early: the saved draft, nothing sent.
        assert_eq!(
            settle_early_input(EarlyInput::default(), "saved".into()),
            ("saved".into(), false)
        );
        assert_eq!(
            settle_early_input(early("  \n", true), "saved".into()),
            ("saved".into(), false),
            "blank text is never sent"
        );
        // Typed early, no saved draft: the text stays, and Enter pressed then still sends.
        assert_eq!(
            settle_early_input(early("hello", true), String::new()),
            ("hello".into(), true)
        );
        assert_eq!(
            settle_early_input(early("hello", false), String::new()),
            ("hello".into(), false)
        );
        // The same text as saved (the page had shown it): nothing to settle.
        assert_eq!(
            settle_early_input(early("hello", true), "hello".into()),
            ("hello".into(), true)
        );
    }

    #[test]
    fn a_different_saved_draft_is_kept_too_and_then_nothing_is_sent() {
        assert_eq!(
            settle_early_input(early("new words", true), "saved words".into()),
            ("saved words\nnew words".into(), false)
        );
    }
}
