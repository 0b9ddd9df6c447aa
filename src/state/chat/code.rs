//! Everything a conversation needs that an empty chat does not: the list of turns
//! (virtualized window, measuring, search), the answer renderer, the streaming client,
//! the history loader and a local stop.
//!
//! With `cargo leptos build --split` it is one lazily loaded wasm chunk behind one entry
//! point, [`conversation`]. Its parts are always wanted together (the first turn shows an
//! answer, which streams), and one entry point gives one file and the chunks it shares
//! with the generative-UI renderer, where an entry point per part gave about thirty: each
//! a request, a compilation and an instantiation, at the moment a conversation opens.

use leptos::prelude::*;

use super::*;

/// What the conversation's code is asked to do.
pub(super) enum Call {
    /// Render the list of turns.
    MessageList,
    /// Run a stream (send, continue or resume).
    #[cfg(feature = "hydrate")]
    Stream(ChatState, streaming::StreamJob),
    /// End the streaming answer here (see `streaming::stop_here`).
    StopHere(ChatState, ArcRwSignal<Answer>),
    /// Decode and show an opened conversation's history (see `history::open_job`).
    Open {
        state: ChatState,
        component: ComponentRef,
        session_id: String,
        answer: HistoryAnswer,
    },
    /// Decode a history read ahead of a click (see `history::prepare`).
    Prepare(
        HistoryAnswer,
        futures::channel::oneshot::Sender<HistoryAnswer>,
    ),
    /// Build a sample conversation out of sight, once (see `warm_up`).
    #[cfg(feature = "hydrate")]
    WarmUp(ChatState),
}

/// The entry point into the conversation's code; loaded on first use, and ahead of it by
/// [`preload_conversation`]. Views come back as `Some`; jobs run to their end.
///
/// Each job runs as a boxed future, polled through its vtable, and the list and the stop
/// are functions of their own: the browser compiles a wasm function on its first call,
/// and with every job inlined into this one's poll it was the chunk's largest function
/// (21 KB), compiled (9 ms in a trace) on the first call of any of them, an opening's
/// included. Now a call compiles its own job's code only.
#[leptos::lazy]
pub(super) async fn conversation(call: Call) -> Option<AnyView> {
    match call {
        Call::MessageList => Some(list()),
        #[cfg(feature = "hydrate")]
        Call::Stream(state, job) => {
            boxed(streaming::stream_job(state, job)).await;
            None
        }
        Call::StopHere(state, answer) => {
            stop(state, answer);
            None
        }
        Call::Open {
            state,
            component,
            session_id,
            answer,
        } => {
            boxed(history::open_job(state, component, session_id, answer)).await;
            None
        }
        Call::Prepare(answer, done) => {
            let prepared = boxed(history::prepare(answer)).await;
            let _ = done.send(prepared);
            None
        }
        #[cfg(feature = "hydrate")]
        Call::WarmUp(state) => {
            // An opening under way runs the same code: the sample is not even entered
            // (it checks again once the tasks already queued have run).
            if !state.opening.try_get_value().unwrap_or(true) {
                boxed(super::warm_up::run(state)).await;
            }
            None
        }
    }
}

/// A job's future, boxed (see `conversation`). On the server, where nothing is split and
/// the list is rendered in a `Send` future, it stays `Send`.
#[cfg(feature = "hydrate")]
fn boxed<'a, F: std::future::Future + 'a>(
    job: F,
) -> futures::future::LocalBoxFuture<'a, F::Output> {
    futures::FutureExt::boxed_local(job)
}

#[cfg(not(feature = "hydrate"))]
fn boxed<'a, F: std::future::Future + Send + 'a>(
    job: F,
) -> futures::future::BoxFuture<'a, F::Output> {
    futures::FutureExt::boxed(job)
}

#[inline(never)]
fn list() -> AnyView {
    crate::components::messages::message_list()
}

#[inline(never)]
fn stop(state: ChatState, answer: ArcRwSignal<Answer>) {
    streaming::stop_here(state, answer);
}

/// The conversation's list of turns, loaded with the rest of its code.
pub async fn message_list() -> Option<AnyView> {
    conversation(Call::MessageList).await
}

/// Runs a stream into an answer (see `streaming::stream_job`).
#[cfg(feature = "hydrate")]
pub(super) async fn stream_job(state: ChatState, job: streaming::StreamJob) {
    conversation(Call::Stream(state, job)).await;
}

/// Ends the streaming answer here (see `streaming::stop_here`).
pub(super) async fn stop_here(state: ChatState, answer: ArcRwSignal<Answer>) {
    conversation(Call::StopHere(state, answer)).await;
}

/// Decodes and shows an opened conversation's history (see `history::open_job`).
pub(super) async fn open_job(
    state: ChatState,
    component: ComponentRef,
    session_id: String,
    answer: HistoryAnswer,
) {
    conversation(Call::Open {
        state,
        component,
        session_id,
        answer,
    })
    .await;
}

/// Decodes a history read ahead of a click, so that the click only shows it (see
/// `history::prepare`). An answer that could not be decoded comes back as its error.
pub(super) async fn prepare(answer: HistoryAnswer) -> HistoryAnswer {
    let (done, prepared) = futures::channel::oneshot::channel();
    conversation(Call::Prepare(answer, done)).await;
    prepared.await.unwrap_or_else(|_| {
        Err(crate::api::ApiError::Transport(
            "the conversation's history was not decoded".into(),
        ))
    })
}

/// Starts loading the conversation's code (once per page), and the stylesheet of
/// highlighted code, which only answers use: when the user shows the intent to chat
/// (focuses or types in the composer, points at or focuses the chat list) or opens a
/// conversation. Once loaded, the code is run once on a sample conversation, out of
/// sight, so that the browser has compiled it before `chat` shows one (see `warm_up`).
pub fn preload_conversation(chat: ChatState) {
    #[cfg(feature = "hydrate")]
    {
        use std::sync::atomic::{AtomicBool, Ordering};
        static STARTED: AtomicBool = AtomicBool::new(false);
        if !STARTED.swap(true, Ordering::Relaxed) {
            leptos::task::spawn_local(async move {
                conversation(Call::WarmUp(chat)).await;
            });
            crate::components::answer::add_highlight_stylesheet();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = chat;
}
