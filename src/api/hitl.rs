use leptos::prelude::*;
use leptos::server_fn::codec::{ByteStream, Json, Streaming};
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::chat::hitl::{Decision, PausedTool};
use crate::model::ComponentKind;

/// The person's (and the browser's) decisions for a paused answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContinueRequest {
    pub kind: ComponentKind,
    pub component_id: String,
    pub session_id: String,
    pub run_id: String,
    pub decisions: Vec<Decision>,
}

/// What one of the caller's paused answers waits for, as AgentOS stores it now.
#[server(prefix = "/api", endpoint = "hitl/pending")]
pub async fn pending_decisions(
    kind: ComponentKind,
    component_id: String,
    session_id: String,
    run_id: String,
) -> Result<Vec<PausedTool>, ApiError> {
    let (_, run) = paused_context(kind, &component_id, &session_id, &run_id).await?;
    Ok(crate::chat::hitl::paused_tools(&run))
}

/// Continues one of the caller's paused answers with the decisions, streaming the rest of
/// the answer like `send_message`. The decisions are applied to the tool entries fetched
/// from AgentOS here, so only the decisions come from the browser.
#[server(prefix = "/api", endpoint = "hitl/continue", input = Json, output = Streaming)]
pub async fn continue_run(req: ContinueRequest) -> Result<ByteStream<ApiError>, ApiError> {
    use crate::agentos::RunRequest;
    use crate::server::proxy::{proxy_resume, Resume, StreamTimeouts};

    let ((state, user), run) =
        paused_context(req.kind, &req.component_id, &req.session_id, &req.run_id).await?;
    if run.get("status").and_then(|s| s.as_str()) != Some("PAUSED") {
        return Err(ApiError::Invalid(
            "This answer is not waiting for a decision any more.".into(),
        ));
    }
    let (field, payload) =
        crate::chat::hitl::continue_payload(&run, &req.decisions, req.kind == ComponentKind::Team)
            .map_err(|e| ApiError::Invalid(format!("The decision could not be sent: {e}.")))?;
    let limit_key = crate::server::caller::current_limit_key().await?;
    let permit = state
        .streams
        .acquire(&limit_key)
        .map_err(|why| ApiError::RateLimited {
            retry_after_s: 2,
            message: why.message(),
        })?;
    tracing::info!(
        run_id = %req.run_id,
        decisions = req.decisions.len(),
        "paused run continued by its user"
    );
    let run_req = RunRequest {
        kind: req.kind,
        component_id: req.component_id,
        message: String::new(),
        user_id: user,
        session_id: Some(req.session_id.clone()),
        background: false,
    };
    let resume = Resume {
        run_id: req.run_id,
        session_id: req.session_id,
        last_event_index: None,
        continue_with: Some((field, payload)),
    };
    let timeouts = StreamTimeouts::from_config(&state.config);
    super::chat::no_buffering_headers();
    let stream = proxy_resume(
        state.agentos.clone(),
        run_req,
        resume,
        timeouts,
        state.runs.clone(),
    );
    Ok(super::chat::held(stream, permit))
}

/// Checks that human-in-the-loop is on and that the run is one of the caller's session's;
/// returns the state, the caller and the run as AgentOS stores it.
#[cfg(feature = "ssr")]
async fn paused_context(
    kind: ComponentKind,
    component_id: &str,
    session_id: &str,
    run_id: &str,
) -> Result<((crate::server::state::AppState, String), serde_json::Value), ApiError> {
    let state = crate::server::state::app_state()?;
    let user = crate::server::caller::current_user().await?;
    if !state.config.hitl_enabled {
        return Err(ApiError::Forbidden(
            "Answering paused runs is switched off in this chat.".into(),
        ));
    }
    let run = state
        .ownership()
        .owned_run(kind, component_id, session_id, run_id, &user.0)
        .await?;
    Ok(((state, user.0), run))
}
