//! Who is calling a server function: the user the request was bound to (see `identity`)
//! and whom its limits count against. Every server function reads the caller from here.

use std::sync::Arc;

use super::policy::Access;
use super::user::{LimitKey, UserId};
use crate::error::ApiError;
use crate::model::AssistantKind;
use crate::server::state::AppState;

/// Who calls a server function, and the server's state to answer with: every server
/// function that acts for a user starts with `Caller::get().await?`.
pub struct Caller {
    pub state: AppState,
    pub user: UserId,
    /// Whom this request's limits count against (see [`LimitKey`]).
    pub limit_key: String,
    /// What the roles policy lets the caller use.
    pub access: Arc<Access>,
}

impl Caller {
    pub async fn get() -> Result<Self, ApiError> {
        let user = current_user().await?;
        let limit_key = match leptos_axum::extract::<axum::Extension<LimitKey>>().await {
            Ok(axum::Extension(k)) => k.0,
            Err(_) => user.0.clone(),
        };
        let access = leptos_axum::extract::<axum::Extension<Arc<Access>>>()
            .await
            .map(|axum::Extension(a)| a)
            .map_err(|_| ApiError::Internal("no access on this request".into()))?;
        let state = crate::server::state::app_state()?;
        // AgentOS enforces the same rule: the caller's tokens carry only their scopes.
        let credentials = state.agentos.credentials();
        if let Some(base) = credentials.base_scopes().filter(|_| access.is_restricted()) {
            credentials.set_user_scopes(&user.0, access.agentos_scopes(base));
        }
        Ok(Self {
            state,
            user,
            limit_key,
            access,
        })
    }

    /// Refuses an agent or team the caller's roles do not include (see [`require`]).
    pub fn may_use(&self, kind: AssistantKind, id: &str) -> Result<(), ApiError> {
        require(&self.access, kind, id)
    }
}

/// Refuses an agent or team outside `access` (403, logged and counted): the one refusal
/// every server function and endpoint that names an assistant gives.
pub fn require(access: &Access, kind: AssistantKind, id: &str) -> Result<(), ApiError> {
    if access.may_use(kind, id) {
        return Ok(());
    }
    tracing::info!(assistant = id, "refused: not in the caller's roles");
    super::telemetry::metrics::forbidden_assistant();
    Err(ApiError::Forbidden(
        "Your role does not include this agent or team.".into(),
    ))
}

/// The current user inside a server function.
pub async fn current_user() -> Result<UserId, ApiError> {
    leptos_axum::extract::<axum::Extension<UserId>>()
        .await
        .map(|axum::Extension(u)| u)
        .map_err(|_| ApiError::Internal("no user identity on this request".into()))
}
