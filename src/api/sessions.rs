//! The user's conversations. Every call is bound to the server-side identity: a session
//! that is not the caller's (or not with this agent/team) is "not found", exactly like one
//! that does not exist.

use leptos::prelude::*;

use super::{ApiError, Deferred, DeferredJson};
use crate::chat::history::SessionHistory;
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

/// The whole history of one of the caller's sessions, rebuilt through the live reducer.
/// The browser decodes it where it is shown (see [`Deferred`]).
#[server(prefix = "/api", endpoint = "sessions/history", output = DeferredJson)]
pub async fn load_session(
    kind: ComponentKind,
    component_id: String,
    session_id: String,
) -> Result<Deferred<SessionHistory>, ApiError> {
    let (state, user) = context().await?;
    check_id(&component_id)?;
    check_id(&session_id)?;
    let mut timing = crate::server::telemetry::server_timing::ServerTiming::start();
    use crate::server::history_cache::{merge, DatedTurn, HistoryKey, Plan};
    let key = HistoryKey {
        user: user.0.clone(),
        kind,
        component: component_id.clone(),
        session: session_id.clone(),
    };
    // A copy of this conversation kept from an earlier opening needs only the runs
    // created since (see `history_cache`); otherwise every run is asked for.
    let plan = state.histories.plan(&key);
    let since = match &plan {
        Plan::Since { since, .. } => Some(*since),
        Plan::Full => None,
    };
    // One AgentOS call: it lists a session's runs only to their owner (404 otherwise), and
    // the runs name their user and agent or team, which must be the caller's. Only when
    // the runs cannot tell (an empty session) is the session itself asked, as for the
    // other calls; asking it first would double the wait (it returns the whole chat
    // history too).
    let runs = match state
        .agentos
        .session_runs(kind, &session_id, &user.0, since)
        .await
    {
        Ok(runs) => runs,
        Err(crate::agentos::AgentOsError::Status { status: 404, .. }) => {
            state.histories.forget(&key);
            return Err(ApiError::NotFound(
                "That conversation was not found.".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    timing.phase(
        "agentos",
        if since.is_some() {
            "AgentOS, the runs since the copy"
        } else {
            "AgentOS"
        },
    );
    match crate::chat::history::runs_owned_by(&runs, kind, &component_id, &user.0) {
        Some(true) => {}
        Some(false) => {
            state.histories.forget(&key);
            tracing::warn!(%session_id, "session access refused: not the caller's");
            return Err(ApiError::NotFound(
                "That conversation was not found.".into(),
            ));
        }
        // No run since the copy was made: its owner was proven when it was made (and
        // AgentOS answered this user_id's listing, not a 404).
        None if since.is_some() => {}
        None => {
            owned_session(&state, kind, &component_id, &session_id, &user.0).await?;
        }
    }
    let newer: Vec<DatedTurn> = crate::chat::history::dated_turns_from_runs(&runs)
        .into_iter()
        .map(|(created_at, turn)| DatedTurn { created_at, turn })
        .collect();
    let dated = std::sync::Arc::new(match plan {
        Plan::Since { copy, since } => merge(&copy, newer, since),
        Plan::Full => newer,
    });
    let turns: Vec<crate::chat::history::HistoryTurn> =
        dated.iter().map(|t| t.turn.clone()).collect();
    state.histories.store(key, dated, since.is_none());
    metrics::counter!(
        "agno_chat_history_loads_total",
        "source" => if since.is_some() { "newest" } else { "full" }
    )
    .increment(1);
    metrics::gauge!("agno_chat_history_cache_bytes").set(state.histories.size().1 as f64);
    // The code in the newest turns comes highlighted: opening the conversation shows it
    // at once, without a request per block after the first render.
    let blocks = crate::chat::history::newest_code_blocks(&turns, HIGHLIGHT_NEWEST_TURNS, 48);
    let highlighted = if blocks.is_empty() {
        Vec::new()
    } else {
        tokio::task::spawn_blocking(move || {
            blocks
                .into_iter()
                .filter_map(|(lang, code)| {
                    let html = crate::server::highlight::highlight(&lang, &code)?;
                    Some(crate::chat::history::HighlightedCode { lang, code, html })
                })
                .collect()
        })
        .await
        .unwrap_or_default()
    };
    timing.phase("rebuild", "agno-chat");
    timing.send();
    Ok(Deferred::new(SessionHistory { turns, highlighted }))
}

/// How many of the newest turns of an opened conversation get their code highlighted in
/// the same answer (more than fill a tall window).
#[cfg(feature = "ssr")]
const HIGHLIGHT_NEWEST_TURNS: usize = 24;

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
    tracing::info!(%session_id, "session deleted by its user");
    Ok(())
}

#[cfg(feature = "ssr")]
async fn context() -> Result<
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
fn check_id(id: &str) -> Result<(), ApiError> {
    if crate::chat::validate::is_valid_id(id) {
        Ok(())
    } else {
        Err(ApiError::NotFound(
            "That conversation was not found.".into(),
        ))
    }
}

/// The session, if it exists, belongs to `user_id` and is with this agent or team.
#[cfg(feature = "ssr")]
pub(crate) async fn owned_session(
    state: &crate::server::state::AppState,
    kind: ComponentKind,
    component_id: &str,
    session_id: &str,
    user_id: &str,
) -> Result<crate::agentos::types::SessionRecord, ApiError> {
    check_id(component_id)?;
    check_id(session_id)?;
    let not_found = || ApiError::NotFound("That conversation was not found.".into());
    let record = match state.agentos.get_session(kind, session_id, user_id).await {
        Ok(r) => r,
        Err(crate::agentos::AgentOsError::Status { status: 404, .. }) => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    let component = match kind {
        ComponentKind::Agent => record.agent_id.as_deref(),
        ComponentKind::Team => record.team_id.as_deref(),
    };
    if record.user_id.as_deref() != Some(user_id) || component != Some(component_id) {
        tracing::warn!(%session_id, "session access refused: not the caller's");
        return Err(not_found());
    }
    Ok(record)
}
