//! Who the visitor is, decided on the server: a random id in a signed, HttpOnly,
//! SameSite cookie, the user a trusted proxy's header names, or the person signed in with
//! the OpenID provider (see `sign_in`). Every AgentOS call carries it as `user_id`; the
//! browser never chooses it. Each request also gets what the roles policy lets it use.

use axum::extract::{Request, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cookie::{Cookie, CookieJar, Key, SameSite};
use secrecy::{ExposeSecret, SecretString};

use std::sync::Arc;

use super::policy::{Access, Policy};
use super::sign_in::SignIn;
use super::user::{log_id, LimitKey, UserId};

const COOKIE_NAME: &str = "agno_chat_uid";
/// The name over https: browsers only accept a `__Host-` cookie that is Secure, for the
/// whole site and set by this host itself, so no sibling subdomain can plant one.
const HOST_COOKIE_NAME: &str = "__Host-agno_chat_uid";

/// Paths that need no identity: a visitor is not given one for fetching them.
fn needs_no_identity(path: &str) -> bool {
    // A shared conversation is for anyone with its link (see `sharing`).
    path.starts_with("/pkg/")
        || path.starts_with(super::sharing::SHARE_PREFIX)
        || matches!(
            path,
            "/healthz"
                | "/readyz"
                | "/metrics"
                | "/highlight.css"
                | "/attachments.css"
                | "/favicon.svg"
                | "/favicon.ico"
        )
}

/// The client's address, as configured (`AGNO_CHAT_CLIENT_IP_SOURCE`): the connection's
/// peer, or the header a trusted proxy writes. `None` when it cannot be told.
async fn client_ip(
    source: &axum_client_ip::ClientIpSource,
    req: Request,
) -> (Option<std::net::IpAddr>, Request) {
    use axum::extract::FromRequestParts;
    let (mut parts, body) = req.into_parts();
    parts.extensions.insert(source.clone());
    let ip = axum_client_ip::ClientIp::from_request_parts(&mut parts, &())
        .await
        .map(|axum_client_ip::ClientIp(ip)| ip)
        .ok();
    (ip, Request::from_parts(parts, body))
}

/// How people are identified.
#[derive(Clone)]
pub enum Identify {
    /// A random id in a signed cookie.
    Anonymous,
    /// The user a trusted proxy's header names.
    TrustedHeader(axum::http::HeaderName),
    /// The person signed in with the OpenID provider.
    Oidc(SignIn),
}

/// Signs and checks identity cookies; or trusts a proxy's user header, or the sign-in
/// session, instead.
#[derive(Clone)]
pub struct IdentityKeys {
    key: Key,
    mode: Identify,
    policy: Option<Arc<Policy>>,
    /// What someone with no roles claim may use (anonymous and proxy-named users).
    everyone: Arc<Access>,
    /// Mark cookies Secure on every response (the public URL is https).
    always_secure: bool,
    /// Where the client's address is read.
    client_ip: axum_client_ip::ClientIpSource,
}

impl IdentityKeys {
    /// From a configured secret (32+ characters), or a random key for this process.
    pub fn new(secret: Option<&SecretString>) -> Self {
        Self::with_trusted_header(secret, None)
    }

    /// As [`Self::new`]; with `trusted_header`, the user is the one that header names.
    pub fn with_trusted_header(
        secret: Option<&SecretString>,
        trusted_header: Option<axum::http::HeaderName>,
    ) -> Self {
        let mut keys = Self::with_mode(secret, Identify::Anonymous);
        if let Some(h) = trusted_header {
            keys.mode = Identify::TrustedHeader(h);
        }
        keys
    }

    /// The key cookies are signed and encrypted with.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// Identifies people by `mode`.
    pub fn with_mode(secret: Option<&SecretString>, mode: Identify) -> Self {
        let key = match secret {
            Some(s) => Key::derive_from(s.expose_secret().as_bytes()),
            None => {
                tracing::warn!(
                    "AGNO_CHAT_COOKIE_KEY is not set: using a random key, so visitors get new identities when the server restarts"
                );
                Key::generate()
            }
        };
        Self {
            key,
            mode,
            policy: None,
            everyone: Access::unrestricted(),
            always_secure: false,
            client_ip: axum_client_ip::ClientIpSource::ConnectInfo,
        }
    }

    /// Applies the roles policy (without one, everyone may use everything).
    pub fn with_policy(mut self, policy: Option<Arc<Policy>>) -> Self {
        self.everyone = match &policy {
            Some(p) => Arc::new(p.access(&[])),
            None => Access::unrestricted(),
        };
        self.policy = policy;
        self
    }

    /// Switches to OpenID Connect sign-in (its cookies use this key).
    pub fn with_sign_in(mut self, sign_in: SignIn) -> Self {
        self.mode = Identify::Oidc(sign_in);
        self
    }

    /// The OpenID Connect sign-in, in that mode.
    pub fn sign_in(&self) -> Option<&SignIn> {
        match &self.mode {
            Identify::Oidc(s) => Some(s),
            _ => None,
        }
    }

    /// Reads the client's address from `source` (see [`LimitKey`]).
    pub fn client_ip_from(mut self, source: axum_client_ip::ClientIpSource) -> Self {
        self.client_ip = source;
        self
    }

    /// Cookies are Secure on every response, not only on requests seen as https.
    pub fn always_secure(mut self, yes: bool) -> Self {
        self.always_secure = yes;
        self
    }

    /// The user id in a verified cookie header, if any, and whether it came under the
    /// `__Host-` name.
    fn verify(&self, cookie_header: &str) -> Option<(String, bool)> {
        let mut jar = CookieJar::new();
        for c in Cookie::split_parse_encoded(cookie_header.to_owned()).flatten() {
            jar.add_original(c.into_owned());
        }
        let signed = jar.signed(&self.key);
        let read = |name: &str| {
            signed
                .get(name)
                .map(|c| c.value().to_owned())
                .filter(|v| !v.is_empty() && v.len() <= 64)
        };
        read(HOST_COOKIE_NAME)
            .map(|id| (id, true))
            .or_else(|| read(COOKIE_NAME).map(|id| (id, false)))
    }

    fn sign(&self, user_id: &str, secure: bool) -> String {
        let mut jar = CookieJar::new();
        let name = if secure {
            HOST_COOKIE_NAME
        } else {
            COOKIE_NAME
        };
        let mut c = Cookie::new(name, user_id.to_owned());
        c.set_http_only(true);
        c.set_same_site(SameSite::Lax);
        c.set_path("/");
        c.set_secure(secure);
        c.set_max_age(cookie::time::Duration::days(400));
        jar.signed_mut(&self.key).add(c);
        jar.get(name)
            .map(|c| c.encoded().to_string())
            .unwrap_or_default()
    }
}

/// A user id from a trusted proxy header: 1 to 128 visible ASCII characters.
fn valid_proxy_user(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic()))
        .then(|| v.to_owned())
}

/// Middleware: puts [`UserId`] and [`LimitKey`] into the request. With a trusted proxy
/// header configured, the user is the one it names (health endpoints aside, requests
/// without it get 401); otherwise the signed cookie is read, or issued to a new visitor, as
/// fast as the client's address may be given new identities.
pub async fn identify(
    State((keys, limits)): State<(IdentityKeys, super::limits::RateLimits)>,
    mut req: Request,
    next: Next,
) -> Response {
    if let Identify::Oidc(sign_in) = &keys.mode {
        let open = needs_no_identity(req.uri().path());
        return super::sign_in::identify(sign_in, keys.policy.as_deref(), req, next, open).await;
    }
    req.extensions_mut().insert(keys.everyone.clone());
    if let Identify::TrustedHeader(header) = &keys.mode {
        let user = req
            .headers()
            .get(header)
            .and_then(|v| v.to_str().ok())
            .and_then(valid_proxy_user);
        return match user {
            Some(u) => {
                let id = format!("proxy:{u}");
                tracing::Span::current().record("user", log_id(&id).as_str());
                req.extensions_mut().insert(LimitKey(id.clone()));
                req.extensions_mut().insert(UserId(id));
                next.run(req).await
            }
            None if matches!(req.uri().path(), "/healthz" | "/readyz" | "/metrics")
                || req.uri().path().starts_with(super::sharing::SHARE_PREFIX) =>
            {
                next.run(req).await
            }
            None => {
                tracing::warn!(header = %header, "request without the trusted user header refused");
                (
                    axum::http::StatusCode::UNAUTHORIZED,
                    "Sign-in required: this chat is only reachable through its sign-in proxy.",
                )
                    .into_response()
            }
        };
    }
    let existing = req
        .headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| keys.verify(h));
    if existing.is_none() && needs_no_identity(req.uri().path()) {
        return next.run(req).await;
    }
    let secure = keys.always_secure
        || req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.eq_ignore_ascii_case("https"))
        || req.uri().scheme_str() == Some("https");
    let (user_id, issue) = match existing {
        Some((id, prefixed)) => {
            req.extensions_mut().insert(LimitKey(id.clone()));
            // A cookie from before https (or before the prefix) moves to the `__Host-`
            // name, keeping the identity and so the person's conversations.
            (id, secure && !prefixed)
        }
        None => {
            let (ip, with_ip) = client_ip(&keys.client_ip, req).await;
            req = with_ip;
            if let Err(wait) = limits.check_new_identity(ip) {
                let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
                super::telemetry::metrics::rate_limited("new_identities");
                tracing::info!(retry_after_s = secs, "new identities: rate limit reached");
                let message = format!(
                    "Too many new visitors from your network just now. Try again in {secs} s."
                );
                return super::limits::refusal(
                    crate::error::ApiError::RateLimited {
                        retry_after_s: secs,
                        message,
                    },
                    Some(secs),
                );
            }
            req.extensions_mut().insert(LimitKey::for_address(ip));
            (uuid::Uuid::new_v4().simple().to_string(), true)
        }
    };
    tracing::Span::current().record("user", log_id(&user_id).as_str());
    req.extensions_mut().insert(UserId(user_id.clone()));
    let mut resp = next.run(req).await;
    if issue {
        if let Ok(v) = HeaderValue::from_str(&keys.sign(&user_id, secure)) {
            resp.headers_mut().append(SET_COOKIE, v);
        }
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_user_values_are_validated() {
        assert_eq!(
            valid_proxy_user(" alice@example.com "),
            Some("alice@example.com".into())
        );
        assert_eq!(valid_proxy_user(""), None);
        assert_eq!(valid_proxy_user("a b"), None);
        assert_eq!(valid_proxy_user(&"x".repeat(129)), None);
    }

    #[test]
    fn signed_cookie_round_trips_and_tampering_is_rejected() {
        let keys = IdentityKeys::new(Some(&SecretString::from("k".repeat(40))));
        let set = keys.sign("user-1", false);
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax"),
            "{set}"
        );
        let pair = set.split(';').next().unwrap();
        let id = |h: &str| keys.verify(h).map(|(id, _)| id);
        assert_eq!(id(pair).as_deref(), Some("user-1"));
        assert_eq!(id(&format!("other=1; {pair}")).as_deref(), Some("user-1"));
        let tampered = pair.replace("user-1", "user-2");
        assert_eq!(keys.verify(&tampered), None);
        assert_eq!(keys.verify("agno_chat_uid=user-1"), None);
        let other = IdentityKeys::new(Some(&SecretString::from("z".repeat(40))));
        assert_eq!(other.verify(pair), None);
    }

    #[test]
    fn over_https_the_cookie_is_host_only_and_older_ones_still_count() {
        let keys = IdentityKeys::new(Some(&SecretString::from("k".repeat(40))));
        let set = keys.sign("user-1", true);
        assert!(set.starts_with("__Host-agno_chat_uid="), "{set}");
        assert!(set.contains("Secure") && set.contains("Path=/"), "{set}");
        assert!(!set.contains("Domain"), "{set}");
        let pair = set.split(';').next().unwrap();
        assert_eq!(keys.verify(pair), Some(("user-1".into(), true)));
        let plain = keys.sign("user-1", false);
        assert!(plain.starts_with("agno_chat_uid="), "{plain}");
        let old = plain.split(';').next().unwrap();
        assert_eq!(keys.verify(old), Some(("user-1".into(), false)));
        // Both present: the host-only one wins.
        let other = keys.sign("user-2", false);
        let other = other.split(';').next().unwrap();
        assert_eq!(
            keys.verify(&format!("{other}; {pair}")),
            Some(("user-1".into(), true))
        );
    }
}
