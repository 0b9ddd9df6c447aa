//! Who is calling a server function: the user the request was bound to (see `identity`)
//! and whom its limits count against. Every server function reads the caller from here.

use super::user::{LimitKey, UserId};
use crate::error::ApiError;
use crate::server::state::AppState;

/// Who calls a server function, and the server's state to answer with: every server
/// function that acts for a user starts with `Caller::get().await?`.
pub struct Caller {
    pub state: AppState,
    pub user: UserId,
    /// Whom this request's limits count against (see [`LimitKey`]).
    pub limit_key: String,
}

impl Caller {
    pub async fn get() -> Result<Self, ApiError> {
        let user = current_user().await?;
        let limit_key = match leptos_axum::extract::<axum::Extension<LimitKey>>().await {
            Ok(axum::Extension(k)) => k.0,
            Err(_) => user.0.clone(),
        };
        Ok(Self {
            state: crate::server::state::app_state()?,
            user,
            limit_key,
        })
    }
}

/// The current user inside a server function.
pub async fn current_user() -> Result<UserId, ApiError> {
    leptos_axum::extract::<axum::Extension<UserId>>()
        .await
        .map(|axum::Extension(u)| u)
        .map_err(|_| ApiError::Internal("no user identity on this request".into()))
}
