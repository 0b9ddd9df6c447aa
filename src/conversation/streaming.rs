//! The streaming half of the conversation state: running, continuing and resuming an
//! answer's stream, and applying its events. Part of the conversation's lazily loaded
//! code (see `lazy`).

use leptos::prelude::*;

use super::*;
#[cfg(feature = "hydrate")]
use crate::model::{AssistantId, RunId};

/// How a message went out: as text alone, or with files.
#[cfg(feature = "hydrate")]
enum Sending {
    Text(leptos::server_fn::codec::ByteStream<crate::api::ApiError>),
    Files(crate::attachments::UploadAnswer),
}

/// An answer's stream of bytes, however it came (one type, so the code that reads it is
/// there once).
#[cfg(feature = "hydrate")]
type Body<'a> = futures::stream::LocalBoxStream<'a, Result<leptos::server_fn::Bytes, String>>;

/// A server function's stream as a [`Body`].
#[cfg(feature = "hydrate")]
fn body(stream: leptos::server_fn::codec::ByteStream<crate::api::ApiError>) -> Body<'static> {
    use futures::StreamExt;
    stream
        .into_inner()
        .map(|r| r.map_err(|e| e.to_string()))
        .boxed_local()
}

/// The upload's answer as a [`Body`].
#[cfg(feature = "hydrate")]
fn async_stream_of(answer: &mut crate::attachments::UploadAnswer) -> Body<'_> {
    use futures::StreamExt;
    futures::stream::unfold(answer, |a| async move {
        a.next()
            .await
            .map(|c| (c.map(leptos::server_fn::Bytes::from), a))
    })
    .boxed_local()
}

impl ChatState {
    /// Streams the rest of a paused answer after the user's decisions.
    #[cfg(feature = "hydrate")]
    pub(super) async fn continue_into(
        self,
        req: crate::api::ContinueRequest,
        turn_id: u64,
        answer: ArcStore<Answer>,
    ) {
        let _streaming = crate::state::StreamGuard::hold();
        match crate::api::continue_run(req).await {
            Ok(stream) => self.consume(body(stream), &answer).await,
            Err(e) => {
                self.track(Event::Error {
                    kind: "continue".into(),
                });
                self.data.hitl_error().set(Some((turn_id, e.to_string())));
            }
        }
        self.finish(turn_id);
    }

    /// Streams another version of a turn (see `branching`).
    #[cfg(feature = "hydrate")]
    pub(super) async fn branch_into(
        self,
        req: crate::api::BranchRequest,
        turn_id: u64,
        answer: ArcStore<Answer>,
    ) {
        let _streaming = crate::state::StreamGuard::hold();
        self.last_index.set_value(None);
        match crate::api::branch_run(req).await {
            Ok(stream) => self.consume(body(stream), &answer).await,
            Err(e) => self.apply(
                &answer,
                vec![RunEvent::Failed {
                    kind: FailureKind::Rejected,
                    message: t_args("send-failed", &[("error", e.to_string().into())]),
                }],
            ),
        }
        self.finish(turn_id);
    }

    /// Streams one answer (its files are uploaded first, with progress).
    #[cfg(feature = "hydrate")]
    pub(super) async fn run(
        self,
        mut req: crate::api::ChatRequest,
        files: Vec<crate::attachments::PendingFile>,
        turn_id: u64,
        answer: ArcStore<Answer>,
    ) {
        let _streaming = crate::state::StreamGuard::hold();
        req.follows = Some(self.place(turn_id));
        let kind = req.kind;
        let assistant_id = req.assistant_id.clone();
        self.last_index.set_value(None);
        let question = req.message.clone();
        let sent = if files.is_empty() {
            crate::api::send_message(req).await.map(Sending::Text)
        } else {
            crate::attachments::send(self.attachments, req, files.clone())
                .await
                .map(Sending::Files)
        };
        match sent {
            Err(
                e @ (crate::api::ApiError::RateLimited { .. }
                | crate::api::ApiError::SignInRequired(_)),
            ) => self.not_sent(turn_id, question, files, e.to_string()),
            // A refused file, or an upload that was cancelled or broke: nothing ran.
            Err(e) if !files.is_empty() => self.not_sent(turn_id, question, files, e.to_string()),
            Err(e) => self.apply(
                &answer,
                vec![RunEvent::Failed {
                    kind: FailureKind::Connect,
                    message: t_args("send-failed", &[("error", e.to_string().into())]),
                }],
            ),
            Ok(Sending::Text(stream)) => self.consume(body(stream), &answer).await,
            Ok(Sending::Files(mut stream)) => {
                self.consume(async_stream_of(&mut stream), &answer).await
            }
        }
        if self
            .data
            .turns()
            .with_untracked(|ts| ts.iter().any(|t| t.id == turn_id))
        {
            self.resume_if_cut_off(kind, assistant_id, &answer).await;
        }
        self.finish(turn_id);
    }

    /// Nothing was sent: takes the turn back and returns its text (where it is saved, and
    /// found again after signing in) and its files to the composer, with the reason.
    #[cfg(feature = "hydrate")]
    fn not_sent(
        &self,
        turn_id: u64,
        question: String,
        files: Vec<crate::attachments::PendingFile>,
        message: String,
    ) {
        self.data
            .turns()
            .update(|ts| ts.retain(|t| t.id != turn_id));
        self.unplace(turn_id);
        if self.draft.text.with_untracked(|d| d.trim().is_empty()) {
            self.draft.text.set(question);
        }
        if !files.is_empty() {
            self.attachments.put_back(files, &message);
        }
        self.data.announcement().set(message.clone());
        self.data.input_error().set(Some(message));
    }

    /// Streams a background run again, after a reload (from its start) or a broken
    /// connection (after the last event seen), into the same answer.
    #[cfg(feature = "hydrate")]
    pub(super) async fn resume_into(
        self,
        assistant: AssistantRef,
        run_id: RunId,
        turn_id: u64,
        answer: ArcStore<Answer>,
    ) {
        let _streaming = crate::state::StreamGuard::hold();
        let Some(session_id) = self.data.session_id().get_untracked() else {
            return;
        };
        self.last_index.set_value(None);
        patch_answer(&answer, Answer::new());
        match crate::api::resume_run(
            assistant.kind,
            assistant.id.clone(),
            session_id,
            run_id,
            None,
        )
        .await
        {
            Ok(stream) => self.consume(body(stream), &answer).await,
            Err(e) => self.apply(
                &answer,
                vec![RunEvent::Failed {
                    kind: FailureKind::Upstream,
                    message: t_args("resume-failed", &[("error", e.to_string().into())]),
                }],
            ),
        }
        self.resume_if_cut_off(assistant.kind, assistant.id, &answer)
            .await;
        self.finish(turn_id);
    }

    /// After a broken connection, picks the background run up where it left off (a few
    /// tries, with backoff), so no text is lost or repeated.
    #[cfg(feature = "hydrate")]
    pub(super) async fn resume_if_cut_off(
        &self,
        kind: crate::model::AssistantKind,
        assistant_id: AssistantId,
        answer: &ArcStore<Answer>,
    ) {
        for attempt in 0..3u32 {
            let (cut_off, run_id) = answer.with_untracked(|a| {
                (
                    a.status == Status::Interrupted
                        && matches!(
                            a.failure,
                            Some(FailureKind::Upstream | FailureKind::IdleTimeout)
                        ),
                    a.run_id.clone(),
                )
            });
            let (Some(run_id), Some(session_id), Some(last)) = (
                run_id,
                self.data.session_id().get_untracked(),
                self.last_index.get_value(),
            ) else {
                return;
            };
            if !cut_off {
                return;
            }
            gloo_timers::future::TimeoutFuture::new(1_000 << attempt).await;
            self.data.announcement().set(t("reconnecting"));
            match crate::api::resume_run(kind, assistant_id.clone(), session_id, run_id, Some(last))
                .await
            {
                Ok(stream) => {
                    answer.update(|a| a.resume());
                    self.consume(body(stream), answer).await;
                }
                Err(_) => continue,
            }
        }
    }

    #[cfg(feature = "hydrate")]
    pub(super) async fn consume(&self, mut body: Body<'_>, answer: &ArcStore<Answer>) {
        use crate::chat::framing::LineDecoder;
        use futures::StreamExt;

        let mut decoder = LineDecoder::new();
        // However many network chunks arrive in a frame, the answer (and the DOM) is
        // updated at most once per frame; a first token is shown at once.
        let batch = {
            let this = *self;
            let answer = answer.clone();
            crate::state::frame_batch::FrameBatch::new(move |events| this.apply(&answer, events))
        };
        while let Some(chunk) = body.next().await {
            match chunk {
                Ok(bytes) => {
                    let events = decoder.push(&bytes);
                    if !events.is_empty() {
                        batch.push(events);
                    }
                }
                Err(e) => {
                    let mut events = batch.take();
                    events.push(RunEvent::Failed {
                        kind: FailureKind::Upstream,
                        message: t_args("connection-lost", &[("error", e.to_string().into())]),
                    });
                    self.apply(answer, events);
                    break;
                }
            }
        }
        let mut rest = batch.take();
        rest.extend(decoder.finish());
        if !rest.is_empty() {
            self.apply(answer, rest);
        }
        if answer.with_untracked(|a| a.status.is_active()) {
            self.apply(
                answer,
                vec![RunEvent::Failed {
                    kind: FailureKind::Upstream,
                    message: t("connection-closed"),
                }],
            );
        }
    }

    /// Applies a batch of events to an answer in one update.
    pub(super) fn apply(&self, answer: &ArcStore<Answer>, events: Vec<RunEvent>) {
        for ev in &events {
            if let Some(note) = announcement_for(ev) {
                self.data.announcement().set(note);
            }
            if let RunEvent::Checkpoint { event_index } = ev {
                self.last_index.set_value(Some(*event_index));
            }
            if let RunEvent::Notice { message } = ev {
                self.settings.note_budget(message.clone());
                self.data.input_error().set(Some(message.clone()));
            }
            if let RunEvent::Started { run_id, .. } = ev {
                if self.stop_pending.get_value() {
                    self.stop_pending.set_value(false);
                    #[cfg(feature = "hydrate")]
                    if let Ok(run_id) = RunId::new(run_id.as_str()) {
                        leptos::task::spawn_local(async move {
                            let _ = crate::api::cancel_run(run_id).await;
                        });
                    }
                    #[cfg(not(feature = "hydrate"))]
                    let _ = run_id;
                }
            }
            if let RunEvent::Started {
                session_id: Some(sid),
                ..
            } = ev
            {
                let sid = SessionId::new(sid.as_str()).ok();
                if let Some(sid) =
                    sid.filter(|s| self.data.session_id().get_untracked().as_ref() != Some(s))
                {
                    let is_new = self.data.session_id().get_untracked().is_none();
                    self.data.session_id().set(Some(sid.clone()));
                    if let Some(c) = self.data.assistant().get_untracked() {
                        remember_session(&c, Some(&sid));
                    }
                    if is_new {
                        self.track(Event::SessionCreated);
                        let first_question = self
                            .data
                            .turns()
                            .with_untracked(|ts| ts.first().map(|t| t.question.clone()))
                            .unwrap_or_default();
                        self.sessions.add_new(SessionSummary {
                            id: sid,
                            name: first_question.chars().take(80).collect(),
                            updated_at: now_epoch(),
                        });
                    }
                }
            }
        }
        for ev in &events {
            self.track_event(ev);
        }
        let mut next = answer.get_untracked();
        for ev in events {
            next.apply(ev);
        }
        patch_answer(answer, next);
        self.data.tick().update(|t| *t = t.wrapping_add(1));
    }

    /// Analytics for the events of a streaming answer (and error reports for failures).
    pub(super) fn track_event(&self, ev: &RunEvent) {
        match ev {
            RunEvent::Started { .. } => {
                let (sent, _) = self.stream_clock.get_value();
                let after = (crate::state::analytics::now_ms() - sent).max(0.0) as u32;
                self.track(Event::StreamStarted { after_ms: after });
            }
            RunEvent::Content { .. } | RunEvent::Reasoning { .. } => {
                let (sent, first) = self.stream_clock.get_value();
                if first.is_none() {
                    self.stream_clock
                        .set_value((sent, Some(crate::state::analytics::now_ms())));
                }
            }
            RunEvent::Paused { .. } => self.track(Event::RunPaused),
            RunEvent::Continued { .. } => self.track(Event::RunContinued),
            RunEvent::Error { error_type, .. } => self.track(Event::Error {
                kind: format!("run_error:{}", error_type.as_deref().unwrap_or("unknown")),
            }),
            RunEvent::Failed { kind, message } => {
                let kind = kind.name();
                self.track(Event::Error {
                    kind: format!("stream:{kind}"),
                });
                crate::state::analytics::report_error("stream", &format!("{kind}: {message}"));
            }
            _ => {}
        }
    }
}

/// Writes `next` into the answer field by field, each only when it changed: a token
/// notifies what reads the text, and the tool cards, the status and the rest stay still.
pub(super) fn patch_answer(answer: &ArcStore<Answer>, next: Answer) {
    let Answer {
        run_id,
        session_id,
        model,
        text,
        reasoning,
        tools,
        members,
        status,
        error,
        failure,
        metrics,
        paused,
        media,
        sources,
    } = next;
    macro_rules! put {
        ($($field:ident),*) => {$(
            let field = answer.clone().$field();
            if field.with_untracked(|now| *now != $field) {
                field.set($field);
            }
        )*};
    }
    put!(
        run_id, session_id, model, text, reasoning, tools, members, status, error, failure,
        metrics, paused, media, sources
    );
}

/// Ends the streaming answer here, as "Stopped", when AgentOS could not be asked to
/// cancel its run: the stream is dropped, which cancels the run as well.
pub(super) fn stop_here(state: ChatState, answer: ArcStore<Answer>) {
    if let Some(h) = state.abort.get_value() {
        h.abort();
    }
    state.abort.set_value(None);
    state.apply(
        &answer,
        vec![RunEvent::Cancelled {
            reason: Some(t("status-stopped")),
            content: None,
        }],
    );
    state.data.streaming().set(None);
}
