//! The conversation feature: its data (a store of turns, each a question and its
//! streaming answer, and the session), its actions (send, continue, retry, stop), opening
//! conversations (`opening`), and the code that only a conversation needs, loaded lazily
//! behind one entry point (`lazy`): streaming (`streaming`), showing an opened history
//! (`history`) and the views (`view`). Each answer is a store of its own, written field by
//! field, so while tokens arrive only what reads the streaming answer's text updates.

use leptos::prelude::*;
use reactive_stores::{ArcStore, Store};

pub mod annotations;
mod avatar;
mod branching;
pub mod export;
mod history;
mod hitl;
mod lazy;
mod opening;
mod streaming;
pub mod view;
pub use avatar::{avatar_view, shown_look, ShownAssistant};
use lazy::code;
pub use lazy::{message_list, preload_conversation};
use opening::remember_session;

use crate::analytics::Event;
#[cfg(feature = "hydrate")]
use crate::chat::event::FailureKind;
use crate::chat::event::RunEvent;
use crate::chat::read_ahead::ReadAhead;
#[cfg(feature = "hydrate")]
use crate::chat::reducer::Status;
use crate::chat::reducer::{Answer, AnswerStoreFields};
use crate::chat::validate::clean_message;
use crate::i18n::{t, t_args};
use crate::model::{AssistantRef, SessionId, SessionSummary};
use crate::state::analytics::Analytics;
use crate::state::draft::Draft;
use crate::state::sessions::SessionsState;
use crate::state::settings::Settings;

/// A question and its answer. The answer is a store of its own, written field by field
/// as events arrive (a token changes the text, not the tool cards), and reference-counted
/// rather than owned by a view, so it lives on (and keeps streaming) while the chat view
/// is swapped out, for instance for the "chat unavailable" view.
#[derive(Clone)]
pub struct Turn {
    pub id: u64,
    pub question: String,
    pub answer: ArcStore<Answer>,
    /// When it was asked (seconds since the epoch), shown on hover.
    pub at: Option<i64>,
    /// What was attached to the question.
    pub attachments: Vec<crate::chat::media::MediaItem>,
}

/// What a conversation is, as data: every view reads its fields, and the actions below
/// change them. Each field (and each turn, by its id) is tracked on its own.
#[derive(Store, Default)]
pub struct Conversation {
    /// In order; each has an id of its own. (Keyed fields of a store would put about
    /// 5 KB more in the first load: the list finds a turn by its id itself.)
    pub turns: Vec<Turn>,
    pub session_id: Option<SessionId>,
    /// The agent or team this conversation is with.
    pub assistant: Option<AssistantRef>,
    /// The turn whose answer is streaming, if any.
    pub streaming: Option<u64>,
    /// Why the last send was refused (shown under the box; the text stays in the box), or
    /// that most of a budget is used (from the page, then as an answer ends), until the
    /// person types.
    pub input_error: Option<String>,
    /// Short status messages for screen readers.
    pub announcement: String,
    /// Bumped whenever the streaming answer changes (drives auto-scroll).
    pub tick: u64,
    /// A notice about the conversation itself (e.g. a saved chat that no longer exists).
    pub notice: Option<String>,
    /// True while a stored conversation loads.
    pub loading_history: bool,
    /// Why continuing a paused answer failed (turn id, message); the decisions stay.
    pub hitl_error: Option<(u64, String)>,
    /// Bumped whenever a turn gets another version or another version is shown.
    pub versions: u64,
}

/// The conversation's data, and what its actions need beside it: the page's other state,
/// and the bookkeeping of the streaming answer and of the openings.
#[derive(Clone, Copy)]
pub struct ChatState {
    pub data: Store<Conversation>,
    /// The server's limits and switches (message length, send interval, human in the
    /// loop, generative UI).
    pub settings: Settings,
    sessions: SessionsState,
    /// The composer's text: a refused message goes back into it.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    draft: Draft,
    /// The files of the message being written: sent with it, and put back when refused.
    attachments: crate::attachments::Attachments,
    analytics: Analytics,
    next_id: StoredValue<u64>,
    abort: StoredValue<Option<futures::future::AbortHandle>>,
    /// The last `event_index` of the streaming background run.
    last_index: StoredValue<Option<u64>>,
    /// Stop was pressed before the run had an id: cancel it as soon as it has one.
    stop_pending: StoredValue<bool>,
    /// When the last message was sent (ms since the epoch).
    last_send_ms: StoredValue<f64>,
    /// When the streaming answer's message was sent, and when its first token came (ms).
    stream_clock: StoredValue<(f64, Option<f64>)>,
    /// The conversation the user is about to open, requested ahead (see `read_ahead`).
    read_ahead: StoredValue<ReadAhead<(AssistantRef, SessionId), HistoryAnswer>>,
    /// The open conversation's history could not be loaded (AgentOS away, not "not
    /// found"): it stays open, and is loaded again when AgentOS is back (see `recover`).
    unloaded: StoredValue<bool>,
    /// Every turn of the conversation, of every version, in the order they were made; the
    /// tree says which follows which, and which are shown (`turns`). See `branching`.
    all: StoredValue<Vec<Turn>>,
    tree: StoredValue<crate::chat::branches::Tree>,
}

/// A conversation's history as the server answered, not yet decoded.
type HistoryAnswer =
    Result<crate::api::Deferred<crate::chat::history::SessionHistory>, crate::api::ApiError>;

/// How long a conversation read ahead of a click may be used for it.
const READ_AHEAD_KEEP_MS: f64 = 10_000.0;

pub fn provide_chat(
    settings: Settings,
    sessions: SessionsState,
    draft: Draft,
    attachments: crate::attachments::Attachments,
    analytics: Analytics,
) -> ChatState {
    let state = ChatState {
        data: Store::new(Conversation {
            input_error: settings.with(|s| s.budget_notice.clone()),
            ..Default::default()
        }),
        settings,
        sessions,
        draft,
        attachments,
        analytics,
        next_id: StoredValue::new(1),
        abort: StoredValue::new(None),
        last_index: StoredValue::new(None),
        stop_pending: StoredValue::new(false),
        last_send_ms: StoredValue::new(f64::NEG_INFINITY),
        stream_clock: StoredValue::new((0.0, None)),
        read_ahead: StoredValue::new(ReadAhead::new(READ_AHEAD_KEEP_MS)),
        unloaded: StoredValue::new(false),
        all: StoredValue::new(Vec::new()),
        tree: StoredValue::new(Default::default()),
    };
    provide_context(state);
    state
}

pub fn use_chat() -> ChatState {
    expect_context::<ChatState>()
}

impl ChatState {
    fn clear(&self) {
        self.data.turns().set(Vec::new());
        self.all.set_value(Vec::new());
        self.tree.set_value(Default::default());
        self.data.session_id().set(None);
        // A budget mostly used is said again in any conversation.
        self.data
            .input_error()
            .set(self.settings.with(|s| s.budget_notice.clone()));
        self.data.notice().set(None);
        self.unloaded.set_value(false);
        self.attachments.forget_sent();
    }

    /// Reads the turn `turn_id`, if it is still in the conversation (untracked).
    fn turn<T>(&self, turn_id: u64, read: impl FnOnce(&Turn) -> T) -> Option<T> {
        self.data
            .turns()
            .with_untracked(|ts| ts.iter().find(|t| t.id == turn_id).map(read))
    }

    pub fn is_streaming(&self) -> bool {
        self.data.streaming().get().is_some()
    }

    /// Validates and sends `text`. Returns true when it was sent (the caller then clears
    /// the box); on refusal the reason is in `input_error` and the text stays.
    pub fn send(&self, text: &str) -> bool {
        if self.data.streaming().get_untracked().is_some() {
            self.data.input_error().set(Some(t("wait-or-stop")));
            return false;
        }
        let settings = self.settings.get();
        let message = match clean_message(text, settings.max_input_chars) {
            Ok(m) => m,
            Err(e) => {
                self.data.input_error().set(Some(e.in_words()));
                return false;
            }
        };
        let Some(assistant) = self.data.assistant().get_untracked() else {
            self.data.input_error().set(Some(t("choose-first")));
            return false;
        };
        // Sends closer together than the configured interval wait for the rest of it.
        let now = crate::state::analytics::now_ms();
        let interval = settings.min_send_interval_ms as f64;
        let at = now.max(self.last_send_ms.get_value() + interval);
        self.last_send_ms.set_value(at);
        self.data.input_error().set(None);
        self.track(Event::MessageSent {
            chars: message.chars().count() as u32,
            text: Some(message.clone()),
        });
        self.start_turn_after(assistant, message, None, (at - now) as u32);
        true
    }

    /// Continues the paused answer of `turn_id` with the decisions; the rest of the answer
    /// streams into the same message. A failure is kept in `hitl_error` for a retry.
    pub fn continue_with(&self, turn_id: u64, decisions: Vec<crate::chat::hitl::Decision>) {
        if self.data.streaming().get_untracked().is_some() {
            return;
        }
        self.read_ahead.update_value(|r| r.clear()); // the conversation changes
        let answer = self.turn(turn_id, |t| t.answer.clone());
        let (Some(answer), Some(assistant), Some(session_id)) = (
            answer,
            self.data.assistant().get_untracked(),
            self.data.session_id().get_untracked(),
        ) else {
            return;
        };
        let Some(run_id) = answer.with_untracked(|a| a.run_id.clone()) else {
            return;
        };
        // Frontend tools ran here: their results (and any UI they return) show at once.
        answer.clone().tools().update(|tools| {
            for d in &decisions {
                if let crate::chat::hitl::Decision::External {
                    tool_call_id,
                    result,
                } = d
                {
                    if let Some(t) = tools.iter_mut().find(|t| &t.tool_call_id == tool_call_id) {
                        t.tool_call_error = result.starts_with("Error: ");
                        t.result = Some(result.clone());
                    }
                }
                // A rejected tool never runs, so no completion event will say so.
                if let crate::chat::hitl::Decision::Confirm {
                    tool_call_id,
                    confirmed: false,
                    note,
                } = d
                {
                    if let Some(tool) = tools.iter_mut().find(|t| &t.tool_call_id == tool_call_id) {
                        tool.result = Some(match note {
                            Some(n) => t_args("rejected-because", &[("note", n.into())]),
                            None => t("rejected"),
                        });
                    }
                }
            }
        });
        self.data.hitl_error().set(None);
        self.data.streaming().set(Some(turn_id));
        self.stream_clock
            .set_value((crate::state::analytics::now_ms(), None));
        self.data.announcement().set(t("announce-decision-sent"));
        let req = crate::api::ContinueRequest {
            kind: assistant.kind,
            assistant_id: assistant.id,
            session_id,
            run_id,
            decisions,
        };
        #[cfg(feature = "hydrate")]
        {
            let this = *self;
            self.spawn_stream(async move {
                (code().await.continue_run)(this, req, turn_id, answer).await
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (req, answer);
    }

    /// Asks the same question again, as a new turn.
    pub fn retry(&self, turn_id: u64) {
        let question = self.turn(turn_id, |t| t.question.clone());
        if let (Some(q), Some(c)) = (question, self.data.assistant().get_untracked()) {
            if self.data.streaming().get_untracked().is_none() {
                self.start_turn_after(c, q, Some(turn_id), 0);
            }
        }
    }

    /// Shows the turn now and sends it after `delay_ms`.
    fn start_turn_after(
        &self,
        assistant: AssistantRef,
        message: String,
        again: Option<u64>,
        delay_ms: u32,
    ) {
        self.read_ahead.update_value(|r| r.clear()); // the conversation changes
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        let answer = ArcStore::new(Answer::new());
        let req = crate::api::ChatRequest {
            kind: assistant.kind,
            assistant_id: assistant.id,
            session_id: self.data.session_id().get_untracked(),
            message: message.clone(),
            // Set where the turn is placed (see `branching`).
            follows: None,
        };
        // The composer's files, or those of the turn asked again.
        let files = match again {
            None => self.attachments.take(id),
            Some(earlier) => self.attachments.resend(earlier, id),
        };
        let attachments = files.iter().map(|f| f.as_item()).collect();
        // The request is queued before the new turn is drawn: tasks run in the order they
        // were queued, so the request leaves first and the drawing overlaps AgentOS's start.
        #[cfg(feature = "hydrate")]
        {
            let this = *self;
            let answer = answer.clone();
            self.spawn_stream(async move {
                if delay_ms > 0 {
                    gloo_timers::future::TimeoutFuture::new(delay_ms).await;
                }
                (code().await.send)(this, req, files, id, answer).await
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (req, files);
        self.data.turns().update(|ts| {
            ts.push(Turn {
                id,
                question: message,
                answer,
                at: Some((crate::state::analytics::now_ms() / 1000.0) as i64),
                attachments,
            })
        });
        self.data.streaming().set(Some(id));
        self.stream_clock
            .set_value((crate::state::analytics::now_ms() + delay_ms as f64, None));
        self.data.announcement().set(t("announce-sent"));
    }

    /// Runs the streaming answer's task; Stop (or leaving the conversation) aborts it.
    #[cfg(feature = "hydrate")]
    fn spawn_stream(&self, task: impl std::future::Future<Output = ()> + 'static) {
        let (handle, registration) = futures::future::AbortHandle::new_pair();
        self.abort.set_value(Some(handle));
        leptos::task::spawn_local(async move {
            let _ = futures::future::Abortable::new(task, registration).await;
        });
    }

    #[cfg(feature = "hydrate")]
    fn finish(&self, turn_id: u64) {
        if self.data.streaming().get_untracked() == Some(turn_id) {
            self.data.streaming().set(None);
        }
        self.abort.set_value(None);
        let status = self.turn(turn_id, |t| t.answer.with_untracked(|a| a.status));
        if let Some(status) = status {
            let (sent, first) = self.stream_clock.get_value();
            let now = crate::state::analytics::now_ms();
            self.track(Event::StreamEnded {
                outcome: status.name().to_owned(),
                duration_ms: (now - sent).max(0.0) as u32,
                first_token_ms: first.map(|f| (f - sent).max(0.0) as u32),
            });
        }
    }

    /// Records an analytics event in this conversation.
    fn track(&self, event: Event) {
        self.analytics.track(
            self.data.assistant().get_untracked().as_ref(),
            self.data.session_id().get_untracked(),
            event,
        );
    }

    /// The user typed in the composer (recorded at most once per few seconds).
    pub fn typing(&self) {
        self.analytics.typing(
            self.data.assistant().get_untracked().as_ref(),
            self.data.session_id().get_untracked(),
        );
    }

    /// A conversation opened while its last answer is still being written (the page was
    /// reloaded or closed mid-answer): stream that answer again, from its start.
    fn resume_running_turn(&self, assistant: AssistantRef) {
        let last = self
            .data
            .turns()
            .with_untracked(|ts| ts.last().map(|t| (t.id, t.answer.clone())));
        let Some((turn_id, answer)) = last else {
            return;
        };
        let Some(run_id) =
            answer.with_untracked(|a| a.status.is_active().then(|| a.run_id.clone()).flatten())
        else {
            return;
        };
        self.data.streaming().set(Some(turn_id));
        #[cfg(feature = "hydrate")]
        {
            let this = *self;
            self.spawn_stream(async move {
                (code().await.resume)(this, assistant, run_id, turn_id, answer).await
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (assistant, run_id, answer);
    }

    /// Stops the streaming answer and lets go of it at once (when leaving the conversation).
    fn stop_and_detach(&self) {
        self.stop();
        if let Some(h) = self.abort.get_value() {
            h.abort();
        }
        self.abort.set_value(None);
        self.data.streaming().set(None);
    }

    /// Stops the streaming answer: asks AgentOS to cancel the run (the stream then ends
    /// with RunCancelled); before the run has an id, or if cancelling fails, drops the
    /// stream, which cancels it as well.
    pub fn stop(&self) {
        let Some(turn_id) = self.data.streaming().get_untracked() else {
            return;
        };
        let Some(answer) = self.turn(turn_id, |t| t.answer.clone()) else {
            return;
        };
        // Files still on their way: the message was not sent; it goes back to the box.
        if self.attachments.cancel_upload() {
            self.track(Event::RunCancelled);
            return;
        }
        let run_id = answer.with_untracked(|a| a.run_id.clone());
        self.track(Event::RunCancelled);
        match run_id {
            // Not started yet: cancel it the moment AgentOS names it (a background run
            // would outlive a dropped connection).
            None => {
                self.stop_pending.set_value(true);
                self.data.announcement().set(t("announce-stopping"));
            }
            Some(run_id) => {
                self.data.announcement().set(t("announce-stopping"));
                let this = *self;
                leptos::task::spawn_local(async move {
                    if crate::api::cancel_run(run_id).await.is_err() {
                        (code().await.stop_here)(this, answer);
                    }
                });
            }
        }
    }
}

fn announcement_for(ev: &RunEvent) -> Option<String> {
    Some(match ev {
        RunEvent::Started { .. } => t("announce-started"),
        RunEvent::ToolStarted { tool } => t_args(
            "announce-tool-started",
            &[("tool", (&tool.tool_name).into())],
        ),
        RunEvent::ToolCompleted { tool } if !tool.tool_call_error => t_args(
            "announce-tool-finished",
            &[("tool", (&tool.tool_name).into())],
        ),
        RunEvent::ToolError { .. } => t("announce-tool-failed"),
        RunEvent::Completed { .. } => t("announce-completed"),
        RunEvent::Error { message, .. } => t_args("announce-failed", &[("error", message.into())]),
        RunEvent::Cancelled { .. } => t("announce-stopped"),
        RunEvent::Paused { .. } => t("announce-paused"),
        RunEvent::Failed { message, .. } => message.clone(),
        _ => return None,
    })
}

fn now_epoch() -> Option<i64> {
    #[cfg(feature = "hydrate")]
    {
        Some((js_sys::Date::now() / 1000.0) as i64)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}
