//! What the user is typing. It lives above the views, so switching to the "chat
//! unavailable" view and back keeps it, and it is saved in the browser's storage so a
//! reload keeps it too.

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Draft(pub RwSignal<String>);

#[cfg(feature = "hydrate")]
const STORAGE_KEY: &str = "agno-chat:draft";

pub fn provide_draft() -> Draft {
    let draft = Draft(RwSignal::new(String::new()));
    provide_context(draft);
    #[cfg(feature = "hydrate")]
    {
        use gloo_storage::{LocalStorage, Storage};
        // First run: restore after hydration (the server renders an empty box).
        // Later runs: save every change.
        Effect::new(move |prev: Option<()>| {
            let text = draft.0.get();
            if prev.is_none() {
                if text.is_empty() {
                    if let Ok(saved) = LocalStorage::get::<String>(STORAGE_KEY) {
                        draft.0.set(saved);
                    }
                }
            } else if text.is_empty() {
                LocalStorage::delete(STORAGE_KEY);
            } else {
                let _ = LocalStorage::set(STORAGE_KEY, text);
            }
        });
    }
    draft
}

pub fn use_draft() -> Draft {
    expect_context::<Draft>()
}
