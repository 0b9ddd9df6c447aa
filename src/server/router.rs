use axum::http::{header, HeaderName, HeaderValue, Request};
use axum::routing::get;
use axum::Router;
use leptos::prelude::{provide_context, AnyView, LeptosOptions};
use leptos_axum::{AxumRouteListing, LeptosRoutes};
use leptos_router::SsrMode;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tracing::Level;

use super::handlers;
use super::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Largest request body accepted: room for the longest message (up to 6 bytes per
/// character once JSON-escaped) plus the rest of the request.
fn body_limit(max_input_chars: usize) -> usize {
    (max_input_chars.saturating_mul(6) + 16 * 1024).max(64 * 1024)
}

/// The whole HTTP surface: health endpoints, server functions, pages and static files,
/// with a request id and one log line (method, path, status, latency) per request. In
/// front of the app, outermost first: request id and trace, body size limit, origin check
/// and security headers, identity, rate limits.
/// `shell` renders a page: the document around the app (see `app::page_shell`), handed in
/// by `main`.
pub fn build(state: AppState, shell: fn(LeptosOptions) -> AnyView) -> Router {
    // The app's pages (see `routes::PATHS`); any other path is rendered "not found".
    let routes = crate::routes::PATHS
        .iter()
        .map(|path| {
            AxumRouteListing::new(
                (*path).to_owned(),
                SsrMode::OutOfOrder,
                [leptos_router::Method::Get],
                Vec::new(),
            )
        })
        .collect();
    let options = state.leptos_options.clone();
    let context_state = state.clone();
    let identity = state.identity.clone();
    let limits = state.limits.clone();
    let limits_for_identity = state.limits.clone();
    let budget_state = state.clone();
    let origins =
        super::security::OriginPolicy::new(state.config.protection.public_origin.as_ref());
    let body_limit = body_limit(state.config.max_input_chars);
    // A message's files and their multipart framing.
    let upload_limit = (state.config.uploads.max_message_bytes as usize).saturating_add(1 << 20);
    let hashed_assets = state.leptos_options.hash_files;
    let site_root = state.leptos_options.site_root.clone();
    let pkg_dir = state.leptos_options.site_pkg_dir.clone();
    // Signing in's own pages, in OIDC mode.
    let sign_in = state
        .identity
        .sign_in()
        .map_or_else(Router::new, |s| s.router());
    let app = Router::new()
        .merge(sign_in)
        .route("/healthz", get(handlers::liveness))
        .route("/readyz", get(handlers::readiness))
        // Made and compressed at start-up (see `encoding`).
        .route("/highlight.css", get(super::highlight::stylesheet_handler))
        .route("/metrics", get(handlers::metrics))
        .route(
            crate::routes::LANGUAGE_PATH,
            axum::routing::post(handlers::set_language),
        )
        .route(
            "/api/media/{kind}/{assistant}/{session}/{*key}",
            get(super::media::session_media),
        )
        .route(
            super::sharing::page::STYLESHEET_PATH,
            get(super::sharing::page::stylesheet),
        )
        .route("/share/{token}", get(super::sharing::page::shared))
        .route(
            crate::routes::SEND_FILES_PATH,
            axum::routing::post(super::uploads::handler::send_with_files),
        )
        .route(
            crate::routes::USAGE_STYLESHEET_PATH,
            get(super::usage_pages::stylesheet),
        )
        .route(
            crate::routes::ADMIN_USAGE_CSV_PATH,
            get(super::usage_pages::export_csv),
        )
        .route(
            crate::analytics::ERROR_REPORT_PATH,
            axum::routing::post(handlers::error_report),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(options.clone()),
        )
        .nest_service(
            &format!("/{pkg_dir}"),
            super::encoding::static_files(
                std::path::Path::new(site_root.as_ref()).join(pkg_dir.as_ref()),
            ),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            state,
            handlers::conversation_page_status,
        ))
        .layer(axum::middleware::from_fn_with_state(
            budget_state,
            super::budgets::enforce,
        ))
        .layer(axum::middleware::from_fn_with_state(
            limits,
            super::limits::rate_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            (identity, limits_for_identity),
            super::identity::identify,
        ))
        .layer(axum::middleware::from_fn_with_state(
            origins,
            super::security::protect,
        ))
        .layer(axum::middleware::from_fn_with_state(
            (body_limit, upload_limit),
            limit_body,
        ))
        .layer(axum::middleware::from_fn_with_state(
            hashed_assets,
            cache_control,
        ))
        .layer(axum::middleware::from_fn(count_requests));
    super::encoding::compress(app).layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(|req: &Request<_>| {
                        let id = req
                            .headers()
                            .get(REQUEST_ID)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        tracing::info_span!(
                            "request",
                            request_id = %id,
                            method = %req.method(),
                            path = %req.uri().path(),
                            user = tracing::field::Empty,
                        )
                    })
                    .on_request(())
                    .on_response(
                        DefaultOnResponse::new()
                            .level(Level::INFO)
                            .latency_unit(LatencyUnit::Millis),
                    )
                    .on_failure(DefaultOnFailure::new().level(Level::WARN)),
            )
            .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
    )
}

/// Counts every answered request by route group and status class.
async fn count_requests(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = req.uri().path();
    let route: &'static str = if path.starts_with("/api/") {
        "api"
    } else if path.starts_with("/pkg/")
        || matches!(path, "/highlight.css" | "/attachments.css" | "/favicon.svg")
    {
        "static"
    } else if matches!(path, "/healthz" | "/readyz") {
        "health"
    } else if path == "/metrics" {
        "metrics"
    } else {
        "page"
    };
    let resp = next.run(req).await;
    super::telemetry::metrics::request(route, resp.status().as_u16());
    resp
}

/// Request bodies are cut at `small` bytes, or `large` for a message's files; a declared
/// length over the limit is refused at once (413).
async fn limit_body(
    axum::extract::State((small, large)): axum::extract::State<(usize, usize)>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = if req.uri().path() == crate::routes::SEND_FILES_PATH {
        large
    } else {
        small
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return (
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "The request is too large.",
        )
            .into_response();
    }
    let (parts, body) = req.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(axum::extract::Request::from_parts(parts, body))
        .await
}

/// How long browsers may keep static files. Files named by content hash (the wasm, JS and
/// CSS when cargo-leptos hashes them, and the lazily loaded wasm chunks always) never
/// change, so they are kept for a year; anything else under /pkg is revalidated.
async fn cache_control(
    axum::extract::State(hashed): axum::extract::State<bool>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = req.uri().path().to_owned();
    let mut resp = next.run(req).await;
    if !resp.status().is_success() || resp.headers().contains_key(header::CACHE_CONTROL) {
        return resp;
    }
    let value = match asset_cache_policy(&path, hashed) {
        Some(v) => v,
        None => return resp,
    };
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    resp
}

/// Files named by their content's hash are kept for a year. The two JS modules are not,
/// hashed or not: the app's JS and the chunk loader import each other by name, so their
/// names cannot both follow their content (cargo-leptos hashes the app's JS before the
/// loader's name is written into it). A browser keeping an old app JS would import a
/// loader that a new deployment no longer has, and the page would not start. They are
/// revalidated instead (`Last-Modified`, answered 304 when unchanged); they are 10 KB.
fn asset_cache_policy(path: &str, hashed: bool) -> Option<&'static str> {
    const YEAR: &str = "public, max-age=31536000, immutable";
    let file = path.strip_prefix("/pkg/")?;
    let module = [".js", ".js.br", ".js.gz"]
        .iter()
        .any(|e| file.ends_with(e));
    Some(if !module && (hashed || file.starts_with("split_")) {
        YEAR
    } else {
        "no-cache"
    })
}

#[cfg(test)]
mod tests {
    use super::asset_cache_policy;

    #[test]
    fn hashed_assets_are_cached_for_a_year() {
        let year = Some("public, max-age=31536000, immutable");
        assert_eq!(asset_cache_policy("/pkg/agno-chat.abc.wasm", true), year);
        assert_eq!(asset_cache_policy("/pkg/agno-chat.abc.css", true), year);
        assert_eq!(asset_cache_policy("/pkg/chunk_3.abc.wasm", true), year);
        // The JS modules import each other by name: revalidated, never kept blindly.
        for js in ["/pkg/agno-chat.abc.js", "/pkg/__wasm_split.abc.js"] {
            assert_eq!(asset_cache_policy(js, true), Some("no-cache"), "{js}");
        }
        assert_eq!(
            asset_cache_policy("/pkg/split_render_123.wasm", false),
            year
        );
        assert_eq!(
            asset_cache_policy("/pkg/agno-chat.wasm", false),
            Some("no-cache")
        );
        assert_eq!(asset_cache_policy("/", true), None);
        assert_eq!(asset_cache_policy("/api/chat/send", true), None);
    }
}
