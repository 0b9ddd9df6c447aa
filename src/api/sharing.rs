//! Sharing one of the caller's conversations read-only: a link to the answers on screen
//! when it is shared (a snapshot: later messages are not shown until it is shared again),
//! and taking the link back. The share is kept in the conversation's annotations (see
//! `chat::annotations`); the link is sealed by the server (see `server::sharing`), and the
//! page behind it is the server's (`server::sharing::page`).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::chat::annotations::Feedback;
use crate::model::{ConversationRef, RunId};
#[cfg(feature = "ssr")]
use crate::server::caller::Caller;

/// A live share of a conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShareLink {
    /// The page's path (`/share/…`); the browser puts its own origin before it.
    pub path: String,
    /// Seconds since the epoch.
    pub shared_at: i64,
    /// How many answers it shows.
    pub answers: u32,
}

/// What the owner sees of a conversation's annotations.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConversationNotes {
    pub share: Option<ShareLink>,
    /// The feedback on its answers, by run id.
    pub feedback: Vec<(RunId, Feedback)>,
}

/// The share link and the feedback of one of the caller's conversations.
#[server(prefix = "/api", endpoint = "chat/notes", input = Json, output = Json)]
pub async fn load_notes(at: ConversationRef) -> Result<ConversationNotes, ApiError> {
    let (state, place) = owner(&at).await?;
    let notes = state.annotations.read(&place).await?;
    Ok(ConversationNotes {
        share: notes.share.as_ref().map(|s| link(&state, &place, s)),
        feedback: notes
            .feedback
            .into_iter()
            .filter_map(|(run, f)| Some((RunId::new(run).ok()?, f)))
            .collect(),
    })
}

/// Shares the conversation as it is on screen (the answers `run_ids`, in order). Shared
/// again, the same link shows what is on screen now.
#[server(prefix = "/api", endpoint = "chat/share", input = Json, output = Json)]
pub async fn share_conversation(
    at: ConversationRef,
    run_ids: Vec<RunId>,
) -> Result<ShareLink, ApiError> {
    use crate::chat::annotations::{Share, MAX_SHARED_RUNS};

    if run_ids.is_empty() {
        return Err(ApiError::Invalid(
            "There is nothing to share yet: no answer has finished.".into(),
        ));
    }
    if run_ids.len() > MAX_SHARED_RUNS {
        return Err(ApiError::Invalid(format!(
            "At most {MAX_SHARED_RUNS} answers can be shared."
        )));
    }
    let (state, place) = owner(&at).await?;
    let runs: Vec<String> = run_ids.into_iter().map(String::from).collect();
    let now = now_secs();
    let (share, action) = state
        .annotations
        .update(&place, |notes| {
            let action = if notes.share.is_some() {
                "updated"
            } else {
                "created"
            };
            let id = notes
                .share
                .take()
                .map(|s| s.id)
                .unwrap_or_else(crate::server::sharing::new_share_id);
            let share = Share {
                id,
                created_at: now,
                runs,
            };
            notes.share = Some(share.clone());
            Ok((share, action))
        })
        .await?;
    crate::server::telemetry::metrics::share(action);
    tracing::info!(session_id = %place.session_id, answers = share.runs.len(), action, "conversation shared");
    Ok(link(&state, &place, &share))
}

/// Takes the conversation's link back: it is "not found" from now on.
#[server(prefix = "/api", endpoint = "chat/unshare", input = Json, output = Json)]
pub async fn stop_sharing(at: ConversationRef) -> Result<(), ApiError> {
    let (state, place) = owner(&at).await?;
    let had = state
        .annotations
        .update(&place, |notes| Ok(notes.share.take().is_some()))
        .await?;
    if had {
        crate::server::telemetry::metrics::share("revoked");
        tracing::info!(session_id = %place.session_id, "conversation no longer shared");
    }
    Ok(())
}

/// The caller's state and their conversation `at` (whose ownership the annotations'
/// reads and writes check).
#[cfg(feature = "ssr")]
pub(super) async fn owner(
    at: &ConversationRef,
) -> Result<
    (
        crate::server::state::AppState,
        crate::server::annotations::Place,
    ),
    ApiError,
> {
    let caller = Caller::get().await?;
    caller.may_use(at.kind, at.assistant_id.as_str())?;
    let Caller { state, user, .. } = caller;
    let place = crate::server::annotations::Place {
        kind: at.kind,
        assistant_id: at.assistant_id.clone(),
        session_id: at.session_id.clone(),
        user_id: user.0,
    };
    Ok((state, place))
}

#[cfg(feature = "ssr")]
fn link(
    state: &crate::server::state::AppState,
    place: &crate::server::annotations::Place,
    share: &crate::chat::annotations::Share,
) -> ShareLink {
    let token = state.shares.seal(&crate::server::sharing::Sealed {
        owner: place.user_id.clone(),
        kind: place.kind,
        assistant_id: place.assistant_id.clone(),
        session_id: place.session_id.clone(),
        share_id: share.id.clone(),
    });
    ShareLink {
        path: format!("{}{token}", crate::server::sharing::SHARE_PREFIX),
        shared_at: share.created_at,
        answers: share.runs.len() as u32,
    }
}

#[cfg(feature = "ssr")]
pub(super) fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
