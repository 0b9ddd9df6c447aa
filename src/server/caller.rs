//! Who is calling a server function: the user the request was bound to (see `identity`)
//! and whom its limits count against. Every server function reads the caller from here.

use super::user::{LimitKey, UserId};
use crate::error::ApiError;
use crate::server::state::AppState;

/// Who calls a server function, and the server's state to answer with: every server
/// function that acts for a user starts with `let caller = Caller::get().await?`.
#[derive(Clone)]
pub struct Caller {
    pub state: AppState,
    pub user: UserId,
}

impl Caller {
    pub async fn get() -> Result<Self, ApiError> {
        Ok(Self {
            state: crate::server::state::app_state()?,
            user: current_user().await?,
        })
    }

    /// Whom this request's limits count against (see [`LimitKey`]).
    pub async fn limit_key(&self) -> Result<String, ApiError> {
        current_limit_key().await
    }
}

/// Whom the current request's limits count against (see [`LimitKey`]).
pub async fn current_limit_key() -> Result<String, ApiError> {
    if let Ok(axum::Extension(k)) = leptos_axum::extract::<axum::Extension<LimitKey>>().await {
        return Ok(k.0);
    }
    current_user().await.map(|u| u.0)
}

/// The current user inside a server function.
pub async fn current_user() -> Result<UserId, ApiError> {
    leptos_axum::extract::<axum::Extension<UserId>>()
        .await
        .map(|axum::Extension(u)| u)
        .map_err(|_| ApiError::Internal("no user identity on this request".into()))
}
