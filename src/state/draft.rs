//! What the user is typing. It lives above the views, so switching to the "chat
//! unavailable" view and back keeps it, and it is saved in the browser's storage per
//! conversation, so each chat keeps its own unsent text across reloads.

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Draft(pub RwSignal<String>);

pub fn provide_draft() -> Draft {
    let draft = Draft(RwSignal::new(String::new()));
    provide_context(draft);
    draft
}

pub fn use_draft() -> Draft {
    expect_context::<Draft>()
}

/// The storage key of a conversation's draft (`None` while no agent/team is chosen).
pub fn draft_key(
    component: Option<&crate::model::ComponentRef>,
    session: Option<&str>,
) -> Option<String> {
    component.map(|c| {
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
                let saved = LocalStorage::get::<String>(&k).unwrap_or_default();
                if draft.0.get_untracked() != saved {
                    draft.0.set(saved);
                }
            }
        });
        Effect::new(move |_| {
            let text = draft.0.get();
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
    use super::draft_key;
    use crate::model::{ComponentKind, ComponentRef};

    #[test]
    fn one_key_per_conversation() {
        let c = ComponentRef::new(ComponentKind::Team, "t1");
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
}
