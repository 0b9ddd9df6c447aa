//! The few pages of signing in that are not the app: signed out, a sign-in that failed,
//! the provider unreachable, and a forbidden agent. Plain server-rendered HTML in the
//! person's language, with their own small stylesheet and a closed Content Security Policy.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use crate::server::plain_page::escape;

use crate::i18n::catalogue::Arg;
use crate::i18n::fluent::Locale;

pub const STYLESHEET_PATH: &str = "/auth/page.css";

const STYLESHEET: &str = "\
:root{color-scheme:light dark;font-family:system-ui,sans-serif}\
body{margin:0;min-height:100vh;display:grid;place-items:center;background:Canvas;color:CanvasText}\
main{max-width:28rem;padding:2rem;text-align:center}\
h1{font-size:1.4rem;margin:0 0 .75rem}\
p{line-height:1.5;margin:0 0 1.25rem;opacity:.85}\
a.button{display:inline-block;padding:.6rem 1.2rem;border-radius:.5rem;background:#2563eb;color:#fff;text-decoration:none;font-weight:600}\
a.button:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}";

/// `GET /auth/page.css`.
pub async fn stylesheet() -> Response {
    crate::server::plain_page::stylesheet(STYLESHEET)
}

/// The person's language for a page outside the app: the one they chose, else the
/// browser's.
pub fn locale(headers: &HeaderMap) -> &'static Locale {
    crate::i18n::for_request(headers)
}

/// One page: a heading, a sentence and a link styled as a button. Never stored by a
/// cache, never indexed.
pub fn page(
    status: StatusCode,
    l: &Locale,
    title_id: &str,
    text: &str,
    action_id: &str,
    action_href: &str,
) -> Response {
    let title = escape(&l.t(title_id, &[]));
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\">\
         <title>{title} · agno-chat</title><link rel=\"stylesheet\" href=\"{css}\"></head>\
         <body><main data-testid=\"sign-in-page\"><h1>{title}</h1><p>{text}</p>\
         <a class=\"button\" data-testid=\"sign-in-action\" href=\"{href}\">{action}</a></main></body></html>",
        lang = l.tag,
        css = STYLESHEET_PATH,
        text = escape(text),
        href = escape(action_href),
        action = escape(&l.t(action_id, &[])),
    );
    crate::server::plain_page::respond(status, html)
}

/// The message `id` with a `reason` variable.
pub fn text_with_reason(l: &Locale, id: &str, reason: &str) -> String {
    l.t(id, &[("reason", Arg::Text(reason.to_owned()))])
}
