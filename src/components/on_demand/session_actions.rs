//! Renaming and deleting a conversation from the list.

use crate::i18n::{t, t_args};
use leptos::prelude::*;

use crate::conversation::ConversationStoreFields;

use crate::api::{delete_session, rename_session};
use crate::conversation::use_chat;
use crate::state::sessions::use_sessions;

/// One list entry's state that renaming and deleting work on.
#[derive(Clone, Copy)]
pub struct ItemActions {
    pub id: StoredValue<crate::model::SessionId>,
    pub editing: RwSignal<bool>,
    pub confirming: RwSignal<bool>,
    pub name_input: RwSignal<String>,
    pub error: RwSignal<Option<String>>,
}

pub(super) fn rename_view(item: ItemActions) -> AnyView {
    let ItemActions {
        id,
        editing,
        name_input,
        error,
        ..
    } = item;
    let chat = use_chat();
    let sessions = use_sessions();
    let save = move || {
        let Some(c) = chat.data.assistant().get_untracked() else {
            return;
        };
        let new_name = name_input.get_untracked();
        leptos::task::spawn_local(async move {
            match rename_session(c.kind, c.id, id.get_value(), new_name).await {
                Ok(saved) => {
                    // This item's own state first: updating the list re-creates the item.
                    let sid = id.get_value();
                    editing.set(false);
                    error.set(None);
                    sessions.renamed(&sid, saved);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="rename-form" on:submit=move |ev| { ev.prevent_default(); save(); }>
            <input
                type="text"
                aria-label=t("chat-name")
                data-testid="rename-input"
                maxlength="200"
                prop:value=move || name_input.get()
                on:input=move |ev| name_input.set(event_target_value(&ev))
            />
            <button type="submit" class="link-button" data-testid="rename-save">{t("save")}</button>
            <button type="button" class="link-button" on:click=move |_| editing.set(false)>{t("cancel")}</button>
        </form>
    }
    .into_any()
}

pub(super) fn delete_view(item: ItemActions) -> AnyView {
    let ItemActions { id, confirming, .. } = item;
    let chat = use_chat();
    let sessions = use_sessions();
    // A failed delete is news that passes: a toast (a rename's problem stays by its
    // field, with what was typed).
    let toasts = crate::state::toasts::use_toasts();
    let delete = move || {
        let Some(c) = chat.data.assistant().get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match delete_session(c.kind, c.id, id.get_value()).await {
                Ok(()) => {
                    let sid = id.get_value();
                    if chat.data.session_id().get_untracked().as_deref() == Some(sid.as_str()) {
                        chat.new_chat();
                    }
                    sessions.removed(&sid);
                }
                Err(e) => {
                    confirming.set(false);
                    toasts.error(t_args("delete-failed", &[("error", e.to_string().into())]));
                }
            }
        });
    };
    view! {
        <div class="confirm" role="alertdialog" aria-label=t("delete-confirm") data-testid="confirm-delete">
            <span>{t("delete-confirm")}</span>
            <button type="button" class="link-button danger" data-testid="confirm-delete-yes" on:click=move |_| delete()>{t("delete")}</button>
            <button type="button" class="link-button" on:click=move |_| confirming.set(false)>{t("keep")}</button>
        </div>
    }
    .into_any()
}
