//! What every new message goes through before its run starts, with or without files: the
//! text is cleaned and checked (length, blocked wording), the agent must be in the
//! caller's roles, a named conversation must be the caller's, and a stream slot must be
//! free. The refusals are for people and arrive in-band, as a `failed` event.

use std::sync::Arc;

use super::limits::StreamPermit;
use super::ownership::Owner;
use super::policy::Access;
use super::state::AppState;
use crate::agentos::RunRequest;
use crate::chat::event::FailureKind;
use crate::error::ApiError;
use crate::model::ChatRequest;

/// Why a message was not sent.
pub enum NotSent {
    /// Refused before anything ran: said in-band, as a `failed` event.
    Refused(FailureKind, String),
    /// The agent is outside the caller's roles (403).
    Forbidden(ApiError),
}

/// The text of a message (new or edited) as it is sent: cleaned, within the length
/// limit, and free of the wording the configuration blocks; or why not.
pub fn checked_text(state: &AppState, user: &str, text: &str) -> Result<String, String> {
    let message = crate::chat::validate::clean_message(text, state.config.max_input_chars)
        .map_err(|e| e.to_string())?;
    if let Some(patterns) = &state.config.protection.blocked_patterns {
        let hits = patterns.matches(&message);
        if hits.matched_any() {
            tracing::warn!(
                user = %super::user::log_id(user),
                patterns = ?hits.iter().map(|i| i + 1).collect::<Vec<_>>(),
                "message matched blocked patterns"
            );
            return Err(
                "This message was not sent: it contains wording this chat does not accept \
                 (such as asking the assistant to ignore its instructions). Please rephrase it."
                    .into(),
            );
        }
    }
    Ok(message)
}

/// Checks `req` for `user` and takes a stream slot for the run to come.
pub async fn prepare(
    state: &AppState,
    user: &str,
    limit_key: &str,
    access: &Arc<Access>,
    req: &ChatRequest,
) -> Result<(RunRequest, StreamPermit), NotSent> {
    super::caller::require(access, req.kind, req.assistant_id.as_str())
        .map_err(NotSent::Forbidden)?;
    let refuse = |m: String| NotSent::Refused(FailureKind::Invalid, m);
    let message = checked_text(state, user, &req.message).map_err(refuse)?;
    if let Some(session) = &req.session_id {
        // A supplied conversation must be the caller's. One AgentOS does not have (its
        // store was reset) is started afresh for the caller, as AgentOS does, so that a
        // conversation on screen can go on.
        match state
            .ownership()
            .session_owner(req.kind, &req.assistant_id, session, user)
            .await
        {
            Ok(Owner::Caller | Owner::Missing) => {}
            Ok(Owner::Other) | Err(ApiError::NotFound(_)) => {
                return Err(refuse(
                    "That conversation was not found. Start a new chat.".into(),
                ))
            }
            Err(e) => return Err(NotSent::Refused(FailureKind::Connect, e.to_string())),
        }
    }
    let permit = state
        .streams
        .acquire(limit_key)
        .await
        .map_err(|why| NotSent::Refused(FailureKind::RateLimited, why.message()))?;
    let run = RunRequest {
        kind: req.kind,
        assistant_id: req.assistant_id.as_str().to_owned(),
        message,
        user_id: user.to_owned(),
        session_id: req.session_id.as_ref().map(|s| s.as_str().to_owned()),
        // Only a run id (or nothing) is recorded: it places the turn, nothing more.
        follows: req
            .follows
            .clone()
            .filter(|f| f.is_empty() || crate::model::RunId::new(f.clone()).is_ok()),
        trace: None,
        // Background runs survive a closed tab or a dropped connection and can be resumed.
        background: true,
    };
    Ok((run, permit))
}
