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
pub mod session;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, Request, State};
use axum::http::header::{CACHE_CONTROL, COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use self::oidc::{Identity, OidcError, PendingLogin, Provider, ProviderSettings};
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

    pub fn router<S>(&self) -> Router<S> {
        Router::new()
            .route(LOGIN_PATH, get(login))
            .route(CALLBACK_PATH, get(callback))
            .route(LOGOUT_PATH, post(logout))
            .route(SIGNED_OUT_PATH, get(signed_out))
            .route(pages::STYLESHEET_PATH, get(pages::stylesheet))
            .with_state(self.clone())
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
fn login_cookie_name(state: &str) -> Option<String> {
    let prefix: String = state.chars().take(16).collect();
    (prefix.len() == 16
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    .then(|| format!("agno_chat_login_{prefix}"))
}

fn see_other(location: &str, cookies: Vec<String>) -> Response {
    let mut resp = StatusCode::SEE_OTHER.into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(location) {
        h.insert(LOCATION, v);
    }
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            h.append(SET_COOKIE, v);
        }
    }
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn with_cookies(mut resp: Response, cookies: Vec<String>) -> Response {
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            resp.headers_mut().append(SET_COOKIE, v);
        }
    }
    resp
}

fn provider_down(headers: &HeaderMap, return_to: &str, e: &OidcError) -> Response {
    tracing::warn!(error = %e, "sign-in: the identity provider is unreachable");
    super::telemetry::metrics::sign_in("unreachable");
    let l = pages::locale(headers);
    pages::page(
        StatusCode::SERVICE_UNAVAILABLE,
        l,
        "provider-down-title",
        &l.t("provider-down-text", &[]),
        "try-again",
        &login_href(return_to),
    )
}

fn failed(headers: &HeaderMap, reason_id: &str, return_to: &str) -> Response {
    let l = pages::locale(headers);
    let reason = l.t(reason_id, &[]);
    pages::page(
        StatusCode::BAD_REQUEST,
        l,
        "sign-in-failed-title",
        &pages::text_with_reason(l, "sign-in-failed-text", &reason),
        "sign-in",
        &login_href(return_to),
    )
}

#[derive(Deserialize)]
struct LoginQuery {
    return_to: Option<String>,
}

/// `GET /auth/login?return_to=/path`: off to the provider.
async fn login(
    State(s): State<SignIn>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let return_to = safe_return_to(q.return_to.as_deref());
    match s.inner.provider.begin(&return_to).await {
        Ok((url, pending)) => {
            let Some(name) = login_cookie_name(&pending.state) else {
                return failed(&headers, "sign-in-refused", &return_to);
            };
            let value = serde_json::to_string(&pending).unwrap_or_default();
            let cookie = s.inner.jar.write(
                &name,
                &value,
                LOGIN_COOKIE_PATH,
                LOGIN_WINDOW_S,
                s.secure(&headers),
            );
            see_other(url.as_str(), vec![cookie])
        }
        Err(e) => provider_down(&headers, &return_to, &e),
    }
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /auth/callback?code=…&state=…`: the provider sends the browser back. The state
/// must name a sign-in this browser started (its cookie), which is then used up, so a
/// forged, mismatched or replayed callback finds nothing.
async fn callback(
    State(s): State<SignIn>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let secure = s.secure(&headers);
    let named = q.state.as_deref().and_then(login_cookie_name);
    let pending: Option<PendingLogin> = named
        .as_deref()
        .and_then(|name| s.inner.jar.read(&cookie_header(&headers), name))
        .and_then(|v| serde_json::from_str::<PendingLogin>(&v).ok())
        .filter(|p| Some(p.state.as_str()) == q.state.as_deref());
    let used_up: Vec<String> = named
        .iter()
        .map(|n| Jar::remove(n, LOGIN_COOKIE_PATH, secure))
        .collect();
    let Some(pending) = pending else {
        tracing::warn!(
            "sign-in callback with no matching sign-in (expired, replayed or forged state)"
        );
        super::telemetry::metrics::sign_in("no_pending");
        return with_cookies(failed(&headers, "sign-in-expired", "/"), used_up);
    };
    if let Some(error) = &q.error {
        tracing::info!(%error, "sign-in: the identity provider answered with an error");
        super::telemetry::metrics::sign_in("denied");
        return with_cookies(
            failed(&headers, "sign-in-denied", &pending.return_to),
            used_up,
        );
    }
    let Some(code) = q.code.as_deref().filter(|c| !c.is_empty()) else {
        return with_cookies(
            failed(&headers, "sign-in-refused", &pending.return_to),
            used_up,
        );
    };
    match s.inner.provider.finish(code, &pending).await {
        Ok(identity) => {
            tracing::info!(user = %log_id(&identity.user), "signed in");
            super::telemetry::metrics::sign_in("ok");
            let session = s.new_session(identity);
            let mut cookies = used_up;
            cookies.push(s.inner.jar.write_session(&session, s.inner.idle_s, secure));
            see_other(&pending.return_to, cookies)
        }
        Err(e @ OidcError::Unreachable(_)) => {
            with_cookies(provider_down(&headers, &pending.return_to, &e), used_up)
        }
        Err(e) => {
            tracing::warn!(error = %e, "sign-in refused");
            super::telemetry::metrics::sign_in("refused");
            with_cookies(
                failed(&headers, "sign-in-refused", &pending.return_to),
                used_up,
            )
        }
    }
}

/// `POST /auth/logout`: ends the session here, then at the provider where it supports
/// RP-initiated logout (which sends the browser back to `/auth/signed-out`).
async fn logout(State(s): State<SignIn>, headers: HeaderMap) -> Response {
    // Only the page's own form may sign a person out, not another site's.
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if site.is_some_and(|v| !matches!(v, "same-origin" | "none")) {
        tracing::warn!(
            fetch_site = site.unwrap_or("-"),
            "cross-site sign-out refused"
        );
        return StatusCode::FORBIDDEN.into_response();
    }
    let target = s
        .inner
        .provider
        .logout_url()
        .await
        .map_or_else(|| SIGNED_OUT_PATH.to_owned(), |u| u.to_string());
    tracing::info!("signed out");
    see_other(&target, Jar::end_session().to_vec())
}

/// `GET /auth/signed-out`.
async fn signed_out(headers: HeaderMap) -> Response {
    let l = pages::locale(&headers);
    pages::page(
        StatusCode::OK,
        l,
        "signed-out-title",
        &l.t("signed-out-text", &[]),
        "sign-in",
        LOGIN_PATH,
    )
}

/// The page for an agent or team the person's roles do not include.
pub fn forbidden(headers: &HeaderMap) -> Response {
    let l = pages::locale(headers);
    pages::page(
        StatusCode::FORBIDDEN,
        l,
        "forbidden-title",
        &l.t("forbidden-text", &[]),
        "back-to-chat",
        "/",
    )
}

#[cfg(test)]
mod tests {
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
