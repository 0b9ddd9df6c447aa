//! Showing an opened conversation: its history decoded and turned into turns. Part of
//! the conversation's lazily loaded code (see `code`); `ChatState::open_session` sends
//! the request.

use leptos::prelude::*;

use super::*;
use crate::chat::history::SessionHistory;

/// Decodes a conversation's history and shows it. The history's decoding (every part of
/// an answer: tools, reasoning, approvals, components) is not in an empty chat's first
/// load: it is part of the conversation's lazily loaded code.
pub(super) async fn open_job(
    state: ChatState,
    assistant: AssistantRef,
    session_id: SessionId,
    answer: HistoryAnswer,
) {
    let result = decoded(answer);
    // Decoding a long history and showing it are two tasks, not one, so the browser can
    // paint and take input between them. A history read ahead of the click comes decoded
    // already (see `prepare`).
    #[cfg(feature = "hydrate")]
    gloo_timers::future::TimeoutFuture::new(0).await;
    state.show_history(assistant, session_id, result);
}

/// Decodes a history read ahead of a click (the pointer rests on its entry), in a task
/// of its own once it has arrived, so that the click only has to show it: for a
/// 500-run session that is a task of tens of milliseconds taken off the opening.
pub(super) async fn prepare(answer: HistoryAnswer) -> HistoryAnswer {
    #[cfg(feature = "hydrate")]
    gloo_timers::future::TimeoutFuture::new(0).await;
    decoded(answer).map(crate::api::Deferred::new)
}

/// The decoded history. Decoding JSON is a performance measure,
/// `agno-chat:decode-history`, seen in DevTools and read by the benchmark and the tests.
fn decoded(answer: HistoryAnswer) -> Result<SessionHistory, crate::api::ApiError> {
    let history = answer?;
    #[cfg(feature = "hydrate")]
    let performance = history.is_json().then(|| window().performance()).flatten();
    #[cfg(feature = "hydrate")]
    if let Some(p) = &performance {
        let _ = p.mark("agno-chat:decode-history-start");
    }
    let result = history.decode().map_err(|e| {
        crate::api::ApiError::Transport(format!("the conversation's history was unreadable: {e}"))
    });
    #[cfg(feature = "hydrate")]
    if let Some(p) = &performance {
        let _ =
            p.measure_with_start_mark("agno-chat:decode-history", "agno-chat:decode-history-start");
    }
    result
}

impl ChatState {
    /// Fills the conversation with its loaded history (see `open_job`).
    fn show_history(
        &self,
        assistant: AssistantRef,
        session_id: SessionId,
        result: Result<SessionHistory, crate::api::ApiError>,
    ) {
        if self.data.session_id().get_untracked().as_ref() != Some(&session_id) {
            return; // the user moved on meanwhile (another opening may be under way)
        }
        self.data.loading_history().set(false);
        match result {
            Ok(history) => {
                crate::conversation::view::answer::remember_highlighted(history.highlighted);
                let tree = crate::chat::branches::Tree::from_lineage(
                    history
                        .turns
                        .iter()
                        .map(|h| (h.run_id.as_str(), &h.lineage)),
                );
                let all: Vec<Turn> = history
                    .turns
                    .into_iter()
                    .map(|h| self.new_turn(h))
                    .collect();
                self.show_versions(all, tree);
                let count = self.data.turns().with_untracked(Vec::len) as u32;
                if history.stale {
                    self.data.notice().set(Some(t("conversation-stale")));
                }
                self.track(Event::SessionLoaded { turns: count });
                self.data.tick().update(|t| *t = t.wrapping_add(1));
                remember_session(&assistant, Some(&session_id));
                // A stale copy is loaded again when AgentOS is back (see `recover`).
                self.unloaded.set_value(history.stale);
                self.resume_running_turn(assistant);
            }
            // Gone (deleted, someone else's): forgotten, and a new one starts.
            Err(crate::api::ApiError::NotFound(_)) => {
                remember_session(&assistant, None);
                self.data.session_id().set(None);
                self.data.notice().set(Some(t("conversation-gone")));
            }
            // Not loaded this time (AgentOS away): it stays open, with its draft, and is
            // loaded again when AgentOS is back.
            Err(other) => {
                self.unloaded.set_value(true);
                self.data.notice().set(Some(match other {
                    crate::api::ApiError::Unavailable(_) | crate::api::ApiError::Transport(_) => {
                        t("conversation-waiting")
                    }
                    other => t_args(
                        "conversation-failed",
                        &[("error", other.to_string().into())],
                    ),
                }));
            }
        }
    }

    fn new_turn(&self, h: crate::chat::history::HistoryTurn) -> Turn {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        Turn {
            id,
            question: h.question,
            answer: ArcStore::new(h.answer),
            at: h.at,
            attachments: h.attachments,
        }
    }
}
