//! The conversation's lazily loaded boundary: everything a conversation needs that an
//! empty chat does not (the list of turns with its measuring and search, the answer
//! renderer, the streaming client, the history decoder and a local stop).
//!
//! With `cargo leptos build --split` all of it is one wasm chunk behind one entry point,
//! [`code`], which hands back a table of the chunk's functions. Its parts are always
//! wanted together (the first turn shows an answer, which streams), and one entry point
//! gives one file where an entry point per part gave about thirty requests.

use futures::future::LocalBoxFuture;
use leptos::prelude::*;

#[cfg(feature = "hydrate")]
use crate::model::RunId;

use super::*;

/// The conversation's code: what the rest of the app may call once it has loaded.
pub(super) struct Code {
    /// Renders the list of turns.
    pub list: fn() -> AnyView,
    /// Streams an answer to a new message.
    #[cfg(feature = "hydrate")]
    pub send: fn(
        ChatState,
        crate::api::ChatRequest,
        Vec<crate::attachments::PendingFile>,
        u64,
        ArcStore<Answer>,
    ) -> Job,
    /// Streams the rest of a paused answer after the user's decisions.
    #[cfg(feature = "hydrate")]
    pub continue_run: fn(ChatState, crate::api::ContinueRequest, u64, ArcStore<Answer>) -> Job,
    /// Streams a running answer again after a reload.
    #[cfg(feature = "hydrate")]
    pub resume: fn(ChatState, AssistantRef, RunId, u64, ArcStore<Answer>) -> Job,
    /// Ends the streaming answer here (see `streaming::stop_here`).
    pub stop_here: fn(ChatState, ArcStore<Answer>),
    /// Decodes and shows an opened conversation's history (see `history::open_job`).
    pub open: fn(ChatState, AssistantRef, SessionId, HistoryAnswer) -> Job,
    /// Decodes a history read ahead of a click (see `history::prepare`).
    pub prepare: fn(HistoryAnswer) -> LocalBoxFuture<'static, HistoryAnswer>,
}

/// A job of the conversation's code, run to its end.
pub(super) type Job = LocalBoxFuture<'static, ()>;

static CODE: Code = Code {
    list: super::view::messages::message_list,
    #[cfg(feature = "hydrate")]
    send: |state, req, files, turn, answer| Box::pin(state.run(req, files, turn, answer)),
    #[cfg(feature = "hydrate")]
    continue_run: |state, req, turn, answer| Box::pin(state.continue_into(req, turn, answer)),
    #[cfg(feature = "hydrate")]
    resume: |state, assistant, run_id, turn, answer| {
        Box::pin(state.resume_into(assistant, run_id, turn, answer))
    },
    stop_here: super::streaming::stop_here,
    open: |state, assistant, session_id, answer| {
        Box::pin(super::history::open_job(
            state, assistant, session_id, answer,
        ))
    },
    prepare: |answer| Box::pin(super::history::prepare(answer)),
};

#[leptos::lazy]
async fn conversation() -> &'static Code {
    &CODE
}

/// The conversation's code, loaded on first use (and ahead of it by
/// [`preload_conversation`]).
pub(super) async fn code() -> &'static Code {
    conversation().await
}

/// The conversation's list of turns, loaded with the rest of its code.
pub async fn message_list() -> Option<AnyView> {
    Some((code().await.list)())
}

/// Starts loading the conversation's code (once per page), and the stylesheet of
/// highlighted code, which only answers use: when the user shows the intent to chat
/// (focuses or types in the composer, points at or focuses the chat list) or opens a
/// conversation.
pub fn preload_conversation() {
    #[cfg(feature = "hydrate")]
    {
        use std::sync::atomic::{AtomicBool, Ordering};
        static STARTED: AtomicBool = AtomicBool::new(false);
        if !STARTED.swap(true, Ordering::Relaxed) {
            leptos::task::spawn_local(async {
                code().await;
            });
            super::view::answer::add_highlight_stylesheet();
        }
    }
}
