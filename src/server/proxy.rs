//! The streaming proxy: starts a run on AgentOS and forwards its events to the browser as
//! they arrive, one JSON line each, with first-event and idle timeouts. Every way a stream
//! can end is told to the browser in-band.

use std::time::Duration;

use bytes::Bytes;
use futures::channel::mpsc;
use futures::{SinkExt, Stream, StreamExt};
use tracing::Instrument;

use super::budgets::Account;
use super::runs::{ActiveRun, ActiveRuns, Claims};
use super::telemetry::run::RunTelemetry;
use crate::agentos::sse::{frames, Frame};
use crate::agentos::{AgentOsClient, AgentOsError, RunRequest};
use crate::chat::event::{FailureKind, RunEvent};
use crate::chat::framing::encode;
use crate::chat::upstream::Upstream;

#[derive(Clone, Copy, Debug)]
pub struct StreamTimeouts {
    pub first_event: Duration,
    pub idle: Duration,
}

impl StreamTimeouts {
    /// The configured first-event and idle timeouts.
    pub fn from_config(c: &super::config::Config) -> Self {
        Self {
            first_event: c.first_event_timeout,
            idle: c.idle_timeout,
        }
    }
}

/// Starts `run` and returns the browser-bound byte stream. The work happens in a task;
/// when the browser goes away the channel closes, the task ends and drops the upstream
/// connection (which makes AgentOS cancel a non-background run).
pub fn proxy_run(
    client: AgentOsClient,
    run: RunRequest,
    timeouts: StreamTimeouts,
    active: ActiveRuns,
    account: Account,
) -> impl Stream<Item = Bytes> + Send + 'static {
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    // The stream's log lines stay inside the request's span (request id, user).
    tokio::spawn(
        forward(client, run, None, None, (timeouts, active, account), tx).in_current_span(),
    );
    rx
}

/// A run's whole multipart form, streaming (see `uploads::forward`).
pub struct FilesForm {
    pub content_type: String,
    pub body: reqwest::Body,
    /// Once the body has ended: why a file was refused, if one was, in words for people.
    pub refusal: futures::future::BoxFuture<'static, Option<String>>,
}

/// Like [`proxy_run`], with files: the run is started with `upload` as its multipart form.
/// A file refused while it streams ends the answer with that refusal, said plainly.
pub fn proxy_run_with_files(
    client: AgentOsClient,
    run: RunRequest,
    upload: FilesForm,
    timeouts: StreamTimeouts,
    active: ActiveRuns,
    account: Account,
) -> impl Stream<Item = Bytes> + Send + 'static {
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    tokio::spawn(
        forward(
            client,
            run,
            None,
            Some(upload),
            (timeouts, active, account),
            tx,
        )
        .in_current_span(),
    );
    rx
}

/// Which events of an existing background run to replay before the live ones.
#[derive(Clone, Debug)]
pub struct Resume {
    pub run_id: String,
    pub session_id: String,
    /// Replay after this index; `None` replays the run from its start.
    pub last_event_index: Option<u64>,
    /// Instead of replaying: continue the run with these `/continue` form fields (a paused
    /// run's `tools` or `requirements`; `regenerate`, or `fork` and `input`, for another
    /// version of a finished one).
    pub continue_with: Option<Vec<(&'static str, String)>>,
}

/// Like [`proxy_run`], for resuming a background run of `run.assistant_id`.
pub fn proxy_resume(
    client: AgentOsClient,
    run: RunRequest,
    resume: Resume,
    timeouts: StreamTimeouts,
    active: ActiveRuns,
    account: Account,
) -> impl Stream<Item = Bytes> + Send + 'static {
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    tokio::spawn(
        forward(
            client,
            run,
            Some(resume),
            None,
            (timeouts, active, account),
            tx,
        )
        .in_current_span(),
    );
    rx
}

async fn forward(
    client: AgentOsClient,
    mut run: RunRequest,
    resume: Option<Resume>,
    upload: Option<FilesForm>,
    (timeouts, active, account): (StreamTimeouts, ActiveRuns, Account),
    mut tx: mpsc::Sender<Bytes>,
) {
    let mut log = RunTelemetry::start(&run, resume.as_ref().map(|r| r.run_id.as_str()));
    run.trace = log.traceparent();
    // Released when this task ends, on every path.
    let mut claims = Claims::new(active, &run.user_id);
    if let Some(r) = &resume {
        // The run is known already: its owner may stop it while it resumes. Someone else's
        // entry is never taken over (the caller checked the run is in the caller's session).
        let mine = claims.claim(
            &r.run_id,
            ActiveRun {
                user_id: run.user_id.clone(),
                kind: run.kind,
                assistant_id: run.assistant_id.clone(),
                session_id: Some(r.session_id.clone()),
            },
        );
        if !mine {
            tracing::warn!(run_id = %r.run_id, "resume refused: the run is streaming for another user");
            log.start_failed("run held by another user");
            let ev = RunEvent::Failed {
                kind: FailureKind::Rejected,
                message: "That answer was not found.".into(),
            };
            let _ = tx.send(Bytes::from(encode(&ev))).await;
            log.end();
            return;
        }
    }
    let mut refusal = None;
    let response = match (&resume, upload) {
        (None, Some(upload)) => {
            refusal = Some(upload.refusal);
            client
                .start_run_with_files(&run, &upload.content_type, upload.body)
                .await
        }
        (None, None) => client.start_run(&run).await,
        (
            Some(Resume {
                run_id,
                session_id,
                continue_with: Some(fields),
                ..
            }),
            _,
        ) => {
            client
                .continue_run(
                    run.kind,
                    &run.assistant_id,
                    run_id,
                    session_id,
                    &run.user_id,
                    fields,
                )
                .await
        }
        (Some(r), _) => {
            client
                .resume_run(
                    run.kind,
                    &run.assistant_id,
                    &r.run_id,
                    &r.session_id,
                    &run.user_id,
                    r.last_event_index,
                )
                .await
        }
    };
    let resp = match response {
        Ok(r) => r,
        Err(e) => {
            // A refused file explains the failure better than the aborted request does.
            let refused = match refusal {
                Some(r) => r.await,
                None => None,
            };
            let (kind, message) = match refused {
                Some(why) => (FailureKind::Invalid, why),
                None => describe_start_error(&e),
            };
            tracing::warn!(error = %e, assistant = %run.assistant_id, "run could not start");
            log.start_failed(&e.to_string());
            let _ = tx
                .send(Bytes::from(encode(&RunEvent::Failed { kind, message })))
                .await;
            log.end();
            return;
        }
    };
    let mut upstream = std::pin::pin!(frames(resp.bytes_stream()));
    let mut seen_any = false;
    let mut finished = false;
    // The browser left while a background run goes on (see below).
    let mut detached = false;
    let mut ids: Option<(String, String)> = resume
        .as_ref()
        .map(|r| (r.run_id.clone(), r.session_id.clone()));
    loop {
        let limit = if seen_any {
            timeouts.idle
        } else {
            timeouts.first_event
        };
        let next = tokio::select! {
            next = tokio::time::timeout(limit, upstream.next()) => next,
            () = super::drain::closing() => {
                // AgentOS goes on with the run; the browser resumes it through another
                // replica from the last event it saw.
                log.set_status("drained");
                let ev = RunEvent::Failed {
                    kind: FailureKind::Upstream,
                    message: "This server is restarting; the answer goes on through another.".into(),
                };
                let _ = tx.send(Bytes::from(encode(&ev))).await;
                break;
            }
        };
        let frame = match next {
            Err(_) => {
                let (kind, message) = if seen_any {
                    (
                        FailureKind::IdleTimeout,
                        format!(
                            "The agent stopped sending for {} s; the answer so far is kept.",
                            limit.as_secs()
                        ),
                    )
                } else {
                    (
                        FailureKind::FirstEventTimeout,
                        format!(
                            "The agent did not start answering within {} s.",
                            limit.as_secs()
                        ),
                    )
                };
                log.set_status("timeout");
                let _ = tx
                    .send(Bytes::from(encode(&RunEvent::Failed { kind, message })))
                    .await;
                break;
            }
            Ok(None) => {
                if !finished {
                    log.set_status("broken");
                    let ev = RunEvent::Failed {
                        kind: FailureKind::Upstream,
                        message: "The answer stopped before it was finished; what arrived is kept."
                            .into(),
                    };
                    let _ = tx.send(Bytes::from(encode(&ev))).await;
                }
                break;
            }
            Ok(Some(f)) => f,
        };
        match frame {
            Frame::Parsed(Upstream::Events(events)) => {
                seen_any = true;
                for mut ev in events {
                    log.observe(&ev);
                    if let RunEvent::Media { items } = &mut ev {
                        if let Some((run_id, session_id)) = &ids {
                            locate_stored(&client, &run, run_id, session_id, items).await;
                        }
                    }
                    // A run that starts, or another version of a finished run (a run of
                    // its own): its owner may stop it, and its media are found under its id.
                    let new_run = match (&ev, &resume) {
                        (
                            RunEvent::Started {
                                run_id, session_id, ..
                            },
                            _,
                        ) => Some((run_id, session_id.clone(), run.session_id.clone())),
                        (RunEvent::Continued { run_id }, Some(r)) if *run_id != r.run_id => {
                            Some((run_id, Some(r.session_id.clone()), None))
                        }
                        _ => None,
                    };
                    if let Some((run_id, session_id, asked_in)) = new_run {
                        if let Some(sid) = session_id.clone().or(asked_in) {
                            ids = Some((run_id.clone(), sid));
                        }
                        claims.claim(
                            run_id,
                            ActiveRun {
                                user_id: run.user_id.clone(),
                                kind: run.kind,
                                assistant_id: run.assistant_id.clone(),
                                session_id,
                            },
                        );
                    }
                    // What the run spent is counted as it ends, and any budget warning
                    // is said before the end.
                    if let Some((usage, notify)) = spent(&run, &ev, ids.as_ref(), &log) {
                        let notice = account.ended(&usage).await;
                        if let (Some(message), true, false) = (notice, notify, detached) {
                            let _ = tx
                                .send(Bytes::from(encode(&RunEvent::Notice { message })))
                                .await;
                        }
                    }
                    finished |= ev.is_terminal();
                    if detached {
                        continue;
                    }
                    if tx.send(Bytes::from(encode(&ev))).await.is_err() {
                        log.set_status("client_gone");
                        if !run.background || finished {
                            finished = true;
                            break;
                        }
                        // A background run goes on without the browser; it is followed to
                        // its end (quietly) so that what it spends is counted.
                        detached = true;
                    }
                }
                if log.status() == "client_gone" && (finished || !detached) {
                    break;
                }
            }
            Frame::Parsed(Upstream::Ignored) => seen_any = true,
            Frame::Parsed(Upstream::Unknown(name)) => {
                seen_any = true;
                tracing::debug!(event = %name, "unknown AgentOS event skipped");
            }
            Frame::Malformed(e) => {
                seen_any = true;
                tracing::warn!(error = %e, "malformed AgentOS event skipped");
            }
            Frame::Broken(reason) => {
                log.set_status("broken");
                tracing::warn!(%reason, "AgentOS stream broke off");
                let ev = RunEvent::Failed {
                    kind: FailureKind::Upstream,
                    message: "The connection to the agent service broke off; what arrived is kept."
                        .into(),
                };
                let _ = tx.send(Bytes::from(encode(&ev))).await;
                break;
            }
        }
    }
    drop(claims);
    log.end();
}

/// What a run that just ended spent, from its `RunCompleted` (a team member's too), and
/// whether a budget warning may follow it (the person's own run, not a member's).
fn spent(
    run: &RunRequest,
    ev: &RunEvent,
    ids: Option<&(String, String)>,
    log: &RunTelemetry,
) -> Option<(super::usage::runs::RunUsage, bool)> {
    use super::usage::runs::{ModelTokens, RunUsage};
    let (run_id, metrics, own) = match ev {
        RunEvent::Completed {
            metrics: Some(m), ..
        } => (ids?.0.clone(), m, true),
        RunEvent::Member {
            member_run_id,
            event,
            ..
        } => match event.as_ref() {
            RunEvent::Completed {
                metrics: Some(m), ..
            } => (member_run_id.clone(), m, false),
            _ => return None,
        },
        _ => return None,
    };
    let mut models = metrics.models.clone();
    let (input, output) = (
        metrics.input_tokens.unwrap_or(0),
        metrics.output_tokens.unwrap_or(0),
    );
    if models.is_empty() && input + output > 0 {
        models.push(ModelTokens {
            model: log.model().unwrap_or("unknown").to_owned(),
            provider: String::new(),
            input,
            output,
        });
    }
    Some((
        RunUsage {
            run_id,
            user: run.user_id.clone(),
            at: super::usage::now(),
            assistant: format!("{}:{}", run.kind.query_key(), run.assistant_id),
            models,
        },
        own,
    ))
}

/// Streamed media come as base64 with no storage key; AgentOS stored the run (and its
/// media) before it sent `RunCompleted`, so the stored run names each one's key, and the
/// browser fetches them by address rather than receiving the bytes in the stream.
async fn locate_stored(
    client: &AgentOsClient,
    run: &RunRequest,
    run_id: &str,
    session_id: &str,
    items: &mut [crate::chat::media::MediaItem],
) {
    if items.iter().all(|i| i.key.is_some()) {
        return;
    }
    match client
        .get_run(
            run.kind,
            &run.assistant_id,
            run_id,
            session_id,
            &run.user_id,
        )
        .await
    {
        Ok(stored) => {
            let stored = crate::chat::media::output_media(&stored);
            for item in items.iter_mut().filter(|i| i.key.is_none()) {
                if let Some(s) = stored.iter().find(|s| s.id == item.id) {
                    item.key = s.key.clone();
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "the stored media of a run could not be read"),
    }
    crate::chat::media::locate(items, run.kind, &run.assistant_id, session_id);
}

fn describe_start_error(e: &AgentOsError) -> (FailureKind, String) {
    match e {
        AgentOsError::Connect(_) | AgentOsError::Timeout(_) => (
            FailureKind::Connect,
            "The agent service is not answering. Try again in a moment.".into(),
        ),
        AgentOsError::Status {
            status: 401 | 403,
            detail,
        } => (
            FailureKind::Unauthorized,
            format!("The chat is not authorised to use this agent ({detail})."),
        ),
        AgentOsError::Status { status: 429, .. } => (
            FailureKind::RateLimited,
            "The agent service is busy. Try again in a moment.".into(),
        ),
        AgentOsError::Status { detail, .. } => (
            FailureKind::Rejected,
            format!("The agent service refused the message: {detail}"),
        ),
        // Logged by the caller; people get what happened, not the machinery.
        _ => (
            FailureKind::Upstream,
            "The message could not be sent. Try again in a moment.".into(),
        ),
    }
}
