//! Opening conversations: switching agent or team, starting a new chat, opening a stored
//! one (with the answer read ahead when the pointer rested on it), and the browser's
//! memory of the conversation last open with each agent or team.

use leptos::prelude::*;

use super::*;

impl ChatState {
    /// Shows what the address names: `session` of `assistant`, or with no session a new
    /// chat (or, when the agent or team changes, the conversation last open with it in
    /// this browser).
    pub fn switch_to(&self, assistant: Option<AssistantRef>, session: Option<SessionId>) {
        if self.data.assistant().get_untracked() == assistant {
            let open = self.data.session_id().get_untracked();
            match session {
                Some(s) if open.as_ref() != Some(&s) => self.open_session(s),
                None if open.is_some() => self.new_chat(),
                _ => {}
            }
            return;
        }
        self.stop_and_detach();
        self.data.assistant().set(assistant.clone());
        self.clear();
        self.sessions.reload(assistant.clone());
        if let Some(s) = session.or_else(|| assistant.as_ref().and_then(remembered_session)) {
            self.open_session(s);
        }
    }

    /// Starts a new, empty conversation with the same agent or team.
    pub fn new_chat(&self) {
        self.stop_and_detach();
        self.clear();
        if let Some(c) = self.data.assistant().get_untracked() {
            remember_session(&c, None);
        }
    }

    /// Opens one of the user's stored conversations. If it cannot be loaded (deleted,
    /// someone else's, AgentOS reset) it is forgotten and the user is told.
    pub fn open_session(&self, session_id: SessionId) {
        let Some(assistant) = self.data.assistant().get_untracked() else {
            return;
        };
        // The conversation's code (see `lazy`) is fetched first, ahead of the work the
        // changes below set off, unless a pointer over the list or focus in it fetched it
        // already: with no sign of intent before the click, it is what the opening waits
        // for longest.
        preload_conversation();
        let key = (assistant.clone(), session_id.clone());
        let now = crate::state::analytics::now_ms();
        let ahead = self
            .read_ahead
            .try_update_value(|r| r.take(&key, now))
            .flatten();
        // The history is asked for next, before the changes below: the tasks they queue
        // (the list's selection, the address, the loading state) take tens of
        // milliseconds before a request spawned after them would go out.
        let this = *self;
        let id = session_id.clone();
        leptos::task::spawn_local(async move {
            // The answer read ahead, if any (a failed one is not reused: it is asked again).
            let ahead = match ahead {
                Some(answer) => answer.await.ok().and_then(Result::ok),
                None => None,
            };
            let answer = match ahead {
                Some(history) => Ok(history),
                None => {
                    crate::api::load_session(assistant.kind, assistant.id.clone(), id.clone()).await
                }
            };
            (code().await.open)(this, assistant, id, answer).await;
        });
        self.stop_and_detach();
        self.clear();
        self.data.session_id().set(Some(session_id));
        self.data.loading_history().set(true);
    }

    /// AgentOS is back after an outage: the list of chats is loaded again, notices of
    /// the outage go, and the open conversation, if its history could not be loaded, is
    /// loaded now (its draft was kept with it).
    pub fn recover(&self) {
        self.data.notice().set(None);
        self.data.input_error().set(None);
        self.sessions.reload(self.data.assistant().get_untracked());
        if self.unloaded.get_value() && !self.is_streaming() {
            if let Some(session) = self.data.session_id().get_untracked() {
                self.open_session(session);
            }
        }
    }

    /// Starts loading a conversation the user is about to open: the pointer rests on its
    /// entry in the list, or focus is on it. If it is opened within a few seconds, the
    /// answer (or the request still under way) is used instead of asking again.
    pub fn read_ahead(&self, session_id: SessionId) {
        let Some(assistant) = self.data.assistant().get_untracked() else {
            return;
        };
        if self.data.session_id().get_untracked().as_ref() == Some(&session_id) {
            return; // open already
        }
        let now = crate::state::analytics::now_ms();
        let key = (assistant.clone(), session_id.clone());
        let Some(done) = self
            .read_ahead
            .try_update_value(|r| r.start(key, now))
            .flatten()
        else {
            return; // read already
        };
        leptos::task::spawn_local(async move {
            let request = crate::api::load_session(assistant.kind, assistant.id, session_id);
            let (answer, ()) = futures::join!(request, async { preload_conversation() });
            // Decoded as soon as it is here (a click meanwhile waits for it), unless the
            // slot went to another entry since.
            let answer = match answer {
                Ok(history) if !done.is_canceled() => (code().await.prepare)(Ok(history)).await,
                other => other,
            };
            let _ = done.send(answer); // nobody waits when another entry was read since
        });
    }
}

/// The browser's memory of the conversation last open with each agent or team.
fn storage_key(c: &AssistantRef) -> String {
    format!("agno-chat:session:{}:{}", c.kind.query_key(), c.id)
}

pub(super) fn remembered_session(c: &AssistantRef) -> Option<SessionId> {
    #[cfg(feature = "hydrate")]
    {
        crate::codec::stored_string(&storage_key(c)).and_then(|s| SessionId::new(s).ok())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = storage_key(c);
        None
    }
}

pub(super) fn remember_session(c: &AssistantRef, session: Option<&SessionId>) {
    #[cfg(feature = "hydrate")]
    {
        use gloo_storage::{LocalStorage, Storage};
        match session {
            Some(s) => {
                let _ = LocalStorage::set(storage_key(c), s.as_str());
            }
            None => LocalStorage::delete(storage_key(c)),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (c, session);
}
