//! Sign-in with the organisation's OpenID provider (`AGNO_CHAT_AUTH_MODE=oidc`): the
//! authorization code flow with PKCE, a session in an encrypted cookie, refresh where the
//! provider gives a refresh token, and sign-out that ends the provider's session too.
//!
//! `/auth/login` starts a sign-in, `/auth/callback` finishes it, `POST /auth/logout` ends
//! it and `/auth/signed-out` says so. Every other request needs a session: a page is sent
//! to sign in (and brought back to the same address afterwards), a server function is
//! answered 401 `SignInRequired`, which the browser turns into the same journey.

pub mod oidc;
pub mod pages;
mod routes;
pub mod session;

use routes::see_other;
pub use routes::{forbidden, forbidden_because};

use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

use self::oidc::{Identity, Provider, ProviderSettings};
use self::session::{now, Jar, Session, Standing};
use super::policy::{Access, Policy};
use super::user::{log_id, LimitKey, UserId};
use crate::error::ApiError;

pub const LOGIN_PATH: &str = "/auth/login";
pub const CALLBACK_PATH: &str = "/auth/callback";
pub const LOGOUT_PATH: &str = "/auth/logout";
pub const SIGNED_OUT_PATH: &str = "/auth/signed-out";

/// A sign-in has this long to come back from the provider.
const LOGIN_WINDOW_S: i64 = 600;
const LOGIN_COOKIE_PATH: &str = "/auth/";

/// The signed-in person of a request, for the page's account menu.
#[derive(Clone, Debug)]
pub struct Person {
    pub name: String,
}

/// The configured sign-in.
#[derive(Clone, Debug)]
pub struct SignInSettings {
    pub provider: ProviderSettings,
    /// How long a session lasts before it must be renewed (or signed into again).
    pub lifetime: Duration,
    /// How long a session may go unused.
    pub idle: Duration,
}

#[derive(Clone)]
pub struct SignIn {
    inner: Arc<Inner>,
}

struct Inner {
    provider: Provider,
    jar: Jar,
    lifetime_s: u64,
    idle_s: u64,
    always_secure: bool,
    /// One refresh per refresh token, shared by the requests that find the same expired
    /// session at once: providers that rotate refresh tokens refuse (or revoke on) reuse.
    refreshing: moka::sync::Cache<String, Arc<tokio::sync::OnceCell<Option<Identity>>>>,
}

impl SignIn {
    pub fn new(
        settings: SignInSettings,
        key: cookie::Key,
        always_secure: bool,
        connect_timeout: Duration,
    ) -> Result<Self, String> {
        Ok(Self {
            inner: Arc::new(Inner {
                provider: Provider::new(settings.provider, connect_timeout)?,
                jar: Jar::new(key),
                lifetime_s: settings.lifetime.as_secs().max(1),
                idle_s: settings.idle.as_secs().max(1),
                always_secure,
                refreshing: moka::sync::Cache::builder()
                    .max_capacity(10_000)
                    .time_to_live(Duration::from_secs(60))
                    .build(),
            }),
        })
    }

    /// Paths of signing in itself, reachable without a session.
    pub fn is_own_path(path: &str) -> bool {
        path.starts_with("/auth/")
    }

    fn secure(&self, headers: &HeaderMap) -> bool {
        self.inner.always_secure
            || headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p.eq_ignore_ascii_case("https"))
    }

    fn new_session(&self, id: Identity) -> Session {
        let now = now();
        Session {
            user: id.user,
            name: id.name,
            claims: id.claims,
            expires: now + self.inner.lifetime_s,
            seen: now,
            refresh: id.refresh,
        }
    }

    /// The request's session, renewed or touched as needed, and the cookie to send back
    /// when it changed.
    async fn session(&self, headers: &HeaderMap) -> Option<(Session, Option<String>)> {
        let cookies = cookie_header(headers);
        let mut s = self.inner.jar.session(&cookies)?;
        let secure = self.secure(headers);
        let now = now();
        match s.standing(now, self.inner.idle_s) {
            Standing::Valid { touch: false } => Some((s, None)),
            Standing::Valid { touch: true } => {
                s.seen = now;
                let set = self.inner.jar.write_session(&s, self.inner.idle_s, secure);
                Some((s, Some(set)))
            }
            Standing::Renewable => {
                let refresh = s.refresh.clone()?;
                let before = Identity {
                    user: s.user.clone(),
                    name: s.name.clone(),
                    claims: s.claims.clone(),
                    refresh: Some(refresh.clone()),
                };
                let cell = self
                    .inner
                    .refreshing
                    .get_with(refresh.clone(), || Arc::new(tokio::sync::OnceCell::new()));
                let renewed = cell
                    .get_or_init(|| async {
                        match self.inner.provider.refresh(&refresh, &before).await {
                            Ok(id) => {
                                tracing::info!(user = %log_id(&id.user), "sign-in session renewed");
                                Some(id)
                            }
                            Err(e) => {
                                tracing::info!(error = %e, "sign-in session could not be renewed");
                                None
                            }
                        }
                    })
                    .await
                    .clone()?;
                let s = self.new_session(renewed);
                let set = self.inner.jar.write_session(&s, self.inner.idle_s, secure);
                Some((s, Some(set)))
            }
            Standing::Ended => None,
        }
    }

    /// The answer to a request that needs a signed-in person and has none: a page is sent
    /// to sign in and brought back; anything else gets 401.
    fn required(req: &Request) -> Response {
        let path = req.uri().path();
        if req.method() == Method::GET && !path.starts_with("/api/") {
            let back = req
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned();
            return see_other(&login_href(&back), Vec::new());
        }
        super::limits::refusal(
            ApiError::SignInRequired("Your sign-in has ended. Sign in again to go on.".into()),
            None,
        )
    }
}

/// Middleware in OIDC mode: binds the request to the signed-in person (their user id,
/// limits, access from the policy) or answers that they must sign in. Pages of signed-in
/// people are never stored by caches, so Back after signing out shows no conversation.
pub async fn identify(
    sign_in: &SignIn,
    policy: Option<&Policy>,
    mut req: Request,
    next: Next,
    needs_no_identity: bool,
) -> Response {
    if needs_no_identity || SignIn::is_own_path(req.uri().path()) {
        return next.run(req).await;
    }
    let Some((session, set_cookie)) = sign_in.session(req.headers()).await else {
        return SignIn::required(&req);
    };
    tracing::Span::current().record("user", log_id(&session.user).as_str());
    let access = match policy {
        Some(p) => Arc::new(p.access(&session.claims)),
        None => Access::unrestricted(),
    };
    let e = req.extensions_mut();
    e.insert(LimitKey(session.user.clone()));
    e.insert(UserId(session.user.clone()));
    e.insert(access);
    e.insert(Person {
        name: session.name.clone(),
    });
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if let Some(v) = set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.append(SET_COOKIE, v);
    }
    if !h.contains_key(CACHE_CONTROL) {
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store, private"));
    }
    resp
}

fn cookie_header(headers: &HeaderMap) -> String {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Where a sign-in may return: a path of this site only (never another origin, never
/// signing in itself).
pub fn safe_return_to(raw: Option<&str>) -> String {
    let Some(p) = raw.map(str::trim) else {
        return "/".into();
    };
    let ok = p.starts_with('/')
        && !p.starts_with("//")
        && !p.contains('\\')
        && p.len() <= 2048
        && !p.chars().any(char::is_control)
        && !SignIn::is_own_path(p);
    if ok {
        p.to_owned()
    } else {
        "/".into()
    }
}

fn login_href(return_to: &str) -> String {
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("return_to", return_to)
        .finish();
    format!("{LOGIN_PATH}?{q}")
}

/// Each sign-in in progress has its own cookie, named by its state, so two tabs signing
/// in at once do not undo each other.
#[cfg(test)]
mod tests {
    use super::routes::login_cookie_name;
    use super::*;

    #[test]
    fn only_own_paths_are_returned_to() {
        let r = |s: &str| safe_return_to(Some(s));
        assert_eq!(
            r("/agents/echo-agent/c/abc?x=1"),
            "/agents/echo-agent/c/abc?x=1"
        );
        assert_eq!(r("https://evil.example/"), "/");
        assert_eq!(r("//evil.example/"), "/");
        assert_eq!(r("/\\evil.example"), "/");
        assert_eq!(r("evil"), "/");
        assert_eq!(r("/auth/login"), "/");
        assert_eq!(r("/a\nb"), "/");
        assert_eq!(safe_return_to(None), "/");
    }

    #[test]
    fn login_cookies_are_named_by_state() {
        assert_eq!(
            login_cookie_name("abcdefghijklmnop-rest").as_deref(),
            Some("agno_chat_login_abcdefghijklmnop")
        );
        assert_eq!(login_cookie_name("short"), None);
        assert_eq!(login_cookie_name("abcdefgh;jklmnopq"), None);
        assert!(login_href("/a b?c=d").starts_with("/auth/login?return_to=%2Fa+b%3Fc%3Dd"));
    }
}
