//! Parts of the page that most visits never show, loaded on demand as one lazily loaded
//! chunk behind one entry point: renaming and deleting a chat from the list, the "chat
//! unavailable" view, the keyboard shortcuts dialog, the toasts, the attachments'
//! code (files in the composer, their upload, answer media and sources), and the usage
//! pages (`crate::usage`). One entry point
//! rather than one each: every entry point adds chunks of the code it shares with the
//! others, and so requests when a conversation opens.

mod session_actions;
mod shortcuts;
mod toasts;
mod unavailable;

use leptos::prelude::*;

pub use session_actions::{Acting, ItemActions};

use crate::model::HelpLink;

/// The rename form, or the "delete this chat?" question, of a list entry.
pub async fn item_action(item: ItemActions) -> AnyView {
    (code().await.item_action)(item)
}

/// The "chat unavailable" view; `reason` says why.
pub async fn unavailable(help_links: Vec<HelpLink>, reason: String) -> AnyView {
    (code().await.unavailable)(help_links, reason)
}

/// The keyboard shortcuts dialog, open while `open` is.
pub async fn shortcuts_dialog(open: RwSignal<bool>) -> AnyView {
    (code().await.shortcuts)(open)
}

/// The toasts, while there are some.
pub async fn toast_list(toasts: crate::state::toasts::Toasts) -> AnyView {
    (code().await.toasts)(toasts)
}

/// Draws a usage page (see `crate::usage`).
pub async fn usage_page(page: crate::routes::Page) {
    (code().await.usage)(page)
}

/// The chunk's functions.
struct Code {
    toasts: fn(crate::state::toasts::Toasts) -> AnyView,
    shortcuts: fn(RwSignal<bool>) -> AnyView,
    item_action: fn(ItemActions) -> AnyView,
    unavailable: fn(Vec<HelpLink>, String) -> AnyView,
    attachments: &'static crate::attachments::Code,
    usage: fn(crate::routes::Page),
}

static CODE: Code = Code {
    shortcuts: shortcuts::shortcuts_view,
    toasts: toasts::toasts_view,
    item_action: session_actions::item_view,
    unavailable: unavailable::unavailable_view,
    attachments: &crate::attachments::CODE,
    usage: crate::usage::draw,
};

#[leptos::lazy]
async fn on_demand() -> &'static Code {
    &CODE
}

async fn code() -> &'static Code {
    on_demand().await
}

/// Loads the attachments' code, which this chunk carries (see `attachments::lazy`).
pub fn attachments_code() -> futures::future::BoxFuture<'static, &'static crate::attachments::Code>
{
    Box::pin(async { code().await.attachments })
}
