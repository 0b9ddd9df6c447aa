//! Who is calling: the user a request was bound to (see `identity`), whom its limits
//! count against, and how either is named in logs. Every server function reads the
//! caller from here.

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

/// The current user's id (opaque, stable while the cookie lives).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserId(pub String);

/// Whom per-user limits (rates, streams) count against: the user, when the request proved
/// an identity (a signed cookie, or a trusted proxy's header); otherwise the client's
/// address, so that leaving the cookie out does not buy a fresh set of limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitKey(pub String);

impl LimitKey {
    pub fn for_address(ip: Option<std::net::IpAddr>) -> Self {
        match ip {
            Some(ip) => Self(format!("addr:{ip}")),
            // Without a known address, every such request shares one key: stricter, never looser.
            None => Self("addr:unknown".into()),
        }
    }
}

/// A short, stable stand-in for a user id in logs (ids from a sign-in proxy may be
/// e-mail addresses, which logs should not carry).
pub fn log_id(user_id: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    user_id.hash(&mut h);
    format!("u-{:016x}", h.finish())
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
