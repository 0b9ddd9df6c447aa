use leptos::prelude::*;
use leptos::server_fn::codec::{ByteStream, Json, Postcard, Streaming};

use super::ApiError;
use crate::model::{AssistantId, AssistantKind, RunId, SessionId};
#[cfg(feature = "ssr")]
use crate::server::caller::Caller;

pub use crate::model::ChatRequest;

/// Starts a run and streams its events (one JSON [`RunEvent`](crate::chat::event::RunEvent)
/// per line). Problems, including invalid input, arrive in-band as a `failed` event.
#[server(prefix = "/api", endpoint = "chat/send", input = Json, output = Streaming)]
pub async fn send_message(req: ChatRequest) -> Result<ByteStream<ApiError>, ApiError> {
    use crate::chat::event::RunEvent;
    use crate::chat::framing::encode;
    use crate::server::proxy::{proxy_run, StreamTimeouts};
    use crate::server::sending::{prepare, NotSent};

    let Caller {
        state,
        user,
        limit_key,
        access,
    } = Caller::get().await?;
    let (run, permit) = match prepare(&state, &user.0, &limit_key, &access, &req).await {
        Ok(ready) => ready,
        Err(NotSent::Forbidden(e)) => return Err(e),
        Err(NotSent::Refused(kind, message)) => {
            tracing::info!(%message, kind = kind.name(), "message refused");
            no_buffering_headers();
            let line = bytes::Bytes::from(encode(&RunEvent::Failed { kind, message }));
            return Ok(ByteStream::new(futures::stream::once(async move {
                Ok::<_, ApiError>(line)
            })));
        }
    };
    no_buffering_headers();
    let timeouts = StreamTimeouts::from_config(&state.config);
    let account = crate::server::budgets::Account::new(&state, &user.0, &access);
    let stream = proxy_run(
        state.agentos.clone(),
        run,
        timeouts,
        state.runs.clone(),
        account,
    );
    Ok(held(stream, permit))
}

/// Continues streaming one of the caller's background runs after `last_event_index`
/// (from its start when `None`): after a reload or a dropped connection.
#[server(prefix = "/api", endpoint = "chat/resume", output = Streaming)]
pub async fn resume_run(
    kind: AssistantKind,
    assistant_id: AssistantId,
    session_id: SessionId,
    run_id: RunId,
    last_event_index: Option<u64>,
) -> Result<ByteStream<ApiError>, ApiError> {
    use crate::agentos::RunRequest;
    use crate::server::proxy::Resume;

    let caller = Caller::get().await?;
    caller.may_use(kind, assistant_id.as_str())?;
    let Caller {
        state,
        user,
        limit_key,
        access,
    } = caller;
    // Before anything streams: the run must be one of the caller's session's.
    state
        .ownership()
        .owned_run(kind, &assistant_id, &session_id, &run_id, &user.0)
        .await?;
    let permit = stream_slot(&state, &limit_key).await?;
    let run = RunRequest {
        kind,
        assistant_id: assistant_id.into(),
        message: String::new(),
        user_id: user.0,
        session_id: Some(session_id.to_string()),
        follows: None,
        trace: None,
        background: true,
    };
    let resume = Resume {
        run_id: run_id.into(),
        session_id: session_id.into(),
        last_event_index,
        continue_with: None,
    };
    Ok(resumed(&state, run, resume, permit, &access))
}

/// Stops a run the current user started. Unknown runs, or other users' runs, are
/// "not found".
#[server(prefix = "/api", endpoint = "chat/cancel", output = Postcard)]
pub async fn cancel_run(run_id: RunId) -> Result<(), ApiError> {
    let Caller { state, user, .. } = Caller::get().await?;
    let Some(run) = state.runs.owned_anywhere(&run_id, &user.0).await else {
        return Err(ApiError::Invalid(
            "That answer is not running any more.".into(),
        ));
    };
    state
        .agentos
        .cancel_run(
            run.kind,
            &run.assistant_id,
            &run_id,
            run.session_id.as_deref(),
            &user.0,
        )
        .await?;
    tracing::info!(%run_id, "run cancelled by the user");
    Ok(())
}

/// A stream slot for the caller, or the refusal that says to wait.
#[cfg(feature = "ssr")]
pub(super) async fn stream_slot(
    state: &crate::server::state::AppState,
    limit_key: &str,
) -> Result<crate::server::limits::StreamPermit, ApiError> {
    state
        .streams
        .acquire(limit_key)
        .await
        .map_err(|why| ApiError::RateLimited {
            retry_after_s: 2,
            message: why.message(),
        })
}

/// Continues one of the caller's runs (already checked to be theirs) with the `/continue`
/// form `fields`, streaming what follows to the browser like `send_message`.
#[cfg(feature = "ssr")]
pub(super) struct Continuation {
    pub kind: AssistantKind,
    pub assistant_id: AssistantId,
    pub session_id: SessionId,
    pub run_id: RunId,
    pub fields: Vec<(&'static str, String)>,
}

#[cfg(feature = "ssr")]
impl Continuation {
    pub(super) fn stream(
        self,
        state: &crate::server::state::AppState,
        user_id: String,
        permit: crate::server::limits::StreamPermit,
        access: &std::sync::Arc<crate::server::policy::Access>,
    ) -> ByteStream<ApiError> {
        use crate::agentos::RunRequest;
        use crate::server::proxy::Resume;
        let run = RunRequest {
            kind: self.kind,
            assistant_id: self.assistant_id.into(),
            message: String::new(),
            user_id,
            session_id: Some(self.session_id.to_string()),
            follows: None,
            trace: None,
            // AgentOS continues runs in the foreground only.
            background: false,
        };
        let resume = Resume {
            run_id: self.run_id.into(),
            session_id: self.session_id.into(),
            last_event_index: None,
            continue_with: Some(self.fields),
        };
        resumed(state, run, resume, permit, access)
    }
}

/// An existing run's stream (replayed, or continued), proxied to the browser.
#[cfg(feature = "ssr")]
fn resumed(
    state: &crate::server::state::AppState,
    run: crate::agentos::RunRequest,
    resume: crate::server::proxy::Resume,
    permit: crate::server::limits::StreamPermit,
    access: &std::sync::Arc<crate::server::policy::Access>,
) -> ByteStream<ApiError> {
    use crate::server::proxy::{proxy_resume, StreamTimeouts};
    let timeouts = StreamTimeouts::from_config(&state.config);
    no_buffering_headers();
    let account = crate::server::budgets::Account::new(state, &run.user_id, access);
    let stream = proxy_resume(
        state.agentos.clone(),
        run,
        resume,
        timeouts,
        state.runs.clone(),
        account,
    );
    held(stream, permit)
}

/// The browser-bound stream of a run; its stream slot stays taken while the browser reads.
#[cfg(feature = "ssr")]
pub(super) fn held(
    stream: impl futures::Stream<Item = bytes::Bytes> + Send + 'static,
    permit: crate::server::limits::StreamPermit,
) -> ByteStream<ApiError> {
    use futures::StreamExt;
    ByteStream::new(stream.map(move |b| {
        let _held = &permit;
        Ok::<_, ApiError>(b)
    }))
}

/// Streams must reach the browser as they are produced: no proxy buffering, no caching.
#[cfg(feature = "ssr")]
pub(super) fn no_buffering_headers() {
    use axum::http::{header, HeaderValue};
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.insert_header(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache, no-transform"),
        );
        resp.insert_header(
            header::HeaderName::from_static("x-accel-buffering"),
            HeaderValue::from_static("no"),
        );
    }
}
