//! Renaming and deleting a conversation from the list.

use crate::i18n::{t, t_args};
use leptos::prelude::*;

use crate::conversation::ConversationStoreFields;

use crate::api::{delete_session, rename_session};
use crate::conversation::use_chat;
use crate::model::SessionId;
use crate::state::sessions::use_sessions;

/// The list entry being renamed or deleted: one at a time, for the whole list.
#[derive(Clone, Debug, PartialEq)]
pub struct Acting {
    pub id: SessionId,
    pub renaming: bool,
}

/// What renaming or deleting a list entry works on.
#[derive(Clone, Copy)]
pub struct ItemActions {
    /// The list's entry under action; setting `None` closes the form or question.
    pub acting: RwSignal<Option<Acting>>,
    pub id: StoredValue<SessionId>,
    pub renaming: bool,
    pub name_input: RwSignal<String>,
}

pub(super) fn item_view(item: ItemActions) -> AnyView {
    if item.renaming {
        rename_view(item)
    } else {
        delete_view(item)
    }
}

fn rename_view(item: ItemActions) -> AnyView {
    let ItemActions {
        acting,
        id,
        name_input,
        ..
    } = item;
    // A rename's problem stays by its field, with what was typed.
    let error = RwSignal::new(None::<String>);
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
                    acting.set(None);
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
            <button type="button" class="link-button" on:click=move |_| acting.set(None)>{t("cancel")}</button>
        </form>
        {move || error.get().map(|e| view! { <p class="tool-error" role="alert" data-testid="session-error">{e}</p> })}
    }
    .into_any()
}

fn delete_view(item: ItemActions) -> AnyView {
    let ItemActions { acting, id, .. } = item;
    let chat = use_chat();
    let sessions = use_sessions();
    // A failed delete is news that passes: a toast.
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
                    acting.set(None);
                    toasts.error(t_args("delete-failed", &[("error", e.to_string().into())]));
                }
            }
        });
    };
    view! {
        <div class="confirm" role="alertdialog" aria-label=t("delete-confirm") data-testid="confirm-delete">
            <span>{t("delete-confirm")}</span>
            <button type="button" class="link-button danger" data-testid="confirm-delete-yes" on:click=move |_| delete()>{t("delete")}</button>
            <button type="button" class="link-button" on:click=move |_| acting.set(None)>{t("keep")}</button>
        </div>
    }
    .into_any()
}
