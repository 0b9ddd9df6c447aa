//! `GET /share/{token}`: a shared conversation, rendered on the server for anyone with
//! the link, signed in or not. Plain HTML with its own stylesheet and a closed Content
//! Security Policy: no script, no composer, no actions. Never indexed, never cached,
//! never sending the link on as a referrer. A link that does not open, or whose share was
//! revoked or replaced, is "not found", the same as a link that never existed.

use axum::extract::{Path, State};
use axum::http::header::REFERRER_POLICY;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

use crate::chat::history::HistoryTurn;
use crate::error::ApiError;
use crate::i18n::catalogue::Arg;
use crate::i18n::fluent::Locale;
use crate::model::AssistantRef;
use crate::server::annotations::Place;
use crate::server::plain_page::escape;
use crate::server::state::AppState;

pub const STYLESHEET_PATH: &str = "/share/page.css";

const STYLESHEET: &str = "\
:root{color-scheme:light dark;font-family:system-ui,sans-serif;line-height:1.55}\
body{margin:0;background:Canvas;color:CanvasText}\
header,main,footer{max-width:46rem;margin:0 auto;padding:1rem 1.25rem}\
header{border-bottom:1px solid color-mix(in srgb,CanvasText 15%,transparent)}\
h1{font-size:1.3rem;margin:.25rem 0}\
.note{opacity:.75;font-size:.9rem;margin:0}\
.turn{margin:1.5rem 0}\
.question{margin-left:auto;max-width:85%;width:fit-content;padding:.6rem .9rem;border-radius:1rem;\
background:color-mix(in srgb,CanvasText 8%,Canvas);white-space:pre-wrap;overflow-wrap:anywhere}\
.answer{margin-top:.75rem;overflow-wrap:anywhere}\
.answer pre{overflow:auto;padding:.75rem;border-radius:.5rem;background:color-mix(in srgb,CanvasText 6%,Canvas)}\
.answer table{border-collapse:collapse}.answer td,.answer th{border:1px solid color-mix(in srgb,CanvasText 20%,transparent);padding:.25rem .5rem}\
.files{opacity:.75;font-size:.85rem;margin:.25rem 0 0;text-align:right}\
.tools{opacity:.75;font-size:.85rem;margin:0 0 .5rem}\
footer{opacity:.7;font-size:.85rem}";

/// `GET /share/page.css`.
pub async fn stylesheet() -> Response {
    crate::server::plain_page::stylesheet(STYLESHEET)
}

/// `GET /share/{token}`.
pub async fn shared(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let l = crate::i18n::for_request(&headers);
    match conversation(&state, &token).await {
        Ok(Some(shown)) => {
            crate::server::telemetry::metrics::share("viewed");
            page(StatusCode::OK, l, &body(l, &shown))
        }
        Ok(None) | Err(ApiError::NotFound(_)) => not_found(l),
        Err(e) => {
            tracing::warn!(error = %e, "a shared conversation could not be shown");
            notice(
                StatusCode::SERVICE_UNAVAILABLE,
                l,
                "share-unavailable",
                "share-unavailable-title",
                "share-unavailable",
            )
        }
    }
}

/// What a shared page shows.
struct Shown {
    assistant_name: String,
    shared_at: i64,
    turns: Vec<HistoryTurn>,
}

/// The shared conversation, or `None` when the link does not open a live share.
async fn conversation(state: &AppState, token: &str) -> Result<Option<Shown>, ApiError> {
    let Some(sealed) = state.shares.open(token) else {
        return Ok(None);
    };
    let at = Place {
        kind: sealed.kind,
        assistant_id: sealed.assistant_id.clone(),
        session_id: sealed.session_id.clone(),
        user_id: sealed.owner.clone(),
    };
    let notes = state.annotations.read(&at).await?;
    let Some(share) = notes.live_share(&sealed.share_id) else {
        return Ok(None);
    };
    let runs = state
        .agentos
        .session_runs(at.kind, &at.session_id, &at.user_id, None)
        .await?;
    if crate::chat::history::runs_owned_by(&runs, at.kind, &at.assistant_id, &at.user_id)
        == Some(false)
    {
        return Ok(None);
    }
    let mut stored = crate::chat::history::turns_from_runs(&runs);
    let turns = share
        .runs
        .iter()
        .filter_map(|id| {
            let i = stored.iter().position(|t| &t.run_id == id)?;
            Some(stored.swap_remove(i))
        })
        .collect();
    let assistant = AssistantRef::new(at.kind, at.assistant_id.clone());
    let assistant_name = state
        .catalog()
        .await
        .ok()
        .and_then(|c| c.find(&assistant).map(|a| a.name.clone()))
        .unwrap_or_else(|| at.assistant_id.to_string());
    Ok(Some(Shown {
        assistant_name,
        shared_at: share.created_at,
        turns,
    }))
}

fn body(l: &Locale, shown: &Shown) -> String {
    let mut html = format!(
        "<header><h1 data-testid=\"shared-title\">{name}</h1>\
         <p class=\"note\" data-testid=\"shared-note\">{note}</p></header><main>",
        name = escape(&shown.assistant_name),
        note = escape(&l.t(
            "share-page-note",
            &[("date", Arg::Text(utc_minute(shown.shared_at)))]
        )),
    );
    for turn in &shown.turns {
        html.push_str("<section class=\"turn\" data-testid=\"shared-turn\">");
        html.push_str(&format!(
            "<div class=\"question\" data-testid=\"shared-question\">{}</div>",
            escape(&turn.question)
        ));
        let files: Vec<&str> = turn
            .attachments
            .iter()
            .filter_map(|m| m.name.as_deref())
            .collect();
        if !files.is_empty() {
            html.push_str(&format!(
                "<p class=\"files\">{}</p>",
                escape(&files.join(", "))
            ));
        }
        html.push_str("<div class=\"answer\" data-testid=\"shared-answer\">");
        let tools: Vec<&str> = turn
            .answer
            .tools
            .iter()
            .map(|t| t.tool_name.as_str())
            .collect();
        if !tools.is_empty() {
            html.push_str(&format!(
                "<p class=\"tools\">{}</p>",
                escape(&l.t(
                    "share-page-tools",
                    &[("tools", Arg::Text(tools.join(", ")))]
                ))
            ));
        }
        // Markdown made safe the same way as in the app (raw HTML becomes text).
        html.push_str(&crate::chat::markdown::to_safe_html(&turn.answer.text));
        html.push_str("</div></section>");
    }
    html.push_str(&format!(
        "</main><footer>{}</footer>",
        escape(&l.t("share-page-footer", &[]))
    ));
    html
}

/// `2026-12-06 01:56 UTC`: the same for every reader, wherever they are.
fn utc_minute(epoch_s: i64) -> String {
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(epoch_s.max(0) as u64);
    let iso = crate::server::health::rfc3339(at);
    format!("{} UTC", iso.get(..16).unwrap_or(&iso).replace('T', " "))
}

fn not_found(l: &Locale) -> Response {
    notice(
        StatusCode::NOT_FOUND,
        l,
        "share-not-found",
        "share-not-found-title",
        "share-not-found",
    )
}

/// A page with a heading and a sentence instead of a conversation.
fn notice(
    status: StatusCode,
    l: &Locale,
    test_id: &str,
    title_id: &str,
    text_id: &str,
) -> Response {
    page(
        status,
        l,
        &format!(
            "<main data-testid=\"{test_id}\"><h1>{}</h1><p>{}</p></main>",
            escape(&l.t(title_id, &[])),
            escape(&l.t(text_id, &[]))
        ),
    )
}

fn page(status: StatusCode, l: &Locale, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex, nofollow\">\
         <title>{title} · agno-chat</title><link rel=\"stylesheet\" href=\"{css}\"></head>\
         <body data-testid=\"shared-page\">{body}</body></html>",
        lang = l.tag,
        title = escape(&l.t("share-page-title", &[])),
        css = STYLESHEET_PATH,
    );
    let mut resp = crate::server::plain_page::respond(status, html);
    // Links in answers do not pass the share's address on.
    resp.headers_mut()
        .insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    resp
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_share_time_reads_the_same_everywhere() {
        assert_eq!(super::utc_minute(1_764_985_200), "2025-12-06 01:40 UTC");
        assert_eq!(super::utc_minute(-5), "1970-01-01 00:00 UTC");
    }
}
