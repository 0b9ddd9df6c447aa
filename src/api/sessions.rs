//! The user's conversations. Every call is bound to the server-side identity: a session
//! that is not the caller's (or not with this agent/team) is "not found", exactly like one
//! that does not exist.

use leptos::prelude::*;

use super::ApiError;
use crate::model::{ComponentKind, SessionPage};

/// Longest session name accepted.
pub const MAX_SESSION_NAME: usize = 120;
/// Sessions per page of the sidebar.
#[cfg(feature = "ssr")]
pub const SESSIONS_PAGE_SIZE: u32 = 30;

/// One page of the caller's conversations with an agent or team, newest first,
/// optionally filtered by name.
#[server(prefix = "/api", endpoint = "sessions/list")]
pub async fn list_sessions(
    kind: ComponentKind,
    component_id: String,
    page: u32,
    search: Option<String>,
) -> Result<SessionPage, ApiError> {
    let (state, user) = context().await?;
    check_id(&component_id)?;
    let search = search
        .map(|s| s.trim().chars().take(MAX_SESSION_NAME).collect::<String>())
        .filter(|s| !s.is_empty());
    let list = state
        .agentos
        .list_sessions(
            kind,
            &component_id,
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
        .map(|s| crate::model::SessionSummary {
            name: s
                .session_name
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| "Untitled chat".into()),
            updated_at: s
                .updated_at
                .as_ref()
                .or(s.created_at.as_ref())
                .and_then(crate::model::parse_timestamp),
            id: s.session_id,
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
#[server(prefix = "/api", endpoint = "sessions/rename")]
pub async fn rename_session(
    kind: ComponentKind,
    component_id: String,
    session_id: String,
    name: String,
) -> Result<String, ApiError> {
    let (state, user) = context().await?;
    let name = crate::chat::validate::clean_message(&name.replace('\n', " "), MAX_SESSION_NAME)
        .map_err(|e| match e {
            crate::chat::validate::InputError::Empty => {
                ApiError::Invalid("A chat name cannot be empty.".into())
            }
            crate::chat::validate::InputError::TooLong { len, max } => ApiError::Invalid(format!(
                "A chat name can have at most {max} characters; this one has {len}."
            )),
        })?;
    owned_session(&state, kind, &component_id, &session_id, &user.0).await?;
    state
        .agentos
        .rename_session(kind, &session_id, &name, &user.0)
        .await?;
    Ok(name)
}

/// Deletes one of the caller's sessions.
#[server(prefix = "/api", endpoint = "sessions/delete")]
pub async fn delete_session(
    kind: ComponentKind,
    component_id: String,
    session_id: String,
) -> Result<(), ApiError> {
    let (state, user) = context().await?;
    owned_session(&state, kind, &component_id, &session_id, &user.0).await?;
    state
        .agentos
        .delete_session(kind, &session_id, &user.0)
        .await?;
    // Its copy, if the server keeps one, goes too (see `server::history_cache`).
    let key =
        crate::server::history_cache::HistoryKey::new(&user.0, kind, &component_id, &session_id);
    state.histories.forget(&key);
    state.owners.forget(&key);
    tracing::info!(%session_id, "session deleted by its user");
    Ok(())
}

#[cfg(feature = "ssr")]
pub(super) async fn context() -> Result<
    (
        crate::server::state::AppState,
        crate::server::identity::UserId,
    ),
    ApiError,
> {
    Ok((
        crate::server::state::app_state()?,
        crate::server::identity::current_user().await?,
    ))
}

#[cfg(feature = "ssr")]
pub(super) fn check_id(id: &str) -> Result<(), ApiError> {
    if crate::chat::validate::is_valid_id(id) {
        Ok(())
    } else {
        Err(ApiError::NotFound(
            "That conversation was not found.".into(),
        ))
    }
}

/// Whether the session exists, belongs to `user_id` and is with this agent or team (else
/// "not found"). A confirmation is remembered for a while (see `server::ownership`).
#[cfg(feature = "ssr")]
pub(crate) async fn owned_session(
    state: &crate::server::state::AppState,
    kind: ComponentKind,
    component_id: &str,
    session_id: &str,
    user_id: &str,
) -> Result<(), ApiError> {
    match session_owner(state, kind, component_id, session_id, user_id).await? {
        Owner::Caller => Ok(()),
        Owner::Missing | Owner::Other => Err(ApiError::NotFound(
            "That conversation was not found.".into(),
        )),
    }
}

/// Whose a session is, as far as the caller may know.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// The caller's, with this agent or team.
    Caller,
    /// AgentOS has no such session (deleted, or AgentOS's store was reset).
    Missing,
    /// Someone else's, or with another agent or team.
    Other,
}

#[cfg(feature = "ssr")]
pub(crate) async fn session_owner(
    state: &crate::server::state::AppState,
    kind: ComponentKind,
    component_id: &str,
    session_id: &str,
    user_id: &str,
) -> Result<Owner, ApiError> {
    check_id(component_id)?;
    check_id(session_id)?;
    let key =
        crate::server::history_cache::HistoryKey::new(user_id, kind, component_id, session_id);
    if state.owners.confirmed(&key) {
        return Ok(Owner::Caller);
    }
    let record = match state.agentos.get_session(kind, session_id, user_id).await {
        Ok(r) => r,
        Err(crate::agentos::AgentOsError::Status { status: 404, .. }) => return Ok(Owner::Missing),
        Err(e) => return Err(e.into()),
    };
    let component = match kind {
        ComponentKind::Agent => record.agent_id.as_deref(),
        ComponentKind::Team => record.team_id.as_deref(),
    };
    if record.user_id.as_deref() != Some(user_id) || component != Some(component_id) {
        tracing::warn!(%session_id, "session access refused: not the caller's");
        return Ok(Owner::Other);
    }
    state.owners.remember(key);
    Ok(Owner::Caller)
}

/// One run of one of the caller's sessions, as AgentOS stores it (raw JSON, read by
/// `chat::hitl`): a run id from the browser is only trusted once it is found in a session
/// that is the caller's. AgentOS looks the run up inside that session, so another
/// session's run, or another user's, is "not found".
#[cfg(feature = "ssr")]
pub(crate) async fn owned_run(
    state: &crate::server::state::AppState,
    kind: ComponentKind,
    component_id: &str,
    session_id: &str,
    run_id: &str,
    user_id: &str,
) -> Result<serde_json::Value, ApiError> {
    let not_found = || ApiError::NotFound("That answer was not found.".into());
    if !crate::chat::validate::is_valid_id(run_id) {
        return Err(not_found());
    }
    owned_session(state, kind, component_id, session_id, user_id).await?;
    let run = match state
        .agentos
        .get_run(kind, component_id, run_id, session_id, user_id)
        .await
    {
        Ok(r) => r,
        Err(crate::agentos::AgentOsError::Status { status: 404, .. }) => {
            tracing::warn!(%run_id, "run access refused: not in the caller's session");
            return Err(not_found());
        }
        Err(e) => return Err(e.into()),
    };
    let field = |name: &str| run.get(name).and_then(|v| v.as_str());
    // Defence in depth: whatever AgentOS returns must be that run of that session.
    if field("run_id").is_some_and(|r| r != run_id)
        || field("session_id").is_some_and(|s| s != session_id)
    {
        tracing::warn!(%run_id, "run access refused: AgentOS answered with another run");
        return Err(not_found());
    }
    Ok(run)
}
