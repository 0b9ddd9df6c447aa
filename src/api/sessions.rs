//! The user's conversations. Every call is bound to the server-side identity: a session
//! that is not the caller's (or not with this agent/team) is "not found", exactly like one
//! that does not exist.

use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

use super::ApiError;
use crate::model::{AssistantId, AssistantKind, SessionId, SessionPage};
#[cfg(feature = "ssr")]
use crate::server::caller::Caller;

/// Longest session name accepted.
pub const MAX_SESSION_NAME: usize = 120;
/// Sessions per page of the sidebar.
#[cfg(feature = "ssr")]
pub const SESSIONS_PAGE_SIZE: u32 = 30;

/// One page of the caller's conversations with an agent or team, newest first,
/// optionally filtered by name.
#[server(prefix = "/api", endpoint = "sessions/list", output = Postcard)]
pub async fn list_sessions(
    kind: AssistantKind,
    assistant_id: AssistantId,
    page: u32,
    search: Option<String>,
) -> Result<SessionPage, ApiError> {
    let caller = Caller::get().await?;
    caller.may_use(kind, assistant_id.as_str())?;
    let Caller { state, user, .. } = caller;
    let search = search
        .map(|s| s.trim().chars().take(MAX_SESSION_NAME).collect::<String>())
        .filter(|s| !s.is_empty());
    let list = state
        .agentos
        .list_sessions(
            kind,
            &assistant_id,
            &user.0,
            page.max(1),
            SESSIONS_PAGE_SIZE,
            search.as_deref(),
        )
        .await?;
    let items = list
        .data
        .into_iter()
        // Defence in depth: never list another user's session, whatever AgentOS returns.
        .filter(|s| s.user_id.as_deref() == Some(user.0.as_str()))
        // An id AgentOS made is an id; one that is not (it could not be opened) is left out.
        .filter_map(|s| {
            Some(crate::model::SessionSummary {
                id: SessionId::new(s.session_id).ok()?,
                name: s
                    .session_name
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| "Untitled chat".into()),
                updated_at: s
                    .updated_at
                    .as_ref()
                    .or(s.created_at.as_ref())
                    .and_then(crate::model::parse_timestamp),
            })
        })
        .collect();
    Ok(SessionPage {
        items,
        page: list.meta.page.unwrap_or(page),
        total_pages: list.meta.total_pages.unwrap_or(1),
        total_count: list.meta.total_count.unwrap_or(0),
    })
}

/// Renames one of the caller's sessions (1 to 120 characters after trimming).
#[server(prefix = "/api", endpoint = "sessions/rename", output = Postcard)]
pub async fn rename_session(
    kind: AssistantKind,
    assistant_id: AssistantId,
    session_id: SessionId,
    name: String,
) -> Result<String, ApiError> {
    let Caller { state, user, .. } = Caller::get().await?;
    let name = crate::chat::validate::clean_message(&name.replace('\n', " "), MAX_SESSION_NAME)
        .map_err(|e| match e {
            crate::chat::validate::InputError::Empty => {
                ApiError::Invalid("A chat name cannot be empty.".into())
            }
            crate::chat::validate::InputError::TooLong { len, max } => ApiError::Invalid(format!(
                "A chat name can have at most {max} characters; this one has {len}."
            )),
        })?;
    state
        .ownership()
        .owned_session(kind, &assistant_id, &session_id, &user.0)
        .await?;
    state
        .agentos
        .rename_session(kind, &session_id, &name, &user.0)
        .await?;
    Ok(name)
}

/// Deletes one of the caller's sessions.
#[server(prefix = "/api", endpoint = "sessions/delete", output = Postcard)]
pub async fn delete_session(
    kind: AssistantKind,
    assistant_id: AssistantId,
    session_id: SessionId,
) -> Result<(), ApiError> {
    let Caller { state, user, .. } = Caller::get().await?;
    state
        .ownership()
        .owned_session(kind, &assistant_id, &session_id, &user.0)
        .await?;
    state
        .agentos
        .delete_session(kind, &session_id, &user.0)
        .await?;
    // Its copy, if the server keeps one, goes too (see `server::history_cache`).
    let key =
        crate::server::history_cache::HistoryKey::new(&user.0, kind, &assistant_id, &session_id);
    state.history_changed(&key).await;
    state.owners.forget(&key);
    tracing::info!(%session_id, "session deleted by its user");
    Ok(())
}
