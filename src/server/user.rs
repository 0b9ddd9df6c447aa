//! The names of a user: the id a request is bound to, whom its limits count against, and
//! how a user is named in logs. Plain data, used by the identity, limit and telemetry
//! layers and by server functions (see `caller`).

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
