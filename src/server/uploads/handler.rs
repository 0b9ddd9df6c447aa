//! `POST /api/chat/send-files`: a message with files. The form is multipart: first a `req`
//! field (the JSON of a chat request, as `chat/send` takes it), then the `files`. The
//! answer streams as `chat/send`'s does; refusals arrive the same way, in-band.
//!
//! A handler of its own rather than a server function, so that the upload is read as it
//! streams (see `forward::incoming`), never whole.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures::StreamExt;

use super::forward::{forward, incoming, UploadError};
use crate::agentos::AgentOsClient;
use crate::chat::event::RunEvent;
use crate::chat::framing::encode;
use crate::error::ApiError;
use crate::model::ChatRequest;
use crate::server::limits::refusal;
use crate::server::policy::Access;
use crate::server::proxy::{proxy_run_with_files, FilesForm, StreamTimeouts};
use crate::server::sending::{prepare, NotSent};
use crate::server::state::AppState;
use crate::server::user::{LimitKey, UserId};

/// Longest `req` field: the message and a few ids.
const MAX_REQ_BYTES: usize = 256 * 1024;

fn streaming(stream: impl futures::Stream<Item = bytes::Bytes> + Send + 'static) -> Response {
    let mut resp = Body::from_stream(stream.map(Ok::<_, std::convert::Infallible>)).into_response();
    let h = resp.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-transform"),
    );
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    resp
}

fn invalid(message: &str) -> Response {
    refusal(ApiError::Invalid(message.into()), None)
}

pub async fn send_with_files(
    State(state): State<AppState>,
    Extension(user): Extension<UserId>,
    limit_key: Option<Extension<LimitKey>>,
    Extension(access): Extension<Arc<Access>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(boundary) = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok())
    else {
        return invalid("Expected a multipart form.");
    };
    let mut form = incoming(body.into_data_stream(), boundary);
    let req: ChatRequest = match form.next_field().await {
        Ok(Some(mut field)) if field.name() == Some("req") => {
            let mut raw = Vec::new();
            loop {
                match field.chunk().await {
                    Ok(Some(c)) if raw.len() + c.len() <= MAX_REQ_BYTES => {
                        raw.extend_from_slice(&c)
                    }
                    Ok(Some(_)) => return invalid("The message is too long."),
                    Ok(None) => break,
                    Err(e) => return invalid(&format!("The upload could not be read: {e}")),
                }
            }
            match serde_json::from_slice(&raw) {
                Ok(r) => r,
                Err(e) => return invalid(&format!("The request could not be read: {e}")),
            }
        }
        _ => return invalid("The form must start with the message (`req`)."),
    };
    let limit_key = limit_key.map_or_else(|| user.0.clone(), |Extension(k)| k.0);
    let (run, permit) = match prepare(&state, &user.0, &limit_key, &access, &req).await {
        Ok(ready) => ready,
        Err(NotSent::Forbidden(e)) => return refusal(e, None),
        Err(NotSent::Refused(kind, message)) => {
            tracing::info!(%message, kind = kind.name(), "message with files refused");
            let line = bytes::Bytes::from(encode(&RunEvent::Failed { kind, message }));
            return streaming(futures::stream::once(async move { line }));
        }
    };
    let upload = forward(AgentOsClient::run_fields(&run), form, state.config.uploads);
    let outcome = upload.outcome;
    let upload = FilesForm {
        content_type: upload.content_type,
        body: reqwest::Body::wrap_stream(upload.stream),
        refusal: Box::pin(async move {
            match outcome.await {
                Ok(Err(UploadError::Refused(r))) => Some(r.to_string()),
                _ => None,
            }
        }),
    };
    let timeouts = StreamTimeouts::from_config(&state.config);
    let account = crate::server::budgets::Account::new(&state, &user.0, &access);
    let stream = proxy_run_with_files(
        state.agentos.clone(),
        run,
        upload,
        timeouts,
        state.runs.clone(),
        account,
    );
    // The stream slot stays taken while the browser reads.
    streaming(stream.map(move |b| {
        let _held = &permit;
        b
    }))
}
