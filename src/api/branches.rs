//! Another version of one of the caller's turns: its answer regenerated, or its question
//! edited (a fork of the run from its question). AgentOS makes the version a run of its
//! own, streamed like any answer; the browser keeps the versions as a tree (see
//! `chat::branches`).

use leptos::prelude::*;
use leptos::server_fn::codec::{ByteStream, Json, Streaming};
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::model::{AssistantId, AssistantKind, RunId, SessionId};
#[cfg(feature = "ssr")]
use crate::server::caller::Caller;

/// Which turn gets another version, and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BranchRequest {
    pub kind: AssistantKind,
    pub assistant_id: AssistantId,
    pub session_id: SessionId,
    /// The run of the version shown.
    pub run_id: RunId,
    /// The edited question; `None` regenerates the answer.
    pub edit: Option<String>,
}

/// Streams another version of one of the caller's turns, like `send_message`. Refusals
/// (not the caller's, not finished, a text the chat does not accept) come before any
/// run starts.
#[server(prefix = "/api", endpoint = "chat/branch", input = Json, output = Streaming)]
pub async fn branch_run(req: BranchRequest) -> Result<ByteStream<ApiError>, ApiError> {
    use crate::server::history_cache::HistoryKey;

    let caller = Caller::get().await?;
    caller.may_use(req.kind, req.assistant_id.as_str())?;
    let Caller {
        state,
        user,
        limit_key,
        access,
    } = caller;
    let edit = match &req.edit {
        Some(text) => Some(
            crate::server::sending::checked_text(&state, &user.0, text)
                .map_err(ApiError::Invalid)?,
        ),
        None => None,
    };
    // The run must be one of the caller's session's (AgentOS would take any user's).
    let run = state
        .ownership()
        .owned_run(
            req.kind,
            &req.assistant_id,
            &req.session_id,
            &req.run_id,
            &user.0,
        )
        .await?;
    let fields = crate::chat::branches::continue_fields(&run, edit.as_deref())
        .map_err(|why| ApiError::Invalid(why.into()))?;
    let permit = super::chat::stream_slot(&state, &limit_key).await?;
    tracing::info!(
        run_id = %req.run_id,
        edited = edit.is_some(),
        "another version of an answer asked for"
    );
    // A regenerated run is marked in place, which a copy brought up to date by the
    // newest runs alone would not see.
    state
        .history_changed(&HistoryKey::new(
            &user.0,
            req.kind,
            &req.assistant_id,
            &req.session_id,
        ))
        .await;
    let continuation = super::chat::Continuation {
        kind: req.kind,
        assistant_id: req.assistant_id,
        session_id: req.session_id,
        run_id: req.run_id,
        fields,
    };
    Ok(continuation.stream(&state, user.0, permit, &access))
}
