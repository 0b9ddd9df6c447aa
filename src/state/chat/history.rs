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
    let result = decoded(answer);
    let check = result.as_ref().ok().and_then(|h| h.check);
    let show = async {
        // Decoding a long history and showing it are two tasks, not one, so the browser
        // can paint and take input between them: for a 500-run session each is tens of
        // milliseconds (V8 compiles the code for each on first use). A history read
        // ahead of the click comes decoded already (see `prepare`).
        #[cfg(feature = "hydrate")]
        gloo_timers::future::TimeoutFuture::new(0).await;
        state.show_history(component.clone(), session_id.clone(), result);
        state.shown()
    };
    let Some(version) = check else {
        show.await;
        return;
    };
    // The server answered from its copy, without asking AgentOS (see
    // `server::history_cache`): what changed since is asked for once it is shown (and
    // painted, so that AgentOS's work for it does not compete with that).
    let shown = show.await;
    #[cfg(feature = "hydrate")]
    after_paint().await;
    let checked = crate::api::check_session(
        component.kind,
        component.id.clone(),
        session_id.clone(),
        version,
    )
    .await;
    state.apply_check(component, session_id, shown, checked);
}

/// Resolves after the next frame has been produced.
#[cfg(feature = "hydrate")]
async fn after_paint() {
    let (done, painted) = futures::channel::oneshot::channel();
    request_animation_frame(move || {
        let _ = done.send(());
    });
    let _ = painted.await;
    gloo_timers::future::TimeoutFuture::new(0).await;
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
        component: ComponentRef,
        session_id: String,
        result: Result<SessionHistory, crate::api::ApiError>,
    ) {
        if self.session_id.get_untracked().as_deref() != Some(session_id.as_str()) {
            return; // the user moved on meanwhile (another opening may be under way)
        }
        self.opening.set_value(false);
        self.loading_history.set(false);
        match result {
            Ok(history) => {
                crate::components::answer::remember_highlighted(history.highlighted);
                let turns: Vec<Turn> = history
                    .turns
                    .into_iter()
                    .map(|h| self.new_turn(h))
                    .collect();
                let count = turns.len() as u32;
                self.turns.set(turns);
                self.track(Event::SessionLoaded { turns: count });
                self.tick.update(|t| *t = t.wrapping_add(1));
                remember_session(&component, Some(&session_id));
                self.unloaded.set_value(false);
                self.resume_running_turn(component);
            }
            // Gone (deleted, someone else's): forgotten, and a new one starts.
            Err(crate::api::ApiError::NotFound(_)) => {
                remember_session(&component, None);
                self.session_id.set(None);
                self.notice.set(Some(
                    "That conversation is no longer available, so a new one was started.".into(),
                ));
            }
            // Not loaded this time (AgentOS away): it stays open, with its draft, and is
            // loaded again when AgentOS is back.
            Err(other) => {
                self.unloaded.set_value(true);
                self.notice.set(Some(match other {
                    crate::api::ApiError::Unavailable(_) | crate::api::ApiError::Transport(_) => {
                        "This conversation could not be loaded while the agent service is not \
                         answering. It will load by itself when the service is back."
                            .to_owned()
                    }
                    other => format!("This conversation could not be loaded: {other}"),
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
            answer: ArcRwSignal::new(h.answer),
        }
    }

    /// What the conversation shows, enough to tell whether anything was added since: its
    /// number of turns and the newest one's id.
    fn shown(&self) -> (usize, Option<u64>) {
        self.turns
            .with_untracked(|t| (t.len(), t.last().map(|t| t.id)))
    }

    /// Applies what changed in a conversation shown from the server's copy (see
    /// `open_job`), unless the user has moved on or sent a message since. Turns that did
    /// not change keep their place and their rendering; an answer that changed is
    /// updated in place; new runs are added.
    fn apply_check(
        &self,
        component: ComponentRef,
        session_id: String,
        shown: (usize, Option<u64>),
        checked: Result<Option<SessionHistory>, crate::api::ApiError>,
    ) {
        if self.session_id.get_untracked().as_deref() != Some(session_id.as_str())
            || self.streaming.get_untracked().is_some()
            || self.shown() != shown
        {
            return;
        }
        match checked {
            Ok(None) => {}
            Ok(Some(history)) => {
                crate::components::answer::remember_highlighted(history.highlighted);
                let old = self.turns.get_untracked();
                let turns = updated_turns(&old, history.turns, |h| self.new_turn(h));
                self.turns.set(turns);
                self.tick.update(|t| *t = t.wrapping_add(1));
                self.resume_running_turn(component);
            }
            Err(e @ crate::api::ApiError::NotFound(_)) => {
                self.turns.set(Vec::new());
                self.show_history(component, session_id, Err(e));
            }
            Err(e) => {
                self.notice.set(Some(format!(
                    "This conversation is shown as the server last saw it: newer messages \
                     could not be looked for ({e})."
                )));
            }
        }
    }
}

/// `old` turns brought to `new`, position by position: a turn of the same run and
/// question is kept (its answer updated in place when it changed, so its rendering
/// stays); any other comes from `fresh`.
fn updated_turns(
    old: &[Turn],
    new: Vec<crate::chat::history::HistoryTurn>,
    mut fresh: impl FnMut(crate::chat::history::HistoryTurn) -> Turn,
) -> Vec<Turn> {
    new.into_iter()
        .enumerate()
        .map(|(i, h)| match old.get(i) {
            Some(t)
                if t.question == h.question
                    && t.answer
                        .with_untracked(|a| a.run_id.as_deref() == Some(h.run_id.as_str())) =>
            {
                if t.answer.with_untracked(|a| *a != h.answer) {
                    t.answer.set(h.answer);
                }
                t.clone()
            }
            _ => fresh(h),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::history::HistoryTurn;

    fn run(id: &str, text: &str) -> HistoryTurn {
        let mut answer = Answer::new();
        answer.run_id = Some(id.into());
        answer.text = text.into();
        HistoryTurn {
            run_id: id.into(),
            question: format!("question {id}"),
            answer,
        }
    }

    #[test]
    fn a_check_keeps_unchanged_turns_updates_changed_answers_and_adds_new_runs() {
        let mut next = 0;
        let mut fresh = |h: HistoryTurn| {
            next += 1;
            Turn {
                id: next,
                question: h.question,
                answer: ArcRwSignal::new(h.answer),
            }
        };
        let shown: Vec<Turn> = vec![run("a", "one"), run("b", "two"), run("c", "three")]
            .into_iter()
            .map(&mut fresh)
            .collect();
        let b_answer = shown[1].answer.clone();
        // Elsewhere: b was answered again in place, c was regenerated (another run), d
        // is new.
        let checked = vec![
            run("a", "one"),
            run("b", "two, edited"),
            run("c2", "three again"),
            run("d", "four"),
        ];
        let turns = updated_turns(&shown, checked, &mut fresh);
        let ids: Vec<u64> = turns.iter().map(|t| t.id).collect();
        assert_eq!(ids, [1, 2, 4, 5]);
        // b kept its turn (and so its rendering): the signal it was shown with holds the
        // new text.
        assert_eq!(b_answer.with_untracked(|a| a.text.clone()), "two, edited");
        assert_eq!(turns[3].question, "question d");
        // Fewer runs than shown (one deleted elsewhere): the rest go.
        let fewer = updated_turns(&turns, vec![run("a", "one")], &mut fresh);
        assert_eq!(fewer.iter().map(|t| t.id).collect::<Vec<_>>(), [1]);
    }
}
