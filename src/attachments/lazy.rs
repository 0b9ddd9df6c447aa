//! The attachments' code, as a table of functions that the page's on-demand chunk
//! carries (`components::on_demand`): the page installs its loader with
//! [`provide_attachments`](super::provide_attachments). Not a chunk of its own: each
//! entry point splits the code shared between entries into more files, which every
//! other part (the conversation's among them) then fetches one by one.

use leptos::prelude::*;

use super::Attachments;
use crate::chat::media::{MediaItem, Source};

/// An upload under way: the answer's stream once the files are taken, or why not.
#[cfg(feature = "hydrate")]
pub type Sent =
    futures::future::LocalBoxFuture<'static, Result<super::upload::Answer, crate::api::ApiError>>;

/// The attachments' functions.
pub struct Code {
    #[cfg(feature = "hydrate")]
    pub add: fn(Attachments, Vec<web_sys::File>, crate::model::UploadLimits),
    #[cfg(feature = "hydrate")]
    pub send: fn(Attachments, crate::model::ChatRequest, Vec<super::PendingFile>) -> Sent,
    pub tray: fn(Attachments) -> AnyView,
    pub media: fn(Vec<MediaItem>, bool) -> AnyView,
    pub sources: fn(Vec<Source>, String) -> AnyView,
}

/// The table the on-demand chunk holds.
pub static CODE: Code = Code {
    #[cfg(feature = "hydrate")]
    add: super::tray::add,
    #[cfg(feature = "hydrate")]
    send: |a, req, files| Box::pin(super::upload::send(a, req, files)),
    tray: super::tray::tray_view,
    media: super::media_view::media_view,
    sources: super::media_view::sources_view,
};

/// Loads the chunk that holds [`CODE`] and hands it back.
pub type Loader = fn() -> futures::future::BoxFuture<'static, &'static Code>;

thread_local! {
    static LOADER: std::cell::Cell<Option<Loader>> = const { std::cell::Cell::new(None) };
}

/// Sets how the code is loaded (once, by the page).
pub(super) fn install(loader: Loader) {
    LOADER.with(|l| l.set(Some(loader)));
}

pub(super) async fn code() -> &'static Code {
    // The server has all its code at hand (and renders on any thread).
    #[cfg(not(feature = "hydrate"))]
    return &CODE;
    // Its styles come with it, fetched beside the chunk.
    #[cfg(feature = "hydrate")]
    crate::state::layout::add_stylesheet(STYLESHEET);
    #[cfg(feature = "hydrate")]
    match LOADER.with(std::cell::Cell::get) {
        Some(load) => load().await,
        // Not installed (never in the app): naming `CODE` here would link it into the
        // first load, so this waits instead.
        None => std::future::pending().await,
    }
}

/// The attachments' stylesheet (`public/attachments.css`).
#[cfg(feature = "hydrate")]
const STYLESHEET: &str = "/attachments.css";
