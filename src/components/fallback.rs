use leptos::prelude::*;

use crate::model::HelpLink;

/// Shown instead of the chat while AgentOS is unreachable. It re-checks in the background
/// and gives way to the chat by itself when AgentOS answers again. Its view is loaded on
/// demand (see `on_demand`): most pages never show it.
#[component]
pub fn FallbackView(
    /// Where people can find help (see `PublicConfig`).
    help_links: Vec<HelpLink>,
    /// Why the chat is unavailable.
    #[prop(into)]
    reason: String,
) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>{Suspend::new(super::on_demand::unavailable(help_links, reason))}</Suspense>
    }
}
