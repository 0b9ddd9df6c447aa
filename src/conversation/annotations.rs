//! The open conversation's annotations as the page shows them: its share link and the
//! feedback on its answers (see `chat::annotations`), loaded when a saved conversation
//! opens and changed through the server (`api::sharing`, `api::feedback`). Part of the
//! conversation's lazily loaded code: only its views use it.

use std::collections::HashMap;

use leptos::prelude::*;

use super::*;
use crate::api::ShareLink;
use crate::chat::annotations::{Feedback, Rating};
use crate::model::ConversationRef;

/// Shared by the conversation's views (a context, provided by the list of turns).
#[derive(Clone, Copy)]
pub struct Notes {
    pub share: RwSignal<Option<ShareLink>>,
    /// By run id.
    pub feedback: RwSignal<HashMap<String, Feedback>>,
    /// The conversation they are of: a late answer for another one is dropped.
    of: StoredValue<Option<ConversationRef>>,
}

impl Notes {
    /// Makes the notes and loads them whenever another saved conversation opens.
    pub fn provide(chat: ChatState) -> Self {
        let notes = Self {
            share: RwSignal::new(None),
            feedback: RwSignal::new(HashMap::new()),
            of: StoredValue::new(None),
        };
        provide_context(notes);
        Effect::new(move |_| {
            let at = chat.conversation_ref();
            // Asked once the conversation is on screen and no answer streams, so that
            // the request never competes with opening it or with its first answer.
            let busy = chat.data.loading_history().get() || chat.data.streaming().get().is_some();
            if at == notes.of.get_value() {
                return;
            }
            notes.share.set(None);
            notes.feedback.set(HashMap::new());
            if busy {
                return;
            }
            notes.of.set_value(at.clone());
            #[cfg(feature = "hydrate")]
            if let Some(at) = at {
                leptos::task::spawn_local(async move {
                    // Not shown is the only loss: the page works the same without them.
                    match crate::api::load_notes(at.clone()).await {
                        Ok(loaded) if notes.of.get_value().as_ref() == Some(&at) => {
                            notes.share.set(loaded.share);
                            notes.feedback.set(
                                loaded
                                    .feedback
                                    .into_iter()
                                    .map(|(run, f)| (run.to_string(), f))
                                    .collect(),
                            );
                        }
                        Ok(_) => {}
                        Err(e) => leptos::logging::warn!("annotations not loaded: {e}"),
                    }
                });
            }
        });
        notes
    }

    /// The feedback on `run_id`, tracked.
    pub fn on(&self, run_id: &str) -> Option<Feedback> {
        self.feedback.with(|f| f.get(run_id).cloned())
    }

    /// Sets the feedback on `run_id` (`None` takes it back). Shown at once; on a refusal
    /// the previous one is shown again and `Err` says why.
    pub async fn rate(
        &self,
        run_id: String,
        rating: Option<Rating>,
        comment: String,
    ) -> Result<(), String> {
        let Some(at) = self.of.get_value() else {
            return Err(t("feedback-unsaved"));
        };
        let before = self.feedback.with_untracked(|f| f.get(&run_id).cloned());
        let shown = rating.map(|rating| Feedback {
            rating,
            comment: comment.clone(),
            at: 0,
        });
        self.put(&run_id, shown);
        let Ok(run) = crate::model::RunId::new(run_id.clone()) else {
            self.put(&run_id, before);
            return Err(t("feedback-unsaved"));
        };
        match crate::api::rate_answer(at, run, rating, comment).await {
            Ok(kept) => {
                self.put(&run_id, kept);
                Ok(())
            }
            Err(e) => {
                self.put(&run_id, before);
                Err(e.to_string())
            }
        }
    }

    fn put(&self, run_id: &str, feedback: Option<Feedback>) {
        self.feedback.update(|f| match feedback {
            Some(v) => {
                f.insert(run_id.to_owned(), v);
            }
            None => {
                f.remove(run_id);
            }
        });
    }

    /// Shares the answers on screen (again, if shared already: the same link then shows
    /// what is on screen now).
    pub async fn share_now(&self, chat: ChatState) -> Result<(), String> {
        let Some(at) = self.of.get_value() else {
            return Err(t("share-unsaved"));
        };
        let runs = chat.shown_runs();
        let link = crate::api::share_conversation(at, runs)
            .await
            .map_err(|e| e.to_string())?;
        self.share.set(Some(link));
        Ok(())
    }

    /// Takes the link back.
    pub async fn stop_sharing(&self) -> Result<(), String> {
        let Some(at) = self.of.get_value() else {
            return Ok(());
        };
        crate::api::stop_sharing(at)
            .await
            .map_err(|e| e.to_string())?;
        self.share.set(None);
        Ok(())
    }
}

pub fn use_notes() -> Notes {
    expect_context::<Notes>()
}

impl ChatState {
    /// The open conversation, once it is saved (tracked).
    pub fn conversation_ref(&self) -> Option<ConversationRef> {
        let assistant = self.data.assistant().get()?;
        let session_id = self.data.session_id().get()?;
        Some(ConversationRef {
            kind: assistant.kind,
            assistant_id: assistant.id,
            session_id,
        })
    }

    /// The runs of the answers on screen, in order (those that have one).
    pub fn shown_runs(&self) -> Vec<crate::model::RunId> {
        self.data.turns().with_untracked(|ts| {
            ts.iter()
                .filter_map(|t| t.answer.with_untracked(|a| a.run_id.clone()))
                .collect()
        })
    }
}
