use leptos::prelude::*;
use leptos::server_fn::codec::{ByteStream, Json, Streaming};
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::chat::hitl::{Decision, PausedTool};
use crate::model::{AssistantId, AssistantKind, RunId, SessionId};
#[cfg(feature = "ssr")]
use crate::server::caller::Caller;

/// The person's (and the browser's) decisions for a paused answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContinueRequest {
    pub kind: AssistantKind,
    pub assistant_id: AssistantId,
    pub session_id: SessionId,
    pub run_id: RunId,
    pub decisions: Vec<Decision>,
}

/// What one of the caller's paused answers waits for, as AgentOS stores it now.
#[server(prefix = "/api", endpoint = "hitl/pending")]
pub async fn pending_decisions(
    kind: AssistantKind,
    assistant_id: AssistantId,
    session_id: SessionId,
    run_id: RunId,
) -> Result<Vec<PausedTool>, ApiError> {
    let (_, run) = paused_context(kind, &assistant_id, &session_id, &run_id).await?;
    Ok(crate::chat::hitl::paused_tools(&run))
}

/// Continues one of the caller's paused answers with the decisions, streaming the rest of
/// the answer like `send_message`. The decisions are applied to the tool entries fetched
/// from AgentOS here, so only the decisions come from the browser.
#[server(prefix = "/api", endpoint = "hitl/continue", input = Json, output = Streaming)]
pub async fn continue_run(req: ContinueRequest) -> Result<ByteStream<ApiError>, ApiError> {
    let (caller, run) =
        paused_context(req.kind, &req.assistant_id, &req.session_id, &req.run_id).await?;
    let Caller {
        state,
        user,
        limit_key,
        access,
    } = caller;
    if run.get("status").and_then(|s| s.as_str()) != Some("PAUSED") {
        return Err(ApiError::Invalid(
            "This answer is not waiting for a decision any more.".into(),
        ));
    }
    let (field, payload) =
        crate::chat::hitl::continue_payload(&run, &req.decisions, req.kind == AssistantKind::Team)
            .map_err(|e| ApiError::Invalid(format!("The decision could not be sent: {e}.")))?;
    let permit = super::chat::stream_slot(&state, &limit_key).await?;
    tracing::info!(
        run_id = %req.run_id,
        decisions = req.decisions.len(),
        "paused run continued by its user"
    );
    let continuation = super::chat::Continuation {
        kind: req.kind,
        assistant_id: req.assistant_id,
        session_id: req.session_id,
        run_id: req.run_id,
        fields: vec![(field, payload)],
    };
    Ok(continuation.stream(&state, user.0, permit, &access))
}

/// Checks that human-in-the-loop is on and that the run is one of the caller's session's;
/// returns the state, the caller and the run as AgentOS stores it.
#[cfg(feature = "ssr")]
async fn paused_context(
    kind: AssistantKind,
    assistant_id: &AssistantId,
    session_id: &SessionId,
    run_id: &RunId,
) -> Result<(Caller, serde_json::Value), ApiError> {
    let caller = Caller::get().await?;
    caller.may_use(kind, assistant_id.as_str())?;
    if !caller.state.config.hitl_enabled {
        return Err(ApiError::Forbidden(
            "Answering paused runs is switched off in this chat.".into(),
        ));
    }
    let run = caller
        .state
        .ownership()
        .owned_run(kind, assistant_id, session_id, run_id, &caller.user.0)
        .await?;
    Ok((caller, run))
}
