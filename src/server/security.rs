//! HTTP-level protections: server functions only take same-origin requests, every
//! response carries security headers (pages a nonce-based Content Security Policy, set by
//! the shell), server-function errors get a status that fits them, and request bodies are
//! size-limited (see the router).

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

use super::limits::refusal;
use crate::error::ApiError;

/// What the origin check accepts besides the request's own host.
#[derive(Clone, Debug, Default)]
pub struct OriginPolicy {
    /// `scheme://host[:port]` of the configured public URL.
    pub public_origin: Option<String>,
}

impl OriginPolicy {
    pub fn new(public_url: Option<&url::Url>) -> Self {
        Self {
            public_origin: public_url.map(|u| u.origin().ascii_serialization()),
        }
    }

    /// Whether a state-changing request with these headers may proceed. Browsers send
    /// `Sec-Fetch-Site` (and `Origin` on POST); requests from other tools carry neither
    /// and no ambient browser credentials, so they pass. With a public URL configured,
    /// only its origin is accepted: `Host` is the attacker's to choose under DNS rebinding.
    pub fn allows(&self, headers: &HeaderMap) -> bool {
        if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
            if site != "same-origin" && site != "none" {
                return false;
            }
        }
        match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            None => true,
            Some(origin) => match &self.public_origin {
                Some(public) => public == origin,
                None => same_host(origin, headers),
            },
        }
    }
}

/// `origin` is `http(s)://` + this request's `Host`.
fn same_host(origin: &str, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|o| o.eq_ignore_ascii_case(host))
}

/// Middleware: refuses cross-origin server-function calls, maps server-function errors to
/// fitting statuses, and adds security headers to every response.
pub async fn protect(State(policy): State<OriginPolicy>, req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let state_changing = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let mut resp = if is_api && state_changing && !policy.allows(req.headers()) {
        tracing::warn!(
            path = %req.uri().path(),
            origin = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).unwrap_or("-"),
            fetch_site = req.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok()).unwrap_or("-"),
            "cross-origin request refused"
        );
        refusal(
            ApiError::Forbidden("Cross-origin requests are refused.".into()),
            None,
        )
    } else {
        let path = req.uri().path().to_owned();
        let resp = next.run(req).await;
        if is_api {
            with_error_status(path, resp).await
        } else {
            resp
        }
    };
    add_headers(resp.headers_mut());
    resp
}

/// Server functions answer every error with 500; give each the status that fits it
/// (an unreadable payload is 400, a missing session 404, ...).
async fn with_error_status(path: String, resp: Response) -> Response {
    if resp.status() != axum::http::StatusCode::INTERNAL_SERVER_ERROR
        || !resp.headers().contains_key("serverfnerror")
    {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    if let Ok(err) = postcard::from_bytes::<ApiError>(&bytes) {
        if let Ok(status) = axum::http::StatusCode::from_u16(err.status()) {
            parts.status = status;
        }
        // Faults inside agno-chat are errors (and reach Sentry); AgentOS trouble is a warning.
        // `Debug`: the technical detail, which the message for people leaves out.
        match err.status() {
            500 => tracing::error!(%path, error = ?err, "server function failed"),
            502 | 503 => tracing::warn!(%path, error = ?err, "server function failed upstream"),
            _ => {}
        }
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

const CSP: HeaderName = HeaderName::from_static("content-security-policy");

fn add_headers(h: &mut HeaderMap) {
    let set = |h: &mut HeaderMap, name: HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(
        h,
        header::REFERRER_POLICY,
        "strict-origin-when-cross-origin",
    );
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        h,
        HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    set(
        h,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    );
    // Pages get a policy with their nonce from the shell; everything else a closed one.
    set(h, CSP, "default-src 'none'; frame-ancestors 'none'");
}

/// The Content Security Policy of a page whose inline scripts carry `nonce`: scripts only
/// from this origin or with the nonce, WebAssembly compilation allowed but never `eval`,
/// no plugins, no framing, no foreign form targets.
pub fn page_policy(nonce: &str) -> String {
    let provider = FORM_TARGET.get().map_or("", String::as_str);
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; img-src 'self' data: blob: https:; media-src 'self'; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'{provider}; \
         frame-ancestors 'none'"
    )
}

/// The identity provider's origin, when signing in with one: the sign-out form's answer
/// redirects there, and browsers hold a form's redirects to `form-action` too.
static FORM_TARGET: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Lets the page's forms lead to `origin` (set once, at start-up).
pub fn allow_form_target(origin: &url::Url) {
    let _ = FORM_TARGET.set(format!(" {}", origin.origin().ascii_serialization()));
}

/// In the shell: sends the page's policy with the nonce Leptos put on its inline scripts.
pub fn set_page_policy() {
    use leptos::prelude::use_context;
    let (Some(nonce), Some(resp)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(v) = HeaderValue::from_str(&page_policy(&nonce.to_string())) {
        resp.insert_header(CSP, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origin_rules() {
        let p = OriginPolicy::new(Some(&"https://chat.example.com/".parse().unwrap()));
        let host = ("host", "127.0.0.1:3000");
        assert!(p.allows(&headers(&[host])), "no browser headers");
        // DNS rebinding: the attacker's name resolves here, and Host carries it.
        assert!(!p.allows(&headers(&[
            ("host", "rebound.example:3000"),
            ("origin", "http://rebound.example:3000"),
            ("sec-fetch-site", "same-origin"),
        ])));
        assert!(
            !p.allows(&headers(&[host, ("origin", "http://127.0.0.1:3000")])),
            "with a public URL, only its origin"
        );
        assert!(p.allows(&headers(&[host, ("origin", "https://chat.example.com")])));
        assert!(!p.allows(&headers(&[host, ("origin", "http://evil.example")])));
        assert!(!p.allows(&headers(&[host, ("origin", "null")])));
        assert!(!p.allows(&headers(&[host, ("sec-fetch-site", "cross-site")])));
        assert!(!p.allows(&headers(&[host, ("sec-fetch-site", "same-site")])));
        let local = OriginPolicy::new(None);
        assert!(local.allows(&headers(&[
            host,
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://127.0.0.1:3000")
        ])));
        assert!(!local.allows(&headers(&[host, ("origin", "http://evil.example")])));
    }

    #[test]
    fn page_policy_has_no_unsafe_sources() {
        let p = page_policy("abc");
        assert!(p.contains("'nonce-abc'") && p.contains("frame-ancestors 'none'"));
        assert!(!p.contains("'unsafe-inline'") && !p.contains("'unsafe-eval'"));
    }
}
