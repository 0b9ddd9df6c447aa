//! Showing an opened conversation: its history decoded and turned into turns. Part of
//! the conversation's lazily loaded code (see `code`); `ChatState::open_session` sends
//! the request.

use leptos::prelude::*;

use super::*;
use crate::chat::history::SessionHistory;

/// Decodes a conversation's history and shows it. The history's decoding (every part of
/// an answer: tools, reasoning, approvals, components) is not in an empty chat's first
/// load: it is reached through `code::conversation`.
pub(super) async fn open_job(
    state: ChatState,
    component: ComponentRef,
    session_id: String,
    answer: HistoryAnswer,
) {
    let result = answer.and_then(|history| {
        history.decode().map_err(|e| {
            crate::api::ApiError::Transport(format!(
                "the conversation's history was unreadable: {e}"
            ))
        })
    });
    // Decoding a long history and showing it are two tasks, not one, so the browser can
    // paint and take input between them: for a 500-run session each is tens of
    // milliseconds (V8 compiles the code for each on first use).
    #[cfg(feature = "hydrate")]
    gloo_timers::future::TimeoutFuture::new(0).await;
    state.show_history(component, session_id, result);
}

impl ChatState {
    /// Fills the conversation with its loaded history (see `open_job`).
    fn show_history(
        &self,
        component: ComponentRef,
        session_id: String,
        result: Result<SessionHistory, crate::api::ApiError>,
    ) {
        if self.session_id.get_untracked().as_deref() != Some(session_id.as_str()) {
            return; // the user moved on meanwhile
        }
        self.loading_history.set(false);
        match result {
            Ok(history) => {
                crate::components::answer::remember_highlighted(history.highlighted);
                let turns: Vec<Turn> = history
                    .turns
                    .into_iter()
                    .map(|h| {
                        let id = self.next_id.get_value();
                        self.next_id.set_value(id + 1);
                        Turn {
                            id,
                            question: h.question,
                            answer: ArcRwSignal::new(h.answer),
                        }
                    })
                    .collect();
                let count = turns.len() as u32;
                self.turns.set(turns);
                self.track(Event::SessionLoaded { turns: count });
                self.tick.update(|t| *t = t.wrapping_add(1));
                remember_session(&component, Some(&session_id));
                self.resume_running_turn(component);
            }
            Err(e) => {
                remember_session(&component, None);
                self.session_id.set(None);
                self.notice.set(Some(match e {
                    crate::api::ApiError::NotFound(_) => {
                        "That conversation is no longer available, so a new one was started."
                            .to_owned()
                    }
                    other => format!("The conversation could not be loaded: {other}"),
                }));
            }
        }
    }
}
