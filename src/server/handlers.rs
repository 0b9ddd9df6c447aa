//! The server's own HTTP endpoints, beside the pages and server functions: health,
//! metrics, browser error reports, and the status of a conversation's page. Each takes
//! what it needs from the app's state and hands the work to the module that owns it.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Json, Response};
use axum::Extension;
use serde_json::json;

use super::state::AppState;
use super::user::UserId;

/// `GET /healthz`: the app itself is alive, with a summary for operators: uptime, answers
/// streaming now, and the last problem seen with AgentOS.
pub async fn liveness(State(state): State<AppState>, headers: HeaderMap) -> impl IntoResponse {
    let mut body = json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_s": state.health.uptime().as_secs(),
        "active_streams": state.streams.active(),
    });
    // Where AgentOS is and how it failed are for the operator only (the metrics token).
    if super::telemetry::metrics::operator(state.config.telemetry.metrics_token.as_ref(), &headers)
    {
        let last_error = state.health.last_error();
        body["agentos"] = json!({
            "url_host": state.config.agentos_url.host_str(),
            "auth": state.agentos.credentials().source_name(),
            "token_refreshes": state.agentos.credentials().refresh_count(),
            "last_error": last_error.as_ref().map(|(_, r)| r),
            "last_error_at": last_error.as_ref().map(|(at, _)| at),
        });
    }
    Json(body)
}

/// `GET /readyz`: 200 when AgentOS answers, 503 otherwise.
pub async fn readiness(State(state): State<AppState>) -> impl IntoResponse {
    if super::drain::draining() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "draining" })),
        );
    }
    let s = state.health.status().await;
    let code = if s.reachable {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if s.reachable { "ready" } else { "unavailable" },
        "agentos": {
            "reachable": s.reachable,
            "latency_ms": s.latency_ms,
            "reason": s.reason,
        }
    });
    (code, Json(body))
}

/// `GET /metrics` (see `telemetry::metrics::endpoint`).
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    super::telemetry::metrics::endpoint(
        state.config.telemetry.metrics_token.as_ref(),
        &state.metrics,
        &headers,
    )
}

/// `POST /api/telemetry/error`: one browser error report (see `telemetry::errors`).
pub async fn error_report(
    State(state): State<AppState>,
    Extension(user): Extension<UserId>,
    body: axum::body::Bytes,
) -> StatusCode {
    super::telemetry::errors::report(state.config.telemetry.report_message_content, &user, &body)
}

#[derive(serde::Deserialize)]
pub struct LanguageForm {
    lang: String,
}

/// `POST /language`: remembers the language chosen in the page (a cookie the page's
/// render reads) and sends the person back to the page they were on, which the browser
/// named in `Referer` (only its path is used: the answer never leads elsewhere).
pub async fn set_language(
    headers: HeaderMap,
    axum::Form(form): axum::Form<LanguageForm>,
) -> Response {
    use crate::i18n::fluent;
    use axum::http::header::{LOCATION, REFERER, SET_COOKIE};
    let Some(locale) = fluent::locales().find(&form.lang) else {
        return (StatusCode::BAD_REQUEST, "That language is not offered.").into_response();
    };
    let back = headers
        .get(REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    let cookie = format!(
        "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        fluent::COOKIE,
        locale.tag
    );
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, back), (SET_COOKIE, cookie)],
    )
        .into_response()
}

/// A page naming an agent or team outside the caller's roles is answered 403 with a page
/// that says so. A page naming a conversation that is not the caller's, or is gone, is answered 404
/// (the page itself then says "no longer available" and starts a new chat). The check
/// runs while the page renders; a confirmed owner is remembered (see `ownership`), so
/// opening one's own conversation again does not ask AgentOS.
pub async fn conversation_page_status(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let route = (req.method() == Method::GET)
        .then(|| crate::routes::ChatRoute::parse(req.uri().path(), req.uri().query().unwrap_or("")))
        .flatten();
    // An agent or team outside the person's roles: a page that says so, not the chat.
    let access = req
        .extensions()
        .get::<std::sync::Arc<super::policy::Access>>();
    let admin_page = req.uri().path().trim_end_matches('/') == crate::routes::ADMIN_USAGE_PATH;
    if admin_page && !access.is_some_and(|a| a.admin) {
        tracing::info!("page refused: the administrators' usage page needs the admin role");
        return super::sign_in::forbidden_because(req.headers(), "admin-only-text");
    }
    if let (Some(target), Some(access)) = (route.as_ref().and_then(|r| r.target.as_ref()), access) {
        if !access.may_use(target.kind, target.id.as_str()) {
            tracing::info!(
                assistant = target.id.as_str(),
                "page refused: not in the caller's roles"
            );
            super::telemetry::metrics::forbidden_assistant();
            return super::sign_in::forbidden(req.headers());
        }
    }
    let named = route.and_then(|route| Some((route.target?, route.session?)));
    let user = req.extensions().get::<UserId>().cloned();
    let (Some((target, session)), Some(user)) = (named, user) else {
        return next.run(req).await;
    };
    let ownership = state.ownership();
    let owned = ownership.owned_session(target.kind, &target.id, &session, &user.0);
    let (owned, mut response) = tokio::join!(owned, next.run(req));
    if matches!(owned, Err(crate::error::ApiError::NotFound(_)))
        && response.status() == StatusCode::OK
    {
        *response.status_mut() = StatusCode::NOT_FOUND;
    }
    response
}
