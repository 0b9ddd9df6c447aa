//! The attachments' lazily loaded boundary: one chunk behind one entry point, like the
//! conversation's (see `conversation::lazy`).

use leptos::prelude::*;

use super::Attachments;
use crate::chat::media::{MediaItem, Source};

/// An upload under way: the answer's stream once the files are taken, or why not.
#[cfg(feature = "hydrate")]
pub(super) type Sent =
    futures::future::LocalBoxFuture<'static, Result<super::upload::Answer, crate::api::ApiError>>;

pub(super) struct Code {
    #[cfg(feature = "hydrate")]
    pub add: fn(Attachments, Vec<web_sys::File>, crate::model::UploadLimits),
    #[cfg(feature = "hydrate")]
    pub send: fn(Attachments, crate::model::ChatRequest, Vec<super::PendingFile>) -> Sent,
    pub tray: fn(Attachments) -> AnyView,
    pub media: fn(Vec<MediaItem>, bool) -> AnyView,
    pub sources: fn(Vec<Source>, String) -> AnyView,
}

static CODE: Code = Code {
    #[cfg(feature = "hydrate")]
    add: super::tray::add,
    #[cfg(feature = "hydrate")]
    send: |a, req, files| Box::pin(super::upload::send(a, req, files)),
    tray: super::tray::tray_view,
    media: super::media_view::media_view,
    sources: super::media_view::sources_view,
};

#[leptos::lazy]
async fn attachments() -> &'static Code {
    &CODE
}

pub(super) async fn code() -> &'static Code {
    attachments().await
}
