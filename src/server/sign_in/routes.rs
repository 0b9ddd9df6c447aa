//! Signing in's own addresses: `/auth/login` starts a sign-in, `/auth/callback` finishes
//! it, `POST /auth/logout` ends it, `/auth/signed-out` says so; and the page for an agent
//! outside a person's roles.

use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::oidc::{OidcError, PendingLogin};
use super::session::Jar;
use super::{
    cookie_header, login_href, pages, safe_return_to, SignIn, CALLBACK_PATH, LOGIN_COOKIE_PATH,
    LOGIN_PATH, LOGIN_WINDOW_S, LOGOUT_PATH, SIGNED_OUT_PATH,
};
use crate::server::user::log_id;

impl SignIn {
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

pub(super) fn login_cookie_name(state: &str) -> Option<String> {
    let prefix: String = state.chars().take(16).collect();
    (prefix.len() == 16
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    .then(|| format!("agno_chat_login_{prefix}"))
}

pub(super) fn see_other(location: &str, cookies: Vec<String>) -> Response {
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
    crate::server::telemetry::metrics::sign_in("unreachable");
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
        crate::server::telemetry::metrics::sign_in("no_pending");
        return with_cookies(failed(&headers, "sign-in-expired", "/"), used_up);
    };
    if let Some(error) = &q.error {
        tracing::info!(%error, "sign-in: the identity provider answered with an error");
        crate::server::telemetry::metrics::sign_in("denied");
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
            crate::server::telemetry::metrics::sign_in("ok");
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
            crate::server::telemetry::metrics::sign_in("refused");
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
    forbidden_because(headers, "forbidden-text")
}

/// The "not available to you" page (403), saying why with the message `why`.
pub fn forbidden_because(headers: &HeaderMap, why: &str) -> Response {
    let l = pages::locale(headers);
    pages::page(
        StatusCode::FORBIDDEN,
        l,
        "forbidden-title",
        &l.t(why, &[]),
        "back-to-chat",
        "/",
    )
}
