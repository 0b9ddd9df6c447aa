//! The streaming proxy against a fault-injecting fake AgentOS: streams that break off,
//! stall before or between events, malformed and unknown frames, frames split byte by
//! byte (inside UTF-8 characters), and refusals before streaming. Every case must end
//! with an in-band event that says why.

use std::net::SocketAddr;
use std::time::Duration;

use agno_chat::agentos::{AgentOsClient, ClientOptions, Credentials, RunRequest};
use agno_chat::chat::event::{FailureKind, RunEvent};
use agno_chat::chat::framing::LineDecoder;
use agno_chat::model::AssistantKind;
use agno_chat::server::budgets::Account;
use agno_chat::server::proxy::{proxy_resume, proxy_run, Resume, StreamTimeouts};
use agno_chat::server::runs::{ActiveRun, ActiveRuns};
use agno_chat::server::usage::UsageBook;
use axum::body::Body;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use bytes::Bytes;
use futures::StreamExt;

fn frame(name: &str, data: &str) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

fn started() -> String {
    frame(
        "RunStarted",
        r#"{"event":"RunStarted","run_id":"r1","session_id":"s1","agent_id":"a"}"#,
    )
}

fn content(text: &str) -> String {
    frame(
        "RunContent",
        &format!(
            r#"{{"event":"RunContent","run_id":"r1","content":{}}}"#,
            serde_json::to_string(text).unwrap()
        ),
    )
}

fn completed(text: &str) -> String {
    frame(
        "RunCompleted",
        &format!(
            r#"{{"event":"RunCompleted","run_id":"r1","content":{}}}"#,
            serde_json::to_string(text).unwrap()
        ),
    )
}

fn sse(chunks: Vec<(u64, Result<Vec<u8>, &'static str>)>) -> Response {
    let stream = futures::stream::iter(chunks).then(|(delay_ms, chunk)| async move {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        chunk.map(Bytes::from).map_err(std::io::Error::other)
    });
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from_stream(stream))
        .unwrap()
}

#[derive(serde::Deserialize)]
struct RunForm {
    message: String,
    user_id: String,
    stream: String,
}

async fn runs(Form(f): Form<RunForm>) -> Response {
    assert_eq!(f.stream, "true");
    assert_eq!(f.user_id, "u1");
    let ok = |s: String| (0u64, Ok::<_, &'static str>(s.into_bytes()));
    match f.message.as_str() {
        "complete" => sse(vec![ok(started()), ok(content("Hi")), ok(completed("Hi"))]),
        "ends-early" => sse(vec![ok(started()), ok(content("partial"))]),
        "breaks" => sse(vec![
            ok(started()),
            ok(content("partial")),
            (0, Err("boom")),
        ]),
        "stall-first" => sse(vec![(5_000, Ok(started().into_bytes()))]),
        "stall-mid" => sse(vec![
            ok(started()),
            ok(content("so far")),
            (5_000, Ok(completed("x").into_bytes())),
        ]),
        "malformed" => sse(vec![
            ok(started()),
            ok(frame("RunContent", "{not json")),
            ok(frame("SomethingNew", r#"{"event":"SomethingNew"}"#)),
            ok(content("after")),
            ok(completed("after")),
        ]),
        "split" => {
            let all = format!(
                "{}{}{}{}",
                started(),
                content("héllo "),
                content("wörld 👋"),
                completed("héllo wörld 👋")
            );
            sse(all
                .into_bytes()
                .into_iter()
                .map(|b| (1, Ok(vec![b])))
                .collect())
        }
        // Media streamed inline, as AgentOS streams them; the stored run names their keys.
        "media" | "media-unstored" => {
            let run_id = if f.message == "media" {
                "r1"
            } else {
                "r-unstored"
            };
            let start = frame(
                "RunStarted",
                &format!(r#"{{"event":"RunStarted","run_id":"{run_id}","session_id":"s1"}}"#),
            );
            let done = frame(
                "RunCompleted",
                &format!(
                    r#"{{"event":"RunCompleted","run_id":"{run_id}","content":"Here.","images":[{{"id":"img1","mime_type":"image/png","alt_text":"a square","content":"iVBORw0KGgo="}}]}}"#
                ),
            );
            sse(vec![ok(start), ok(done)])
        }
        "unauthorized" => (
            StatusCode::UNAUTHORIZED,
            r#"{"detail":"Token has expired"}"#,
        )
            .into_response(),
        "busy" => (StatusCode::TOO_MANY_REQUESTS, r#"{"detail":"slow down"}"#).into_response(),
        "missing" => (StatusCode::NOT_FOUND, r#"{"detail":"Session not found"}"#).into_response(),
        _ => (StatusCode::BAD_REQUEST, "unknown case").into_response(),
    }
}

/// `/resume`: the run "gone" is refused as AgentOS refuses an unknown run; any other is
/// replayed and completes.
async fn resume(
    axum::extract::Path((_, run_id)): axum::extract::Path<(String, String)>,
) -> Response {
    match run_id.as_str() {
        "gone" => (StatusCode::NOT_FOUND, r#"{"detail":"Run not found"}"#).into_response(),
        _ => sse(vec![(0, Ok(completed("again").into_bytes()))]),
    }
}

/// One stored run: `r1` with its image's storage key; any other is a server error.
async fn stored_run(
    axum::extract::Path((_, run_id)): axum::extract::Path<(String, String)>,
) -> Response {
    match run_id.as_str() {
        "r1" => axum::Json(serde_json::json!({
            "run_id": "r1",
            "images": [{"id": "img1", "mime_type": "image/png",
                "media_reference": {"media_id": "img1", "storage_key": "s1-img1-abc.png", "size": 8}}]
        }))
        .into_response(),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "db down").into_response(),
    }
}

async fn serve() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/agents/{id}/runs", post(runs))
        .route("/agents/{id}/runs/{run_id}/resume", post(resume))
        .route("/agents/{id}/runs/{run_id}", axum::routing::get(stored_run));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// Budgets play no part in these faults.
fn uncounted(addr: SocketAddr) -> Account {
    Account::uncounted(UsageBook::new(client(addr), Default::default(), Vec::new()))
}

fn client(addr: SocketAddr) -> AgentOsClient {
    AgentOsClient::new(ClientOptions {
        base_url: format!("http://{addr}").parse().unwrap(),
        credentials: Credentials::none(),
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_secs(2),
    })
    .unwrap()
}

/// Resumes `run_id` as `user`, with `active` as the registry of running answers.
async fn resume_case(
    addr: SocketAddr,
    user: &str,
    run_id: &str,
    active: ActiveRuns,
) -> Vec<RunEvent> {
    let run = RunRequest {
        kind: AssistantKind::Agent,
        assistant_id: "a".into(),
        message: String::new(),
        user_id: user.into(),
        session_id: Some("s1".into()),
        follows: None,
        trace: None,
        background: true,
    };
    let resume = Resume {
        run_id: run_id.into(),
        session_id: "s1".into(),
        last_event_index: None,
        continue_with: None,
    };
    collect(proxy_resume(
        client(addr),
        run,
        resume,
        TIMEOUTS,
        active,
        uncounted(addr),
    ))
    .await
}

const TIMEOUTS: StreamTimeouts = StreamTimeouts {
    first_event: Duration::from_millis(400),
    idle: Duration::from_millis(400),
};

/// The browser-bound stream's events, once it has ended.
async fn collect(out: impl futures::Stream<Item = Bytes>) -> Vec<RunEvent> {
    let chunks: Vec<Bytes> = tokio::time::timeout(Duration::from_secs(10), out.collect())
        .await
        .expect("the proxy stream ends");
    let mut d = LineDecoder::new();
    let mut events: Vec<RunEvent> = chunks.iter().flat_map(|c| d.push(c)).collect();
    events.extend(d.finish());
    events
}

async fn run_case(addr: SocketAddr, message: &str) -> Vec<RunEvent> {
    let client = client(addr);
    let run = RunRequest {
        kind: AssistantKind::Agent,
        assistant_id: "a".into(),
        message: message.into(),
        user_id: "u1".into(),
        session_id: None,
        follows: None,
        trace: None,
        background: false,
    };
    let account = Account::uncounted(UsageBook::new(
        client.clone(),
        Default::default(),
        Vec::new(),
    ));
    collect(proxy_run(
        client,
        run,
        TIMEOUTS,
        ActiveRuns::default(),
        account,
    ))
    .await
}

fn failure(events: &[RunEvent]) -> Option<(FailureKind, String)> {
    events.iter().find_map(|e| match e {
        RunEvent::Failed { kind, message } => Some((*kind, message.clone())),
        _ => None,
    })
}

fn text(events: &[RunEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            RunEvent::Content { text } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_complete_run_passes_through() {
    let addr = serve().await;
    let ev = run_case(addr, "complete").await;
    assert!(matches!(ev.first(), Some(RunEvent::Started { run_id, .. }) if run_id == "r1"));
    assert!(matches!(ev.last(), Some(RunEvent::Completed { .. })));
    assert_eq!(failure(&ev), None);
}

#[tokio::test]
async fn a_stream_that_ends_early_is_reported() {
    let addr = serve().await;
    let ev = run_case(addr, "ends-early").await;
    assert_eq!(text(&ev), "partial");
    let (kind, msg) = failure(&ev).unwrap();
    assert_eq!(kind, FailureKind::Upstream);
    assert!(msg.contains("kept"), "{msg}");
}

#[tokio::test]
async fn a_stream_that_breaks_is_reported() {
    let addr = serve().await;
    let ev = run_case(addr, "breaks").await;
    assert_eq!(text(&ev), "partial");
    assert_eq!(failure(&ev).unwrap().0, FailureKind::Upstream);
}

#[tokio::test]
async fn no_first_event_times_out() {
    let addr = serve().await;
    let ev = run_case(addr, "stall-first").await;
    let (kind, msg) = failure(&ev).unwrap();
    assert_eq!(kind, FailureKind::FirstEventTimeout);
    assert!(msg.contains("did not start"), "{msg}");
}

#[tokio::test]
async fn silence_between_events_times_out_keeping_the_text() {
    let addr = serve().await;
    let ev = run_case(addr, "stall-mid").await;
    assert_eq!(text(&ev), "so far");
    assert_eq!(failure(&ev).unwrap().0, FailureKind::IdleTimeout);
}

#[tokio::test]
async fn malformed_and_unknown_frames_are_skipped() {
    let addr = serve().await;
    let ev = run_case(addr, "malformed").await;
    assert_eq!(text(&ev), "after");
    assert!(matches!(ev.last(), Some(RunEvent::Completed { .. })));
    assert_eq!(failure(&ev), None);
}

#[tokio::test]
async fn frames_split_byte_by_byte_keep_utf8_intact() {
    let addr = serve().await;
    let ev = run_case(addr, "split").await;
    assert_eq!(text(&ev), "héllo wörld 👋");
    assert_eq!(failure(&ev), None);
}

#[tokio::test]
async fn refusals_before_streaming_are_explained() {
    let addr = serve().await;
    let (kind, msg) = failure(&run_case(addr, "unauthorized").await).unwrap();
    assert_eq!(kind, FailureKind::Unauthorized);
    assert!(msg.contains("Token has expired"), "{msg}");
    assert_eq!(
        failure(&run_case(addr, "busy").await).unwrap().0,
        FailureKind::RateLimited
    );
    let (kind, msg) = failure(&run_case(addr, "missing").await).unwrap();
    assert_eq!(kind, FailureKind::Rejected);
    assert!(msg.contains("Session not found"), "{msg}");
}

#[tokio::test]
async fn an_unreachable_agentos_is_a_connect_failure() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let ev = run_case(addr, "complete").await;
    assert_eq!(failure(&ev).unwrap().0, FailureKind::Connect);
}

#[tokio::test]
async fn a_resume_that_cannot_start_leaves_no_running_answer_behind() {
    let addr = serve().await;
    let active = ActiveRuns::default();
    let ev = resume_case(addr, "u1", "gone", active.clone()).await;
    assert!(failure(&ev).is_some(), "{ev:?}");
    // The stream has ended; its task releases the run as it finishes.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        active.is_empty(),
        "the failed resume's entry stays registered"
    );
    assert!(active.owned_by("gone", "u1").is_none());

    let ev = resume_case(addr, "u1", "r9", active.clone()).await;
    assert!(
        matches!(ev.last(), Some(RunEvent::Completed { .. })),
        "{ev:?}"
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(active.is_empty(), "a finished resume is released too");
}

#[tokio::test]
async fn another_users_running_answer_is_never_taken_over() {
    let addr = serve().await;
    let active = ActiveRuns::default();
    let alices = ActiveRun {
        user_id: "alice".into(),
        kind: AssistantKind::Agent,
        assistant_id: "a".into(),
        session_id: Some("s1".into()),
    };
    assert!(active.claim("r7", alices.clone()));
    let ev = resume_case(addr, "bob", "r7", active.clone()).await;
    let (_, message) = failure(&ev).expect("bob's resume is refused");
    assert!(message.contains("not found"), "{message}");
    assert!(
        !ev.iter().any(|e| matches!(e, RunEvent::Completed { .. })),
        "{ev:?}"
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        active.owned_by("r7", "alice"),
        Some(alices),
        "alice can still stop it"
    );
    assert!(active.owned_by("r7", "bob").is_none());
}

/// Streamed media reach the browser as addresses, never as their base64; when the stored
/// run cannot be read, the answer still completes and names them without an address.
#[tokio::test]
async fn streamed_media_become_addresses_of_the_stored_files() {
    let addr = serve().await;
    let media = |events: &[RunEvent]| {
        events.iter().find_map(|e| match e {
            RunEvent::Media { items } => Some(items.clone()),
            _ => None,
        })
    };
    let events = run_case(addr, "media").await;
    let items = media(&events).expect("a media event");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].text.as_deref(), Some("a square"));
    assert_eq!(
        items[0].url.as_deref(),
        Some("/api/media/agent/a/s1/s1-img1-abc.png")
    );
    assert!(matches!(events.last(), Some(RunEvent::Completed { .. })));

    let events = run_case(addr, "media-unstored").await;
    let items = media(&events).expect("a media event");
    assert_eq!(items[0].url, None);
    assert!(matches!(events.last(), Some(RunEvent::Completed { .. })));
    assert!(failure(&events).is_none());
}
