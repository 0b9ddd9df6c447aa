//! `GET /api/media/{kind}/{assistant}/{session}/{key}`: a file stored with one of the
//! caller's conversations (an upload, or an image or audio clip in an answer), fetched
//! from AgentOS with the caller's identity after agno-chat checked the conversation is
//! theirs. Only raster images, audio and video are shown inline; anything else (an SVG or
//! HTML file among them) is a download, typed as bytes, under a policy that runs nothing.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::limits::refusal;
use super::policy::Access;
use super::state::AppState;
use super::user::UserId;
use crate::error::ApiError;
use crate::model::{AssistantId, AssistantKind, SessionId};

/// Types a browser may show inline: they cannot carry scripts.
const INLINE: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/bmp",
    "audio/wav",
    "audio/x-wav",
    "audio/mpeg",
    "audio/ogg",
    "audio/mp4",
    "audio/aac",
    "audio/flac",
    "audio/webm",
    "video/mp4",
    "video/webm",
    "video/ogg",
];

/// How a stored file is served: its type, and whether it is shown (else downloaded).
pub fn presentation(content_type: Option<&str>) -> (&'static str, bool) {
    let essence = content_type
        .and_then(|c| c.split(';').next())
        .map(|c| c.trim().to_ascii_lowercase());
    match essence
        .as_deref()
        .and_then(|e| INLINE.iter().find(|t| **t == e))
    {
        Some(t) => (t, true),
        None => ("application/octet-stream", false),
    }
}

fn kind(raw: &str) -> Option<AssistantKind> {
    match raw {
        "agent" => Some(AssistantKind::Agent),
        "team" => Some(AssistantKind::Team),
        _ => None,
    }
}

pub async fn session_media(
    State(state): State<AppState>,
    Extension(user): Extension<UserId>,
    Extension(access): Extension<Arc<Access>>,
    Path((raw_kind, assistant, session, key)): Path<(String, String, String, String)>,
) -> Response {
    let not_found = || refusal(ApiError::NotFound("That file was not found.".into()), None);
    let (Some(kind), Ok(assistant), Ok(session)) = (
        kind(&raw_kind),
        AssistantId::new(assistant.as_str()),
        SessionId::new(session.as_str()),
    ) else {
        return not_found();
    };
    if key.is_empty() || key.len() > 512 || key.split('/').any(|s| s.is_empty() || s == "..") {
        return not_found();
    }
    if let Err(e) = super::caller::require(&access, kind, assistant.as_str()) {
        return refusal(e, None);
    }
    match state
        .ownership()
        .owned_session(kind, &assistant, &session, &user.0)
        .await
    {
        Ok(()) => {}
        Err(ApiError::NotFound(_)) => return not_found(),
        Err(e) => return refusal(e, None),
    }
    let upstream = match state
        .agentos
        .session_media(kind, session.as_str(), &key, &user.0)
        .await
    {
        Ok(r) => r,
        Err(e) => return refusal(e.into(), None),
    };
    if upstream.status() == reqwest::StatusCode::NOT_FOUND {
        return not_found();
    }
    if !upstream.status().is_success() {
        tracing::warn!(
            status = upstream.status().as_u16(),
            "media could not be fetched"
        );
        return refusal(
            ApiError::Unavailable("The file could not be fetched just now.".into()),
            None,
        );
    }
    let (content_type, inline) = presentation(
        upstream
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
    );
    let length = upstream.headers().get(CONTENT_LENGTH).cloned();
    let mut resp = (StatusCode::OK, Body::from_stream(upstream.bytes_stream())).into_response();
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(l) = length {
        h.insert(CONTENT_LENGTH, l);
    }
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; media-src 'self'; img-src 'self'; sandbox"),
    );
    if !inline {
        h.insert(CONTENT_DISPOSITION, HeaderValue::from_static("attachment"));
    }
    // A storage key names one file's content for good; only its owner may keep it.
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::presentation;

    #[test]
    fn only_what_cannot_run_scripts_is_shown() {
        assert_eq!(presentation(Some("image/png")), ("image/png", true));
        assert_eq!(
            presentation(Some("Audio/WAV; rate=24000")),
            ("audio/wav", true)
        );
        for risky in [
            "image/svg+xml",
            "text/html",
            "application/xhtml+xml",
            "text/javascript",
            "application/pdf",
            "text/plain",
        ] {
            assert_eq!(
                presentation(Some(risky)),
                ("application/octet-stream", false),
                "{risky}"
            );
        }
        assert_eq!(presentation(None), ("application/octet-stream", false));
    }
}
