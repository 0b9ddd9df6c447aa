//! Opening one of the caller's conversations: its whole history, rebuilt through the live
//! reducer, from the server's copy of it where one is kept (see `server::history_cache`).
//! Like every call on sessions, it is bound to the server-side identity: a session that
//! is not the caller's is "not found".

use leptos::prelude::*;

use super::{ApiError, Deferred, DeferredJson};
use crate::chat::history::SessionHistory;
use crate::model::{AssistantId, AssistantKind, SessionId};
#[cfg(feature = "ssr")]
use crate::server::{caller::Caller, history_cache::HistoryKey};

/// The whole history of one of the caller's sessions, from the server's copy brought up
/// to date where one is kept. The browser decodes it where it is shown (see [`Deferred`]).
#[server(prefix = "/api", endpoint = "sessions/history", output = DeferredJson)]
pub async fn load_session(
    kind: AssistantKind,
    assistant_id: AssistantId,
    session_id: SessionId,
) -> Result<Deferred<SessionHistory>, ApiError> {
    use crate::server::history_cache::Plan;
    let caller = Caller::get().await?;
    caller.may_use(kind, assistant_id.as_str())?;
    let Caller { state, user, .. } = caller;
    let key = HistoryKey::new(&user.0, kind, &assistant_id, &session_id);
    let mut timing = crate::server::telemetry::server_timing::ServerTiming::start();
    let plan = state.history_plan(&key).await;
    let copy = match &plan {
        Plan::Since { copy, .. } => Some(copy.clone()),
        Plan::Full => None,
    };
    let history = match brought_up_to_date(&state, key.clone(), plan, &mut timing).await {
        Ok((turns, version)) => answer(&state, &key, &turns, version).await,
        // AgentOS is away: the conversation as the server last saw it beats none, and the
        // page says that newer messages could not be looked for.
        Err(ApiError::Unavailable(why) | ApiError::Transport(why)) if copy.is_some() => {
            tracing::warn!(session_id = %key.session, %why, "history shown from the server's copy");
            count_load("stale");
            let copy = copy.unwrap_or_default();
            SessionHistory {
                stale: true,
                ..answer(&state, &key, &copy, None).await
            }
        }
        Err(e) => return Err(e),
    };
    timing.phase("rebuild", "agno-chat");
    timing.send();
    Ok(Deferred::new(history))
}

#[cfg(feature = "ssr")]
fn count_load(source: &'static str) {
    metrics::counter!("agno_chat_history_loads_total", "source" => source).increment(1);
}

/// Asks AgentOS for the conversation's runs as `plan` says (all of them, or those since
/// the copy), checks they are the caller's, and keeps the result as the new copy. Returns
/// the turns, and the copy's version (`None` when it was not kept).
#[cfg(feature = "ssr")]
pub(super) async fn brought_up_to_date(
    state: &crate::server::state::AppState,
    key: crate::server::history_cache::HistoryKey,
    plan: crate::server::history_cache::Plan,
    timing: &mut crate::server::telemetry::server_timing::ServerTiming,
) -> Result<
    (
        std::sync::Arc<Vec<crate::server::history_cache::DatedTurn>>,
        Option<u64>,
    ),
    ApiError,
> {
    use crate::server::history_cache::{merge, DatedTurn, Plan};
    let not_found = || ApiError::NotFound("That conversation was not found.".into());
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
        .session_runs(key.kind, &key.session, &key.user, since)
        .await
    {
        Ok(runs) => runs,
        Err(crate::agentos::AgentOsError::Status { status: 404, .. }) => {
            state.histories.forget(&key);
            return Err(not_found());
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
    match crate::chat::history::runs_owned_by(&runs, key.kind, &key.assistant, &key.user) {
        // Sending into it next need not ask AgentOS whose it is.
        Some(true) => state.owners.remember(key.clone()),
        Some(false) => {
            state.histories.forget(&key);
            tracing::warn!(session_id = %key.session, "session access refused: not the caller's");
            return Err(not_found());
        }
        // No run since the copy was made: its owner was proven when it was made (and
        // AgentOS answered this user_id's listing, not a 404).
        None if since.is_some() => {}
        None => {
            state
                .ownership()
                .owned_session(key.kind, &key.assistant, &key.session, &key.user)
                .await?;
        }
    }
    let newer: Vec<DatedTurn> = crate::chat::history::dated_turns_from_runs(&runs)
        .into_iter()
        .map(|(created_at, mut turn)| {
            turn.locate_media(key.kind, key.assistant.as_str(), key.session.as_str());
            DatedTurn { created_at, turn }
        })
        .collect();
    let turns = std::sync::Arc::new(match plan {
        Plan::Since { copy, since } => merge(&copy, newer, since),
        Plan::Full => newer,
    });
    let version = state.histories.store(key, turns.clone(), since.is_none());
    count_load(if since.is_some() { "newest" } else { "full" });
    metrics::gauge!("agno_chat_history_cache_bytes").set(state.histories.size().1 as f64);
    Ok((turns, version))
}

/// The history the browser is sent: the turns, and the code in the newest ones
/// highlighted, so that opening the conversation shows it at once, without a request per
/// block after the first render. The highlighting is kept with the copy's `version`
/// (tens of milliseconds on a busy machine), for the next opening.
#[cfg(feature = "ssr")]
async fn answer(
    state: &crate::server::state::AppState,
    key: &crate::server::history_cache::HistoryKey,
    dated: &[crate::server::history_cache::DatedTurn],
    version: Option<u64>,
) -> SessionHistory {
    let turns: Vec<crate::chat::history::HistoryTurn> =
        dated.iter().map(|t| t.turn.clone()).collect();
    let kept = version.and_then(|v| state.histories.highlighted(key, v));
    let highlighted = match kept {
        Some(kept) => kept.as_ref().clone(),
        None => {
            let blocks =
                crate::chat::history::newest_code_blocks(&turns, HIGHLIGHT_NEWEST_TURNS, 48);
            let highlighted: Vec<_> = if blocks.is_empty() {
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
            if let Some(v) = version {
                state
                    .histories
                    .keep_highlighted(key, v, std::sync::Arc::new(highlighted.clone()));
            }
            highlighted
        }
    };
    SessionHistory {
        turns,
        highlighted,
        stale: false,
    }
}

/// How many of the newest turns of an opened conversation get their code highlighted in
/// the same answer (more than fill a tall window).
#[cfg(feature = "ssr")]
const HIGHLIGHT_NEWEST_TURNS: usize = 24;
